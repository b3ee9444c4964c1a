import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEventEnvelopeJson, normalizeEventTime, putEventsEntrySize, validatePutEventsEntries, type PutEventsEntryInput } from '@leadflow/event-pattern';

// Driven by localstack/putevents-validation-cases.json (PutEvents errors recorded against AWS by LocalStack).
// Two cases describe their entries in prose (requestEntriesNote) instead of listing them; they are rebuilt here
// exactly as the note says.

interface PutEventsCase {
  name: string;
  requestEntries: PutEventsEntryInput[] | null;
  requestEntriesNote: string | null;
  expectedHttpStatus: number;
  expectedBody?: {
    Entries?: Array<{ ErrorCode: string; ErrorMessage: string }>;
    FailedEntryCount?: number;
    __type?: string;
    message?: string;
    messageEndsWith?: string;
  };
  expectedDeliveredEnvelopeTime?: string;
}

const fixtures = new URL('../../fixtures/eventbridge-conformance/', import.meta.url);
const cases = (JSON.parse(readFileSync(new URL('localstack/putevents-validation-cases.json', fixtures), 'utf8')) as { cases: PutEventsCase[] }).cases;

function entriesOf(testCase: PutEventsCase): PutEventsEntryInput[] {
  if (testCase.requestEntries) return testCase.requestEntries;
  const note = testCase.requestEntriesNote ?? '';
  const source = 'core.update-account-command';
  const identical = /(\d+) identical entries/.exec(note);
  if (identical) {
    const entry = { Source: source, DetailType: source, Detail: '{"command": "update-account"}', EventBusName: 'default' };
    return Array.from({ length: Number(identical[1]) }, () => ({ ...entry }));
  }
  const detailBytes = /Detail of exactly ([\d,]+) bytes/.exec(note);
  if (detailBytes) {
    // json.dumps({"payload": ["p" * n]}) is n + 17 bytes: {"payload": ["…"]}
    const size = Number(detailBytes[1]?.replaceAll(',', ''));
    const detail = `{"payload": ["${'p'.repeat(size - 17)}"]}`;
    expect(new TextEncoder().encode(detail).length).toBe(size);
    return [{ Source: source, DetailType: source, Detail: detail }];
  }
  throw new Error(`cannot rebuild the entries of ${testCase.name} from: ${note}`);
}

describe('validatePutEventsEntries: cases recorded against AWS', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const result = validatePutEventsEntries(entriesOf(testCase), { now: new Date('2025-01-08T15:24:06Z') });
    const body = testCase.expectedBody;

    if (testCase.expectedHttpStatus === 400) {
      expect(result.entries).toEqual([]);
      expect(result.requestError?.code).toBe(body?.__type);
      if (body?.message !== undefined) expect(result.requestError?.message).toBe(body.message);
      if (body?.messageEndsWith !== undefined) {
        expect(result.requestError?.message.endsWith(body.messageEndsWith)).toBe(true);
        expect(result.requestError?.message.startsWith("1 validation error detected: Value '[PutEventsRequestEntry(")).toBe(true);
      }
      return;
    }

    expect(result.requestError).toBeUndefined();
    if (body?.Entries) {
      expect(result.entries).toEqual(body.Entries.map((e) => ({ ok: false, errorCode: e.ErrorCode, errorMessage: e.ErrorMessage })));
      expect(result.entries.filter((e) => !e.ok)).toHaveLength(body.FailedEntryCount ?? 0);
    }
    if (testCase.expectedDeliveredEnvelopeTime !== undefined) {
      expect(result.entries).toEqual([{ ok: true, time: testCase.expectedDeliveredEnvelopeTime }]);
    }
  });
});

