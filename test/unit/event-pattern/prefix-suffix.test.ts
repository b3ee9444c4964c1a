import { describe, expect, it } from 'vitest';
import { matches } from '@leadflow/event-pattern';

// "Prefix matching" and "Suffix matching" (with and without equals-ignore-case) in the EventBridge user guide:
// prefix and suffix only work on string values.

describe('prefix', () => {
  it.each([
    [{ prefix: '2017-10-02' }, '2017-10-02T18:43:48Z', true],
    [{ prefix: '2017-10-02' }, '2017-10-03T18:43:48Z', false],
    [{ prefix: 'us-' }, 'US-east-1', false],
    [{ prefix: '' }, 'anything', true],
    [{ prefix: '' }, '', true],
    [{ prefix: 'abc' }, 'ab', false],
    [{ prefix: { 'equals-ignore-case': 'EventB' } }, 'eventbridge', true],
    [{ prefix: { 'equals-ignore-case': 'EventB' } }, 'EVENTBRIDGE', true],
    [{ prefix: { 'equals-ignore-case': 'EventB' } }, 'Event', false],
    [{ prefix: { 'equals-ignore-case': '' } }, 'x', true],
  ])('%j vs %j', (operator, value, expected) => {
    expect(matches({ f: [operator] }, { f: value })).toBe(expected);
  });

  it('does not apply to numbers, booleans or null', () => {
    expect(matches({ f: [{ prefix: '1' }] }, '{"f":123}')).toBe(false);
    expect(matches({ f: [{ prefix: 't' }] }, { f: true })).toBe(false);
    expect(matches({ f: [{ prefix: '' }] }, { f: null })).toBe(false);
    expect(matches({ f: [{ prefix: '' }] }, {})).toBe(false);
  });
});

describe('suffix', () => {
  it.each([
    [{ suffix: '.png' }, 'image.png', true],
    [{ suffix: '.png' }, 'image.PNG', false],
    [{ suffix: '.png' }, 'png', false],
    [{ suffix: '' }, 'x', true],
    [{ suffix: { 'equals-ignore-case': '.png' } }, 'image.PnG', true],
    [{ suffix: { 'equals-ignore-case': '.png' } }, 'image.jpg', false],
    [{ suffix: { 'equals-ignore-case': 'tbridge' } }, 'EVENTBRIDGE', true],
  ])('%j vs %j', (operator, value, expected) => {
    expect(matches({ f: [operator] }, { f: value })).toBe(expected);
  });

  it('does not apply to numbers', () => {
    expect(matches({ f: [{ suffix: '3' }] }, '{"f":123}')).toBe(false);
  });
});
