/**
 * Reading bytes as text without ever guessing: UTF-8 is decoded strictly (a byte sequence that is not
 * UTF-8 is refused, never turned into U+FFFD and stored), and Windows-1252 (what "Latin-1" means in
 * practice, and what Excel writes as "CSV" on Western Windows) is read only when asked for by name.
 */

export const textEncodings = ['utf-8', 'windows-1252'] as const;
export type TextEncodingName = (typeof textEncodings)[number];

/** The names people and `charset=` parameters use for each encoding (the Encoding Standard's labels, in part). */
const encodingLabels: Record<string, TextEncodingName> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'windows-1252',
  'iso-8859-1': 'windows-1252',
};

/** The encoding a label names (case-insensitive), or undefined when we do not read it. */
export function textEncodingNamed(label: string): TextEncodingName | undefined {
  const key = label.trim().toLowerCase();
  // Own keys only: the label comes from a request's charset, and `charset=constructor` names no encoding.
  return Object.hasOwn(encodingLabels, key) ? encodingLabels[key] : undefined;
}

/**
 * The text of `bytes` in `encoding` (a leading byte-order mark is dropped). For UTF-8, bytes that do
 * not decode are refused with the line (counting from 1) where the first bad sequence is.
 */
export function decodeText(bytes: Uint8Array, encoding: TextEncodingName = 'utf-8'): { ok: true; text: string } | { ok: false; line: number } {
  try {
    return { ok: true, text: new TextDecoder(encoding, { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, line: firstUndecodableLine(bytes) };
  }
}

function firstUndecodableLine(bytes: Uint8Array): number {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let index = 0; index <= bytes.length; index++) {
    if (index < bytes.length && bytes[index] !== 0x0a) continue;
    try {
      strict.decode(bytes.subarray(start, index));
    } catch {
      return line;
    }
    line += 1;
    start = index + 1;
  }
  return line - 1;
}

/** Text made safe inside HTML (element content and quoted attributes): `&`, `<`, `>`, `"` and `'` as character references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
