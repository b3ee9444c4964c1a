import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError, testEventPattern } from '@leadflow/event-pattern';

// The TestEventPattern API: an invalid pattern is an InvalidEventPatternException, an event that is not a JSON
// object with the envelope fields id, account, source, time, region and detail-type is a ValidationException
// ("Parameter Event is not valid.").

const envelope = {
  id: '1',
  source: 'lead.capture',
  'detail-type': 'LeadCaptured',
  account: '123456789012',
  region: 'eu-west-1',
  time: '2026-01-01T00:00:00Z',
};

function errorOf(pattern: string, event: string): { code: string; message: string } | undefined {
  try {
    testEventPattern(pattern, event);
    return undefined;
  } catch (error) {
    if (!(error instanceof InvalidEventPatternError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('testEventPattern', () => {
  it('returns the match result', () => {
    expect(testEventPattern('{"source":["lead.capture"]}', JSON.stringify(envelope))).toEqual({ result: true });
    expect(testEventPattern('{"source":["other"]}', JSON.stringify(envelope))).toEqual({ result: false });
  });

  it('does not require resources or detail, nor check the types of the envelope fields', () => {
    const event = { ...envelope, 'detail-type': ['an', 'array'] };
    expect(testEventPattern('{"detail-type":["array"]}', JSON.stringify(event))).toEqual({ result: true });
  });

  it.each([['plain string'], ['["plain string"]'], ['{"testEvent":"value"}'], ['null'], ['{"id":"1"']])('rejects the event %j', (event) => {
    expect(errorOf('{"a":["b"]}', event)).toEqual({ code: 'ValidationException', message: 'Parameter Event is not valid.' });
  });

  it.each(['id', 'account', 'source', 'time', 'region', 'detail-type'])('requires the %s field', (field) => {
    const event = Object.fromEntries(Object.entries(envelope).filter(([key]) => key !== field));
    expect(errorOf('{"a":["b"]}', JSON.stringify(event))?.code).toBe('ValidationException');
  });

  it.each([42, 'yesterday', '2026-01-01', null])('requires an RFC 3339 time, not %j', (time) => {
    expect(errorOf('{"a":["b"]}', JSON.stringify({ ...envelope, time }))?.code).toBe('ValidationException');
  });

  it('accepts fractional seconds and offsets in time', () => {
    for (const time of ['2026-01-01T00:00:00.123Z', '2026-01-01T01:00:00+01:00']) {
      expect(testEventPattern('{"a":["b"]}', JSON.stringify({ ...envelope, time }))).toEqual({ result: false });
    }
  });

  it('checks the pattern before the event', () => {
    expect(errorOf('{"a":[]}', 'not json')?.code).toBe('InvalidEventPatternException');
  });

  it('matches numbers from the exact event text', () => {
    const event = `{"id":"1","source":"s","detail-type":"d","account":"1","region":"r","time":"2026-01-01T00:00:00Z","n":300.0,"big":12345678901234567890}`;
    expect(testEventPattern('{"n":[300]}', event)).toEqual({ result: true });
    expect(testEventPattern('{"big":[12345678901234567890]}', event)).toEqual({ result: true });
    expect(testEventPattern('{"big":[12345678901234567891]}', event)).toEqual({ result: false });
  });
});
