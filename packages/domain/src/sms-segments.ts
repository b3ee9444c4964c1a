/**
 * SMS segment arithmetic (3GPP TS 23.038 / 23.040), so what an SMS costs is known before it is sent.
 * A text made only of GSM-7 basic characters is sent in septets: 160 in one part, 153 per part when
 * concatenated (the 6-octet header takes the rest); the extension characters cost two (escape + char).
 * One character outside that alphabet makes the whole text UCS-2: 70 UTF-16 units in one part, 67 per
 * part, and a character outside the Basic Multilingual Plane (an emoji) costs two units.
 */

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
  let septets = 0;
  let gsm = true;
  for (const character of text) {
    if (gsm7Basic.has(character)) septets += 1;
    else if (gsm7Extension.has(character)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const units = gsm ? septets : text.length;
  const { single, perPart } = limits[encoding];
  return { encoding, units, segments: units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / perPart) };
}

/** Whether every character of `text` is in the GSM-7 alphabet (basic or extension table). */
export function isGsm7(text: string): boolean {
  return countSmsSegments(text).encoding === 'GSM-7';
}

/**
 * Cuts `text` to at most `units` (septets or UTF-16 units, in the encoding the text has), never
 * splitting an escape pair or a surrogate pair, and marks the cut with "...".
 */
export function fitSmsUnits(text: string, units: number): string {
  if (countSmsSegments(text).units <= units) return text;
  const characters = Array.from(text);
  while (characters.length > 0 && countSmsSegments(`${characters.join('')}...`).units > units) characters.pop();
  return `${characters.join('').trimEnd()}...`;
}
