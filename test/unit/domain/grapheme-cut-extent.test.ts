import { afterEach, describe, expect, it, vi } from 'vitest';
import { fitSmsUnits, oneLine } from '@leadflow/domain';

/** The length of every text handed to a grapheme segmenter while `run` runs. */
function segmentedLengths(run: () => void): number[] {
  const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
  run();
  return segment.mock.calls.map(([text]) => text.length);
}

afterEach(() => vi.restoreAllMocks());

describe('cutting a long text between graphemes segments only its start', () => {
  it('segments no more of a one-line text than the cut needs, however long the text', () => {
    const lengths = segmentedLengths(() => expect(oneLine('word '.repeat(40_000), 500)).toHaveLength(500));
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(502);
  });

  it('segments no more of an SMS name than the units it is cut to', () => {
    const lengths = segmentedLengths(() => expect(fitSmsUnits('Ana Lucía '.repeat(1_000), 80)).toMatch(/\.\.\.$/));
    expect(Math.max(...lengths)).toBeLessThanOrEqual(82);
  });

  it('still keeps a grapheme whose last character lies just past the cut out of the text, whole', () => {
    // 👍 is units 197–198 and its skin tone 199–200: the cut at 199 units falls inside the grapheme, which goes whole.
    expect(oneLine(`${'a'.repeat(197)}👍🏽 thanks`, 200)).toBe(`${'a'.repeat(197)}…`);
    expect(oneLine(`${'a'.repeat(195)}👍🏽 thanks`, 200)).toBe(`${'a'.repeat(195)}👍🏽…`);
    // "e" with a combining accent: the accent just past the cut keeps the "e" out.
    expect(fitSmsUnits(`${'a'.repeat(76)}e\u0301tude`, 80)).toBe(`${'a'.repeat(76)}...`);
    // A flag is two regional indicators: one whose second half lies past the cut is not kept as half a flag.
    expect(fitSmsUnits(`Zoe\u0301${'🇫🇷'.repeat(40)}`, 11)).toBe('Zoe\u0301🇫🇷...');
    expect(fitSmsUnits(`Zoe\u0301${'🇫🇷'.repeat(40)}`, 13)).toBe('Zoe\u0301🇫🇷...');
  });
});
