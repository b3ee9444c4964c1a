/**
 * SMS segment arithmetic (3GPP TS 23.038 / 23.040), so what an SMS costs is known before it is sent.
 * A text made only of GSM-7 basic characters is sent in septets: 160 in one part, 153 per part when
 * concatenated (the 6-octet header takes the rest); the extension characters cost two (escape + char).
 * One character outside that alphabet makes the whole text UCS-2: 70 UTF-16 units in one part, 67 per
 * part, and a character outside the Basic Multilingual Plane (an emoji) costs two units. Neither an escape
 * pair nor a surrogate pair is split across two parts, so one at a part's end starts the next part.
 */

import { graphemesOf } from './notification-text';

const gsm7Basic = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const gsm7Extension = new Set('^{}\\[]~|€\f');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  segments: number;
}

const limits: Record<SmsEncoding, { single: number; perPart: number }> = {
  'GSM-7': { single: 160, perPart: 153 },
  'UCS-2': { single: 70, perPart: 67 },
};

/**
 * How many billed parts a text takes.
 * @example countSmsSegments('Hi Ana') // { encoding: 'GSM-7', units: 6, segments: 1 }
 * @example countSmsSegments('New lead: 王小明') // UCS-2, 13 units, 1 segment
 */
export function countSmsSegments(text: string): SmsSegmentCount {
  const septets: number[] = [];
  for (const character of text) {
    if (gsm7Basic.has(character)) septets.push(1);
    else if (gsm7Extension.has(character)) septets.push(2);
    else break;
  }
  const gsm = septets.length === Array.from(text).length;
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  // What each character takes: an escape pair or a surrogate pair is never split across parts, so it moves whole to the next one.
  const costs = gsm ? septets : Array.from(text, (character) => character.length);
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const { single, perPart } = limits[encoding];
  return { encoding, units, segments: units === 0 ? 0 : units <= single ? 1 : partsOf(costs, perPart) };
}

/** How many parts of `perPart` units hold characters of these costs, in order, none split. */
function partsOf(costs: readonly number[], perPart: number): number {
  let parts = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > perPart) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return parts;
}

/**
 * Cuts `text` to at most `units` (septets or UTF-16 units, in the encoding the text has) between two
 * graphemes, so never inside an escape pair, a surrogate pair, a letter with its accents or an emoji
 * sequence, and marks the cut with "...".
 */
export function fitSmsUnits(text: string, units: number): string {
  if (countSmsSegments(text).units <= units) return text;
  // Every UTF-16 unit costs at least one unit in either encoding, so what is kept lies within the first `units`; two more
  // keep whole the character after them, which decides whether a grapheme ends there. A long name is not segmented whole.
  const characters = graphemesOf(text.slice(0, units + 2));
  while (characters.length > 0 && countSmsSegments(`${characters.join('')}...`).units > units) characters.pop();
  return `${characters.join('').trimEnd()}...`;
}
