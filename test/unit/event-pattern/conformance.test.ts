import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEventEnvelopeJson, InvalidEventPatternError, matches, testEventPattern, validatePattern, validatePutEventsEntries, type PutEventsEntryInput } from '@leadflow/event-pattern';

// Every case of the conformance data in test/fixtures/eventbridge-conformance (see PROVENANCE.md there): AWS
// TestEventPattern results recorded by LocalStack, array-consistency expectations from aws/event-ruler, and
// PutEvents -> rule delivery outcomes. The wire strings are fed as they are, because the parsed copies lose the
// difference between e.g. `300.0` and `300`.

const fixtures = new URL('../../fixtures/eventbridge-conformance/', import.meta.url);
const readText = (path: string): string => readFileSync(new URL(path, fixtures), 'utf8');
const readCases = <T>(path: string): T[] => (JSON.parse(readText(path)) as { cases: T[] }).cases;

type Outcome = 'match' | 'no_match' | 'error';

interface TestEventPatternCase {
  name: string;
  expected: Outcome;
  awsError: { code: string; message: string } | null;
  eventWire: string;
  eventPatternWire: string;
}

/** Runs TestEventPattern and reduces the outcome to what the fixtures record: the result, or the error code. */
function outcomeOf(patternWire: string, eventWire: string): { outcome: Outcome; code?: string } {
  try {
    return { outcome: testEventPattern(patternWire, eventWire).result ? 'match' : 'no_match' };
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return { outcome: 'error', code: error.code };
    throw error;
  }
}

function expectAwsOutcome(testCase: TestEventPatternCase): void {
  const actual = outcomeOf(testCase.eventPatternWire, testCase.eventWire);
  if (testCase.expected === 'error') {
    expect(actual).toEqual({ outcome: 'error', code: testCase.awsError?.code });
  } else {
    expect(actual).toEqual({ outcome: testCase.expected });
  }
}

describe('TestEventPattern cases recorded against AWS (localstack/test-event-pattern-cases.json)', () => {
  const cases = readCases<TestEventPatternCase>('localstack/test-event-pattern-cases.json');

  it('has the cases the README describes', () => {
    expect(cases.length).toBeGreaterThan(100);
    expect(new Set(cases.map((c) => c.expected))).toEqual(new Set(['match', 'no_match', 'error']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    expectAwsOutcome(testCase);
  });

  it.each(cases.map((c) => [c.name, c] as const))('validatePattern agrees with TestEventPattern: %s', (_name, testCase) => {
    const verdict = validatePattern(testCase.eventPatternWire);
    if (testCase.expected === 'error') expect(verdict).toMatchObject({ valid: false, code: testCase.awsError?.code });
    else expect(verdict).toEqual({ valid: true });
  });
});

describe('TestEventPattern cases from the LocalStack test code (localstack/test-event-pattern-extra-cases.json)', () => {
  const cases = readCases<TestEventPatternCase>('localstack/test-event-pattern-extra-cases.json');

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    expectAwsOutcome(testCase);
  });

  it('keeps the raw multi-key and large-payload files byte for byte equal to the wire strings', () => {
    const byName = new Map(cases.map((c) => [c.name, c]));
    expect(byName.get('complex_multi_key')?.eventWire).toBe(readText('localstack/raw/complex_multi_key_event.json'));
    expect(byName.get('complex_multi_key')?.eventPatternWire).toBe(readText('localstack/raw/complex_multi_key_event_pattern.json'));
    expect(byName.get('large_payload_simple')?.eventWire).toBe(readText('localstack/raw/large_complex_payload.json'));
  });
});

describe('array consistency (event-ruler/array-consistency-cases.json, expectedArrayConsistent)', () => {
  interface ArrayCase {
    name: string;
    eventFile: string;
    patternFile: string;
    expectedArrayConsistent: Exclude<Outcome, 'error'>;
  }
  const cases = readCases<ArrayCase>('event-ruler/array-consistency-cases.json');

  // These events are bare JSON without the envelope, so they go through matches() rather than TestEventPattern.
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const event = readText(`event-ruler/${testCase.eventFile}`);
    const pattern = readText(`event-ruler/${testCase.patternFile}`);
    expect(matches(pattern, event) ? 'match' : 'no_match').toBe(testCase.expectedArrayConsistent);
  });
});

describe('PutEvents -> rule delivery (localstack/rule-routing-cases.json)', () => {
  interface RoutingCase {
    name: string;
    pattern: Record<string, unknown>;
    patternWire: string;
    entries: Array<{ entry: PutEventsEntryInput; delivered: boolean }>;
  }
  const cases = readCases<RoutingCase>('localstack/rule-routing-cases.json');
  const rows = cases.flatMap((c) => c.entries.map((e, i) => [`${c.name} #${i + 1}`, c, e] as const));

  it.each(rows)('%s', (_label, routingCase, { entry, delivered }) => {
    const verdict = validatePutEventsEntries([entry], { now: new Date('2024-07-11T13:55:46Z') });
    expect(verdict.requestError).toBeUndefined();
    const [result] = verdict.entries;
    if (!result?.ok) throw new Error(`entry rejected: ${JSON.stringify(result)}`);
    const event = buildEventEnvelopeJson(entry, {
      id: 'e6ae2a47-5c2b-4e7d-9a8a-1a8cbb7c4d0e',
      account: '111111111111',
      region: 'us-east-1',
      time: result.time,
    });
    expect(matches(routingCase.patternWire, event)).toBe(delivered);
    // The parsed copy of the pattern has no number-text subtleties here, so it must agree.
    expect(matches(routingCase.pattern, event)).toBe(delivered);
  });
});
