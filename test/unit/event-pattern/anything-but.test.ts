import { describe, expect, it } from 'vitest';
import { matches } from '@leadflow/event-pattern';

// "Anything-but matching" in the EventBridge user guide, plus the behaviour AWS shows for null, missing fields
// and values of another type: anything-but needs the field to exist, and then accepts every value it does not
// exclude, null included.

const check = (operand: unknown, value: unknown): boolean => matches({ f: [{ 'anything-but': operand }] }, { f: value });

describe('anything-but with values', () => {
  it.each([
    ['initializing', 'pending', true],
    ['initializing', 'initializing', false],
    ['initializing', 'INITIALIZING', true],
    [['stopped', 'overloaded'], 'running', true],
    [['stopped', 'overloaded'], 'overloaded', false],
    [123, 456, true],
    [123, 123, false],
    [[100, 200, 300], 300, false],
    [[100, 200, 300], 301, true],
    [0, 789, true],
  ])('%j vs %j', (operand, value, expected) => {
    expect(check(operand, value)).toBe(expected);
  });

  it('accepts null, booleans and values of the other type', () => {
    expect(check(['no-message'], null)).toBe(true);
    expect(check('x', true)).toBe(true);
    expect(check('123', 123)).toBe(true);
    expect(check(123, '123')).toBe(true);
  });

  it('compares excluded numbers by value', () => {
    expect(matches('{"f":[{"anything-but":[300]}]}', '{"f":300.0}')).toBe(false);
    expect(matches('{"f":[{"anything-but":[300]}]}', '{"f":3e2}')).toBe(false);
  });

  it('does not match a missing field', () => {
    expect(matches({ f: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(matches({ f: [{ 'anything-but': 'x' }] }, { f: [] })).toBe(false);
  });

  it('matches an event array if any element is not excluded', () => {
    expect(check('a', ['a', 'b'])).toBe(true);
    expect(check('a', ['a', 'a'])).toBe(false);
  });
});

describe('anything-but with an operator', () => {
  it.each([
    [{ prefix: 'init' }, 'post-init', true],
    [{ prefix: 'init' }, 'initializing', false],
    [{ prefix: ['init', 'test'] }, 'testing', false],
    [{ prefix: ['init', 'test'] }, 'ready', true],
    [{ suffix: '.txt' }, 'file.txt.bak', true],
    [{ suffix: '.txt' }, 'file.txt', false],
    [{ suffix: ['.txt', '.jpg'] }, 'file.jpg', false],
    [{ 'equals-ignore-case': 'initializing' }, 'INITIALIZING', false],
    [{ 'equals-ignore-case': 'initializing' }, 'pending', true],
    [{ 'equals-ignore-case': ['initializing', 'stopped'] }, 'Stopped', false],
    [{ wildcard: '*/lib/*' }, 'src/lib/a.ts', false],
    [{ wildcard: '*/lib/*' }, 'src/app/a.ts', true],
    [{ wildcard: ['*/init/*', '*/dir/*'] }, 'dir/post/dir', true],
    [{ wildcard: ['*/init/*', '*/dir/*'] }, 'a/dir/b', false],
    [{ wildcard: '' }, 'x', true],
    [{ wildcard: '' }, '', false],
  ])('%j vs %j', (operand, value, expected) => {
    expect(check(operand, value)).toBe(expected);
  });

  it('accepts null and non-string values, but not a missing field', () => {
    for (const operand of [{ prefix: 'a' }, { suffix: 'a' }, { 'equals-ignore-case': 'a' }, { wildcard: 'a*' }]) {
      expect(check(operand, null)).toBe(true);
      expect(check(operand, 12)).toBe(true);
      expect(matches({ f: [{ 'anything-but': operand }] }, {})).toBe(false);
    }
  });
});