describe('validatePutEventsEntries: own cases', () => {
  const valid: PutEventsEntryInput = { Source: 'lead.capture', DetailType: 'LeadCaptured', Detail: '{"leadId":"l-1"}' };
  const now = new Date('2026-03-01T10:20:30.456Z');

  it('accepts a valid entry and stamps the current time, truncated to seconds', () => {
    expect(validatePutEventsEntries([valid], { now })).toEqual({ entries: [{ ok: true, time: '2026-03-01T10:20:30Z' }] });
  });

  it('checks Source, then DetailType, then Detail', () => {
    const result = validatePutEventsEntries([{}], { now });
    expect(result.entries).toEqual([{ ok: false, errorCode: 'InvalidArgument', errorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' }]);
    const noDetailType = validatePutEventsEntries([{ Source: 's', Detail: 'nonsense' }], { now });
    expect(noDetailType.entries[0]).toMatchObject({ errorMessage: expect.stringContaining('DetailType is a required argument') });
  });

  it('reports each entry separately', () => {
    const result = validatePutEventsEntries([valid, { ...valid, Detail: '"text"' }, { ...valid, Source: '' }], { now });
    expect(result.entries.map((e) => (e.ok ? 'ok' : e.errorCode))).toEqual(['ok', 'MalformedDetail', 'InvalidArgument']);
  });

  it.each(['[]', '"x"', '42', 'null', '{"a":1', '{"a":1} {}', "{'a': 1}"])('rejects Detail %s as malformed', (detail) => {
    expect(validatePutEventsEntries([{ ...valid, Detail: detail }], { now }).entries[0]).toEqual({
      ok: false,
      errorCode: 'MalformedDetail',
      errorMessage: 'Detail is malformed.',
    });
  });

  it('accepts exactly ten entries and rejects zero', () => {
    expect(
      validatePutEventsEntries(
        Array.from({ length: 10 }, () => valid),
        { now },
      ).requestError,
    ).toBeUndefined();
    expect(validatePutEventsEntries([], { now }).requestError?.message).toMatch(/length greater than or equal to 1$/);
  });

  it('sizes entries as the EventBridge guide describes and allows exactly the limit', () => {
    const entry = { Source: 'é', DetailType: 'dt', Detail: '{}', Time: 0, Resources: ['arn:1', 'ü'] };
    expect(putEventsEntrySize(entry)).toBe(14 + 2 + 2 + 2 + 5 + 2);
    const limit = putEventsEntrySize(entry);
    expect(validatePutEventsEntries([entry], { now, maxTotalSizeBytes: limit }).requestError).toBeUndefined();
    expect(validatePutEventsEntries([entry], { now, maxTotalSizeBytes: limit - 1 }).requestError?.message).toBe('Total size of the entries in the request is over the limit.');
  });

  it('normalises Time given as epoch seconds, Date or ISO string', () => {
    expect(normalizeEventTime(1_640_995_200)).toBe('2022-01-01T00:00:00Z');
    expect(normalizeEventTime(new Date('2022-01-01T00:00:00.999Z'))).toBe('2022-01-01T00:00:00Z');
    expect(normalizeEventTime('2022-01-01T01:00:00+01:00')).toBe('2022-01-01T00:00:00Z');
    expect(normalizeEventTime(undefined, now)).toBe('2026-03-01T10:20:30Z');
    expect(normalizeEventTime('not a time', now)).toBe('2026-03-01T10:20:30Z');
  });

  it('builds the delivered envelope in AWS member order and keeps the Detail text', () => {
    const json = buildEventEnvelopeJson({ ...valid, Detail: '{"amount": 300.0}', Resources: ['arn:aws:s3:::b'] }, { id: 'id-1', account: '123456789012', region: 'eu-west-1', time: '2026-03-01T10:20:30Z' });
    expect(json).toBe(
      '{"version":"0","id":"id-1","detail-type":"LeadCaptured","source":"lead.capture","account":"123456789012",' +
        '"time":"2026-03-01T10:20:30Z","region":"eu-west-1","resources":["arn:aws:s3:::b"],"detail":{"amount": 300.0}}',
    );
  });
});
