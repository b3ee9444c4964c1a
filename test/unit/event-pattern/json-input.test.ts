import { describe, expect, it } from 'vitest';
import { matches, validatePattern } from '@leadflow/event-pattern';

// Inputs can be raw JSON (strict RFC 8259, duplicate keys kept in order, number text kept) or parsed values
// (converted with JSON.stringify's rules, so both forms behave the same).

describe('raw JSON input', () => {
  it('keeps all duplicate keys of an event', () => {
    expect(matches({ a: ['first'] }, '{"a":"first","a":"second"}')).toBe(true);
    expect(matches({ a: ['second'] }, '{"a":"first","a":"second"}')).toBe(true);
  });

  it('accepts surrounding whitespace and all JSON escapes', () => {
    expect(matches(' \n{"a":["\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude80"]}\t', '{"a":"\\"\\\\/\\b\\f\\n\\r\\té🚀"}')).toBe(true);
  });

  it.each(['{"a":[NaN]}', '{"a":[.5]}', '{"a":[1.]}', '{"a":[+1]}', '{"a":["x",]}', '{a:["x"]}', '{"a":["\u0001"]}', '{"a":["\\x"]}'])('rejects the non-JSON pattern %j', (pattern) => {
    expect(validatePattern(pattern)).toMatchObject({ valid: false, code: 'InvalidEventPatternException' });
  });

  it('rejects extremely deep nesting instead of overflowing the stack', () => {
    const deep = `${'{"a":'.repeat(5000)}["x"]${'}'.repeat(5000)}`;
    expect(validatePattern(deep)).toMatchObject({ valid: false });
  });
});

describe('parsed input', () => {
  it('follows JSON.stringify: toJSON, undefined members and non-finite numbers', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    expect(matches({ t: [{ prefix: '2026-01-01' }] }, { t: when })).toBe(true);
    expect(matches({ u: [{ exists: false }] }, { u: undefined })).toBe(true);
    expect(matches({ n: [null] }, { n: Number.NaN })).toBe(true);
    expect(matches({ n: [null] }, { n: [undefined] })).toBe(true);
  });

  it('ignores undefined members of a pattern, like JSON.stringify', () => {
    expect(matches({ a: ['x'], b: undefined }, { a: 'x' })).toBe(true);
  });

  it('reads bigint as an exact number', () => {
    expect(matches('{"id":[12345678901234567890]}', { id: 12345678901234567890n })).toBe(true);
  });
});
