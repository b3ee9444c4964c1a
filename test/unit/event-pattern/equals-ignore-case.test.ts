import { describe, expect, it } from 'vitest';
import { matches } from '@leadflow/event-pattern';

// "Equals-ignore-case matching" in the EventBridge user guide: string values only. Each character of the pattern
// matches its lower- or upper-case form.

const eic = (pattern: string, value: unknown): boolean => matches({ f: [{ 'equals-ignore-case': pattern }] }, { f: value });

describe('equals-ignore-case', () => {
  it.each([
    ['alice', 'Alice', true],
    ['alice', 'ALICE', true],
    ['alice', 'alicia', false],
    ['alice', 'alic', false],
    ['', '', true],
    ['', 'x', false],
    ['ec2 instance state-change notification', 'EC2 Instance State-change Notification', true],
    ['ÉCOLE', 'école', true],
    ['straße', 'STRASSE', true],
    ['Ωmega', 'ωMEGA', true],
    ['a-1_b', 'A-1_B', true],
  ])('%j vs %j', (pattern, value, expected) => {
    expect(eic(pattern, value)).toBe(expected);
  });

  it('does not match non-strings', () => {
    expect(eic('true', true)).toBe(false);
    expect(eic('null', null)).toBe(false);
    expect(matches('{"f":[{"equals-ignore-case":"1"}]}', '{"f":1}')).toBe(false);
  });

  it('matches any element of an event array', () => {
    expect(eic('b', ['a', 'B'])).toBe(true);
  });
});
