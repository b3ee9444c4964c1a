/**
 * Lead text is written by whoever filled the form, so before it goes into a notification it is made
 * safe for the medium: no NUL or other control characters, no bidirectional overrides (which can make
 * text read differently from what it is), no lone surrogates (which some mail and SMS gateways reject or
 * mangle), and line breaks only where the medium allows them.
 */

import { publicText } from './human-text';

/** Line breaks in all their spellings: CR LF, CR, NEL, line and paragraph separators, vertical tab, form feed. */
// eslint-disable-next-line no-control-regex -- vertical tab and form feed are line breaks to strip
const lineBreaks = /\r\n|[\r\u0085\u2028\u2029\u000B\u000C]/g;

/** Every line break as a line feed, then without what no person types (`publicText`); tabs and line feeds stay for each medium to handle. */
function withoutUnsafeCharacters(text: string): string {
  return publicText(text.replace(lineBreaks, '\n'));
}

/**
 * Text for a medium that has one line (an email subject, an SMS): line breaks and tabs become spaces,
 * runs of spaces collapse, and the result is cut to `maxLength` UTF-16 units with "…", between graphemes.
 *
 * @example oneLine('Ada\r\nBcc: everyone@example.com') // 'Ada Bcc: everyone@example.com'
 */
export function oneLine(text: string, maxLength = 200): string {
  const line = withoutUnsafeCharacters(text).replace(/\s+/g, ' ').trim();
  return line.length <= maxLength ? line : `${graphemesWithin(line, maxLength - 1).trimEnd()}…`;
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The characters a reader sees in `text` (grapheme clusters: an emoji with its modifiers, a letter with its accents, a flag). */
export function graphemesOf(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), ({ segment }) => segment);
}

/**
 * The longest start of `text` of at most `maxUnits` UTF-16 units that ends between two graphemes: a cut
 * inside one would leave a lone surrogate (invalid in UTF-8, so SES and SMS gateways refuse or mangle it),
 * a letter without its accent, or half a flag or family emoji.
 */
function graphemesWithin(text: string, maxUnits: number): string {
  let kept = '';
  // Only the start is segmented: the whole of a long text (a message of thousands of characters) would cost far more than the cut.
  // Two units past the cut keep whole the character after it, which (with those before) decides whether a grapheme ends there.
  for (const grapheme of graphemesOf(text.slice(0, maxUnits + 2))) {
    if (kept.length + grapheme.length > maxUnits) break;
    kept += grapheme;
  }
  return kept;
}

/**
 * Free text (a message, an answer) for a plain-text body: kept on one `label: text` line when it has no
 * line break, otherwise as a block under `label:` with every line quoted with "> ", so no line of it can
 * pass for a line we wrote.
 */
export function quotedField(label: string, text: string): string[] {
  const lines = withoutUnsafeCharacters(text).replace(/\t/g, ' ').trim().split('\n');
  const name = oneLine(label, 100);
  if (lines.length === 1) return [`${name}: ${lines[0]}`];
  return [`${name}:`, ...lines.map((line) => `> ${line.trimEnd()}`)];
}
