import { describe, expect, it } from 'vitest';
import { compileEventPattern, InvalidEventPatternError, matches, validatePattern } from '@leadflow/event-pattern';

// What EventBridge rejects when a rule is created (aws/event-ruler JsonRuleCompiler and the EventBridge guide),
// each with the reason AWS gives.

const reasonOf = (pattern: unknown): string | undefined => {
  const verdict = validatePattern(pattern);
  return verdict.valid ? undefined : verdict.message.replace('Event pattern is not valid. Reason: ', '');
};

describe('validatePattern', () => {
  it('accepts valid patterns, raw or parsed', () => {
    expect(validatePattern('{"source":["aws.ec2"],"detail":{"state":[{"anything-but":"running"}]}}')).toEqual({ valid: true });
    expect(validatePattern({ detail: { n: [{ numeric: ['>=', -5e9, '<=', 5e9] }] } })).toEqual({ valid: true });
  });

  it.each([
    ['this is not json', /^Unrecognized token 'this'/],
    ["{'bad': 'quotation'}", /double-quote to start field name/],
    ['{"not": closed mark"', /^Unrecognized token 'closed'/],
    ['{"a":["x"]', /end-of-input/],
    ['{"a":["x"]} trailing', /expected end-of-input/],
    ['{"a":[01]}', /numeric value/],
    ['["not", "a", "dict"]', /^Filter is not an object$/],
    ['42', /^Filter is not an object$/],
  ])('rejects the text %j', (pattern, reason) => {
    expect(reasonOf(pattern)).toMatch(reason);
  });

  it.each([
    [{}, 'Empty objects are not allowed'],
    [{ a: {} }, 'Empty objects are not allowed'],
    [{ a: [] }, 'Empty arrays are not allowed'],
    [{ int: 42 }, '"int" must be an object or an array'],
    [{ s: 'v' }, '"s" must be an object or an array'],
    [{ n: null }, '"n" must be an object or an array'],
    [{ a: [['nested']] }, 'Match value must be String, number, true, false, or null'],
    [{ a: [{}] }, 'Match expression name not found'],
    [{ a: [{ EXISTS: true }] }, 'Unrecognized match type EXISTS'],
    [{ a: [{ NUMERIC: ['=', 5] }] }, 'Unrecognized match type NUMERIC'],
    [{ a: [{ exactly: 'x' }] }, 'Unrecognized match type exactly'],
    [{ a: [{ prefix: 'a', suffix: 'b' }] }, 'Only one key allowed in match expression'],
    [{ a: [{ prefix: 1 }] }, 'prefix match pattern must be a string'],
    [{ a: [{ prefix: ['x'] }] }, 'prefix match pattern must be a string'],
    [{ a: [{ prefix: {} }] }, 'Prefix expression name not found'],
    [{ a: [{ prefix: { suffix: 'x' } }] }, 'Unsupported prefix pattern: suffix'],
    [{ a: [{ prefix: { 'equals-ignore-case': 1 } }] }, 'equals-ignore-case match pattern must be a string'],
    [{ a: [{ suffix: ['x'] }] }, 'suffix match pattern must be a string'],
    [{ a: [{ suffix: { prefix: 'x' } }] }, 'Unsupported suffix pattern: prefix'],
    [{ a: [{ 'equals-ignore-case': { prefix: 'x' } }] }, 'equals-ignore-case match pattern must be a string'],
    [{ a: [{ wildcard: 1 }] }, 'wildcard match pattern must be a string'],
    [{ a: [{ exists: 'true' }] }, 'exists match pattern must be either true or false.'],
    [{ a: [{ exists: null }] }, 'exists match pattern must be either true or false.'],
    [{ a: [{ exists: true, prefix: 'x' }] }, 'Only one key allowed in match expression'],
  ])('rejects %j', (pattern, reason) => {
    expect(reasonOf(pattern)).toBe(reason);
  });

  describe('numeric', () => {
    it.each([
      [10, 'Value of numeric must be an array.'],
      [[], 'Invalid member in numeric match: ]'],
      [[5], 'Invalid member in numeric match: 5'],
      [['==', 5], 'Unrecognized numeric range operator: =='],
      [['=', '5'], 'Value of equals must be numeric'],
      [['>'], 'Value of > must be numeric'],
      [['=', 5, 6], 'Too many elements in numeric expression'],
      [['<', 5, '>', 1], 'Too many elements in numeric expression'],
      [['>', 5, 6], 'Bad value in numeric range: 6'],
      [['>', 0, '>', 5], 'Bad numeric range operator: >'],
      [['>', 0, '<'], 'Value of < must be numeric'],
      [['>', 0, '<', 5, 6], 'Too many terms in numeric range expression'],
      [['>', 5, '<', 5], 'Bottom must be less than top'],
      [['>=', 10, '<=', 1], 'Bottom must be less than top'],
      [['>', 5000000001], 'Value must be between -5.0E9 and 5.0E9, inclusive'],
      [['<', -6e9], 'Value must be between -5.0E9 and 5.0E9, inclusive'],
      [['=', 0.1234567], 'Only values upto 6 decimals are supported'],
    ])('rejects %j', (operand, reason) => {
      expect(reasonOf({ n: [{ numeric: operand }] })).toBe(reason);
    });

    it('rejects a second key next to numeric', () => {
      expect(reasonOf({ n: [{ numeric: ['>', 1], exists: true }] })).toBe('Too many elements in numeric expression');
    });
  });

  describe('anything-but', () => {
    it.each([
      [null, 'Value of anything-but must be an array or single string/number value.'],
      [true, 'Value of anything-but must be an array or single string/number value.'],
      [{}, 'Anything-But expression name not found'],
      [{ numeric: ['>', 1] }, 'Unsupported anything-but pattern: numeric'],
      [{ prefix: { 'equals-ignore-case': 'x' } }, 'Value of anything-but must be an array or single string/number value.'],
      [['a', null], 'Inside anything but list, start|null|boolean is not supported.'],
      [['a', 1], 'Inside anything but list, either all values are number or string, mixed type is not supported'],
      [[], 'Inside anything but list, either all values are number or string, mixed type is not supported'],
      [6e9, 'Value must be between -5.0E9 and 5.0E9, inclusive'],
      [{ prefix: '' }, 'Null prefix/suffix not allowed'],
      [{ suffix: ['.txt', ''] }, 'Null prefix/suffix not allowed'],
      [{ prefix: 1 }, 'prefix/suffix match pattern must be a string'],
      [{ suffix: [null, '.txt'] }, 'prefix/suffix match pattern must be a string'],
      [{ 'equals-ignore-case': 1 }, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
      [{ 'equals-ignore-case': [1, 2] }, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
      [{ wildcard: [1, '*'] }, 'wildcard match pattern must be a string'],
      [{ wildcard: 'a**' }, 'Consecutive wildcard characters at pos 2'],
      [{ prefix: 'a', suffix: 'b' }, 'Too many elements in numeric expression'],
    ])('rejects %j', (operand, reason) => {
      expect(reasonOf({ f: [{ 'anything-but': operand }] })).toBe(reason);
    });

    it('rejects a second key next to anything-but', () => {
      expect(reasonOf({ f: [{ 'anything-but': 'x', prefix: 'y' }] })).toBe('Too many elements in numeric expression');
    });
  });

  it('reports the first problem in document order', () => {
    expect(reasonOf({ a: [{ prefix: 1 }], b: [] })).toBe('prefix match pattern must be a string');
    expect(reasonOf({ b: [], a: [{ prefix: 1 }] })).toBe('Empty arrays are not allowed');
  });

  it('rejects a circular object instead of overflowing', () => {
    const pattern: Record<string, unknown> = {};
    pattern['self'] = pattern;
    expect(validatePattern(pattern)).toMatchObject({ valid: false, code: 'InvalidEventPatternException' });
  });
});

describe('invalid patterns in matches and compileEventPattern', () => {
  it('throw InvalidEventPatternError with code and message', () => {
    expect(() => matches({ a: [] }, {})).toThrow(InvalidEventPatternError);
    try {
      compileEventPattern('{"a": 1}');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventPatternError);
      expect(error).toMatchObject({
        code: 'InvalidEventPatternException',
        message: 'Event pattern is not valid. Reason: "a" must be an object or an array',
      });
    }
  });

  it('report an event that is not JSON as a ValidationException', () => {
    expect(() => matches({ a: ['x'] }, '{"a":')).toThrow(expect.objectContaining({ code: 'ValidationException' }));
  });
});
