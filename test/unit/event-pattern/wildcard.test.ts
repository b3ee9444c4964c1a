import { describe, expect, it } from 'vitest';
import { matches, validatePattern } from '@leadflow/event-pattern';

// "Wildcard matching" in the EventBridge user guide: `*` matches zero or more characters of a string value,
// `\*` and `\\` are a literal asterisk and backslash, consecutive wildcards are not allowed, and rules that are
// too complex are rejected.

const wildcard = (pattern: string, value: unknown): boolean => matches({ f: [{ wildcard: pattern }] }, { f: value });

describe('wildcard matching', () => {
  it.each([
    ['*.png', 'image.png', true],
    ['*.png', '.png', true],
    ['*.png', 'image.jpg', false],
    ['arn:aws:events:us-east-1:*:event-bus/*', 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus', true],
    ['arn:aws:events:us-east-1:*:event-bus/*', 'arn:aws:events:us-west-2:123456789012:event-bus/myEventBus', false],
    ['*Title*', 'A Title Here', true],
    ['*Title*', 'Title', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*', '', true],
    ['*', 'anything', true],
    ['', '', true],
    ['', 'x', false],
    ['/Users/*/dir/dir/dir/dir/dir/doc.txt', '/Users/u/dir/dir/dir/dir/dir/doc.txt', true],
    ['/Users/*/dir/dir/dir/dir/dir/doc.txt', '/Users/u/dir/dir/dir/dir/otherdir/doc.txt', false],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
  ])('%j vs %j', (pattern, value, expected) => {
    expect(wildcard(pattern, value)).toBe(expected);
  });

  it('treats escaped asterisks and backslashes literally', () => {
    expect(wildcard('a\\*b', 'a*b')).toBe(true);
    expect(wildcard('a\\*b', 'axb')).toBe(false);
    expect(wildcard('a\\\\b', 'a\\b')).toBe(true);
    expect(wildcard('a\\\\*', 'a\\anything')).toBe(true);
  });

  it('only applies to strings', () => {
    expect(wildcard('*', 1)).toBe(false);
    expect(wildcard('*', null)).toBe(false);
    expect(matches({ f: [{ wildcard: '*' }] }, {})).toBe(false);
  });
});

describe('wildcard validation', () => {
  it.each(['a**', '**', 'a\\b', 'trailing\\'])('rejects %j', (pattern) => {
    expect(validatePattern({ f: [{ wildcard: pattern }] })).toMatchObject({ valid: false, code: 'InvalidEventPatternException' });
  });

  it('reports the position of consecutive wildcards like AWS', () => {
    expect(validatePattern({ f: [{ wildcard: 'ab**' }] })).toMatchObject({
      message: 'Event pattern is not valid. Reason: Consecutive wildcard characters at pos 3',
    });
  });

  it('accepts the documented examples and patterns with several distinct segments', () => {
    for (const pattern of ['*/lib/*', 'arn:aws:events:us-east-1:*:event-bus/*', 'a*b*c*d*e*f*g', '/Users/*/dir/dir/dir/dir/dir/doc.txt']) {
      expect(validatePattern({ f: [{ wildcard: pattern }] })).toEqual({ valid: true });
    }
  });

  it('rejects patterns whose wildcards keep too many partial matches alive', () => {
    for (const pattern of ['*:*:*:*:*:*', '*.*.*.*.*.*', '*a*a*a*a*a*a*']) {
      expect(validatePattern({ f: [{ wildcard: pattern }] })).toMatchObject({
        valid: false,
        message: expect.stringContaining('Rule is too complex'),
      });
    }
  });

  it('counts all wildcards of one field together, across $or branches and anything-but', () => {
    const parts = ['*/a/*', '*/b/*', '*/c/*'];
    expect(validatePattern({ f: parts.map((wildcard) => ({ wildcard })) })).toEqual({ valid: true });
    const many = ['*/a/*', '*/b/*', '*/c/*', '*/d/*', '*/e/*'];
    expect(validatePattern({ f: many.map((wildcard) => ({ wildcard })) })).toMatchObject({ valid: false });
    expect(validatePattern({ $or: many.map((wildcard) => ({ f: [{ wildcard }] })) })).toMatchObject({ valid: false });
    expect(validatePattern({ f: [{ 'anything-but': { wildcard: many } }] })).toMatchObject({ valid: false });
    // The same patterns spread over different fields are fine.
    expect(validatePattern(Object.fromEntries(many.map((wildcard, i) => [`f${i}`, [{ wildcard }]])))).toEqual({ valid: true });
  });
});
