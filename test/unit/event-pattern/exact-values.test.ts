import { describe, expect, it } from 'vitest';
import { matches } from '@leadflow/event-pattern';

// Exact matching, null and empty values, nesting and dotted keys, from the EventBridge user guide pages "Event
// patterns", "Arrays in event patterns" and "Matching on null values and empty strings".

describe('exact values', () => {
  it.each([
    ['string', '{"a":["x"]}', '{"a":"x"}', true],
    ['string, other value', '{"a":["x"]}', '{"a":"y"}', false],
    ['string is case-sensitive', '{"a":["x"]}', '{"a":"X"}', false],
    ['leaf array is an OR', '{"a":["x","y","z"]}', '{"a":"y"}', true],
    ['boolean', '{"a":[true]}', '{"a":true}', true],
    ['boolean, other value', '{"a":[true]}', '{"a":false}', false],
    ['boolean is not its string', '{"a":[true]}', '{"a":"true"}', false],
    ['number', '{"a":[42]}', '{"a":42}', true],
    ['number is not its string', '{"a":[42]}', '{"a":"42"}', false],
    ['string is not a number', '{"a":["42"]}', '{"a":42}', false],
    ['empty string', '{"a":[""]}', '{"a":""}', true],
    ['empty string is not null', '{"a":[""]}', '{"a":null}', false],
    ['null', '{"a":[null]}', '{"a":null}', true],
    ['null is not the string "null"', '{"a":[null]}', '{"a":"null"}', false],
    ['null does not match a missing field', '{"a":[null]}', '{"b":1}', false],
    ['null does not match an empty array', '{"a":[null]}', '{"a":[]}', false],
    ['missing field never matches a value', '{"a":["x"]}', '{}', false],
    ['unicode and whitespace are compared exactly', '{"a":["Zürich 🚀 "]}', '{"a":"Zürich 🚀 "}', true],
    ['escapes are decoded before comparing', '{"a":["\\u0041\\n"]}', '{"a":"A\\n"}', true],
    ['literal * is not a wildcard', '{"a":["*"]}', '{"a":"anything"}', false],
  ])('%s', (_name, pattern, event, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });

  it('compares numbers by value inside EventBridge numeric range, whatever their spelling', () => {
    expect(matches('{"a":[300]}', '{"a":300.0}')).toBe(true);
    expect(matches('{"a":[300]}', '{"a":3e2}')).toBe(true);
    expect(matches('{"a":[3.018e2]}', '{"a":301.8}')).toBe(true);
    expect(matches('{"a":[-0]}', '{"a":0}')).toBe(true);
    expect(matches('{"a":[0.1]}', '{"a":0.10000}')).toBe(true);
    expect(matches('{"a":[300]}', '{"a":300.000001}')).toBe(false);
  });

  it('compares numbers outside the numeric range by their exact text', () => {
    // An AWS account id is beyond 5e9, so EventBridge cannot compare it numerically.
    expect(matches('{"account":[123456789012]}', '{"account":123456789012}')).toBe(true);
    expect(matches('{"account":[123456789012]}', '{"account":123456789012.0}')).toBe(false);
    expect(matches('{"a":[1.0000001]}', '{"a":1.0000001}')).toBe(true);
    expect(matches('{"a":[12345678901234567890]}', '{"a":12345678901234567890}')).toBe(true);
    expect(matches('{"a":[12345678901234567890]}', '{"a":12345678901234567891}')).toBe(false);
  });

  it('matches parsed objects like their JSON text', () => {
    expect(matches({ detail: { state: ['running'] } }, { detail: { state: 'running' } })).toBe(true);
    expect(matches({ a: [300] }, { a: 300 })).toBe(true);
    expect(matches({ a: [12345678901234567890n as unknown as number] }, '{"a":12345678901234567890}')).toBe(true);
  });

  it('compares IP literals as addresses', () => {
    expect(matches({ ip: ['2001:db8::1'] }, { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' })).toBe(true);
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '10.0.0.1' })).toBe(true);
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '10.0.0.2' })).toBe(false);
  });
});

describe('structure', () => {
  it('follows nested objects and ignores fields the pattern does not mention', () => {
    const event = { source: 'aws.ec2', detail: { state: 'terminated', 'instance-id': 'i-1' } };
    expect(matches({ source: ['aws.ec2'], detail: { state: ['terminated'] } }, event)).toBe(true);
    expect(matches({ source: ['aws.ec2'], detail: { state: ['running'] } }, event)).toBe(false);
  });

  it('requires every field (AND) and any value per field (OR)', () => {
    const pattern = { a: ['1', '2'], b: ['3'] };
    expect(matches(pattern, { a: '2', b: '3' })).toBe(true);
    expect(matches(pattern, { a: '2', b: '4' })).toBe(false);
    expect(matches(pattern, { a: '2' })).toBe(false);
  });

  it('does not treat a JSON string as nested JSON', () => {
    expect(matches({ detail: { k: ['v'] } }, { detail: '{"k":"v"}' })).toBe(false);
  });

  it('does not match a pattern object against a leaf, or a leaf against an object', () => {
    expect(matches({ a: { b: ['x'] } }, { a: 'x' })).toBe(false);
    expect(matches({ a: ['x'] }, { a: { b: 'x' } })).toBe(false);
  });

  it('keys are case-sensitive', () => {
    expect(matches({ MY_KEY: ['v'] }, { my_key: 'v' })).toBe(false);
  });

  it('joins keys with dots on both sides, as EventBridge does', () => {
    expect(matches({ detail: { 'state.status': ['running'] } }, { detail: { state: { status: 'running' } } })).toBe(true);
    expect(matches({ detail: { state: { status: ['running'] } } }, { detail: { 'state.status': 'running' } })).toBe(true);
  });

  it('matches if any element of an event array matches', () => {
    expect(matches({ resources: ['arn:b'] }, { resources: ['arn:a', 'arn:b'] })).toBe(true);
    expect(matches({ resources: ['arn:c', 'arn:b'] }, { resources: ['arn:a', 'arn:b'] })).toBe(true);
    expect(matches({ resources: ['arn:c'] }, { resources: ['arn:a', 'arn:b'] })).toBe(false);
    expect(matches({ a: ['x'] }, { a: [['y'], ['x']] })).toBe(true);
  });

  it('never matches an event that is not an object', () => {
    expect(matches({ a: [{ exists: false }] }, '"text"')).toBe(false);
    expect(matches({ a: [{ exists: false }] }, [1, 2])).toBe(false);
    expect(matches({ a: [{ exists: false }] }, null)).toBe(false);
  });

  it('uses the last of duplicate keys in raw JSON', () => {
    const pattern = '{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}';
    expect(matches(pattern, { detail: { location: 'eu-central-1' } })).toBe(true);
    expect(matches(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });
});
