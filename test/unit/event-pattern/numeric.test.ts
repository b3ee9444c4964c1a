import { describe, expect, it } from 'vitest';
import { matches } from '@leadflow/event-pattern';

// "Numeric matching" in the EventBridge user guide: works on JSON numbers between -5.0e9 and +5.0e9 inclusive,
// with six digits after the decimal point.

const numeric = (condition: unknown[], eventJson: string): boolean => matches({ f: [{ numeric: condition }] }, `{"f":${eventJson}}`);

describe('numeric', () => {
  it.each([
    [['>', 0, '<=', 5], '3', true],
    [['>', 0, '<=', 5], '5', true],
    [['>', 0, '<=', 5], '0', false],
    [['>', 0, '<=', 5], '5.000001', false],
    [['>=', 200, '<', 500], '200', true],
    [['>=', 200, '<', 500], '500', false],
    [['<', 10], '9.999999', true],
    [['<', 10], '10', false],
    [['<=', 10], '10.0', true],
    [['>', 100], '101.0', true],
    [['>', 100], '100', false],
    [['>=', -5e9], '-5000000000', true],
    [['=', 3.018e2], '301.8', true],
    [['=', 301.8], '3.018e2', true],
    [['=', 0.3], '0.30', true],
    [['=', -1.5], '-1.500000', true],
    [['>', -1, '<', 1], '-0', true],
  ])('%j vs %s', (condition, event, expected) => {
    expect(numeric(condition, event)).toBe(expected);
  });

  it('is exact to six decimal places', () => {
    expect(numeric(['>', 0.000001], '0.000002')).toBe(true);
    expect(numeric(['=', 1.000001], '1.000001')).toBe(true);
    expect(numeric(['=', 1.000001], '1.000002')).toBe(false);
    expect(numeric(['=', 0.3], JSON.stringify(0.1 + 0.2))).toBe(false);
  });

  it('only matches JSON numbers inside the numeric window', () => {
    expect(numeric(['>', 0], '"5"')).toBe(false);
    expect(numeric(['>', 0], 'null')).toBe(false);
    expect(numeric(['>', 0], 'true')).toBe(false);
    expect(numeric(['>', 0], '6000000000')).toBe(false);
    expect(numeric(['<', 0], '-6000000000')).toBe(false);
    // More than six decimals is outside what EventBridge can compare.
    expect(numeric(['>', 0], '0.0000001')).toBe(false);
    expect(matches({ f: [{ numeric: ['>', 0] }] }, {})).toBe(false);
  });

  it('applies to each element of an event array', () => {
    expect(matches({ f: [{ numeric: ['>', 10] }] }, { f: [1, 2, 30] })).toBe(true);
    expect(matches({ f: [{ numeric: ['>', 10] }] }, { f: [1, 2, 3] })).toBe(false);
  });

  it('combines with other alternatives of the same field', () => {
    const pattern = { n: [{ numeric: ['>', 100] }, { 'anything-but': '101' }] };
    expect(matches(pattern, { n: '42' })).toBe(true);
    expect(matches(pattern, { n: 150 })).toBe(true);
    expect(matches(pattern, { n: '101' })).toBe(false);
  });
});
