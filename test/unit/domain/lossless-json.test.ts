import { describe, expect, it } from 'vitest';
import { parseJsonKeepingLargeIntegers, quoteLargeIntegers } from '@leadflow/domain';

describe('parseJsonKeepingLargeIntegers', () => {
  it('keeps integers above 2^53 exact, as strings, where JSON.parse would round them', () => {
    const text = '{"leadgen_id":55459717045641545,"page_id":138124712925158}';
    expect((JSON.parse(text) as { leadgen_id: number }).leadgen_id).toBe(55459717045641544);
    expect(parseJsonKeepingLargeIntegers(text)).toEqual({ leadgen_id: '55459717045641545', page_id: 138124712925158 });
  });

  it('keeps int64 extremes and 2^53 + 1 exact, negative ones too', () => {
    expect(parseJsonKeepingLargeIntegers('[9223372036854775807,-9223372036854775808,9007199254740993,9007199254740991]')).toEqual(['9223372036854775807', '-9223372036854775808', '9007199254740993', 9007199254740991]);
  });

  it('leaves strings (with escaped quotes and digits), fractions, exponents and nested values alone', () => {
    const text = '{"a":"say \\"12345678901234567890\\" now","b":1.5,"c":1e21,"d":[{"e":12345678901234567890}],"f":true,"g":null}';
    expect(parseJsonKeepingLargeIntegers(text)).toEqual({ a: 'say "12345678901234567890" now', b: 1.5, c: 1e21, d: [{ e: '12345678901234567890' }], f: true, g: null });
  });

  it('returns the very text when there is nothing to quote', () => {
    const text = '{"lead_id":"TeSter-123","form_id":349080077126}';
    expect(quoteLargeIntegers(text)).toBe(text);
  });

  it('still rejects text that is not JSON (and does not make numbers with leading zeros valid)', () => {
    expect(() => parseJsonKeepingLargeIntegers('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonKeepingLargeIntegers('{"a":0012345678901234567890}')).toThrow(SyntaxError);
  });
});
