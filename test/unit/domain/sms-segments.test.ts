import { describe, expect, it } from 'vitest';
import { countSmsSegments, fitSmsUnits } from '@leadflow/domain';

describe('SMS segments', () => {
  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
    [481, 4],
  ])('counts %i GSM-7 characters as %i parts', (length, segments) => {
    expect(countSmsSegments('a'.repeat(length))).toEqual({ encoding: 'GSM-7', units: length, segments });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('counts %i UCS-2 characters as %i parts', (length, segments) => {
    expect(countSmsSegments('王'.repeat(length))).toEqual({ encoding: 'UCS-2', units: length, segments });
  });

  it('counts the extension table as two septets and keeps GSM-7 for them', () => {
    expect(countSmsSegments('{€}')).toEqual({ encoding: 'GSM-7', units: 6, segments: 1 });
    expect(countSmsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSmsSegments('€'.repeat(81)).segments).toBe(2);
  });

  it('turns the whole text UCS-2 for one character outside GSM-7 (curly quote, Chinese, emoji)', () => {
    expect(countSmsSegments(`${'a'.repeat(100)}’`)).toMatchObject({ encoding: 'UCS-2', units: 101, segments: 2 });
    expect(countSmsSegments('Lead: 王小明')).toMatchObject({ encoding: 'UCS-2', units: 9, segments: 1 });
    // An emoji outside the BMP is two UTF-16 units.
    expect(countSmsSegments('🙂')).toMatchObject({ encoding: 'UCS-2', units: 2 });
  });

  it('keeps accented Latin letters of the GSM-7 table in GSM-7', () => {
    expect(countSmsSegments('Chloé Müller, Åsa Øberg').encoding).toBe('GSM-7');
  });

  it('shortens to a number of units without splitting an escape or a surrogate pair', () => {
    expect(fitSmsUnits('abcdefgh', 6)).toBe('abc...');
    expect(countSmsSegments(fitSmsUnits('€€€€€€', 7)).units).toBeLessThanOrEqual(7);
    expect(fitSmsUnits('🙂🙂🙂🙂', 7)).toBe('🙂🙂...');
    expect(fitSmsUnits('short', 10)).toBe('short');
  });
});
