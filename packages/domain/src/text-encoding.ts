/**
 * Reading bytes as text without ever guessing: UTF-8 is decoded strictly (a byte sequence that is not
 * UTF-8 is refused, never turned into U+FFFD and stored), and Windows-1252 (what "Latin-1" means in
 * practice, and what Excel writes as "CSV" on Western Windows) or GB18030 (which GBK and GB2312 are
 * subsets of, what Excel writes as "CSV" on Chinese Windows) are read only when asked for by name.
 */

export const textEncodings = ['utf-8', 'windows-1252', 'gb18030'] as const;
export type TextEncodingName = (typeof textEncodings)[number];

/** The names people and `charset=` parameters use for each encoding (the Encoding Standard's labels, in part). */
const encodingLabels: Record<string, TextEncodingName> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  gb18030: 'gb18030',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  cp936: 'gb18030',
};

/** The encoding a label names (case-insensitive), or undefined when we do not read it. */
export function textEncodingNamed(label: string): TextEncodingName | undefined {
  const key = label.trim().toLowerCase();
  // Own keys only: the label comes from a request's charset, and `charset=constructor` names no encoding.
  return Object.hasOwn(encodingLabels, key) ? encodingLabels[key] : undefined;
}

/**
 * Text, or why the bytes were not read: `undecodable` when they are not `encoding` (UTF-8 for bytes
 * starting with its byte-order mark), with the first line that is not; `is-utf-8` when Windows-1252
 * was asked for but the bytes are UTF-8 text, with the first line holding a character beyond ASCII.
 */
export type DecodedText = { ok: true; text: string } | { ok: false; reason: 'undecodable'; encoding: TextEncodingName; line: number } | { ok: false; reason: 'is-utf-8'; line: number };

const utf8Bom = [0xef, 0xbb, 0xbf];

/**
 * The text of `bytes` in `encoding` (a leading byte-order mark is dropped); lines count from 1.
 * Bytes starting with the UTF-8 byte-order mark are UTF-8 whatever was asked: read as Windows-1252 the
 * mark would become `ï»¿` in front of the first column's name. Windows-1252 asked for bytes that are
 * UTF-8 beyond ASCII is refused rather than read as `Ã©` for `é`: text in Windows-1252 is almost never
 * also valid UTF-8, so such a file is UTF-8 and the encoding was asked for by mistake.
 */
export function decodeText(bytes: Uint8Array, encoding: TextEncodingName = 'utf-8'): DecodedText {
  const used = utf8Bom.every((byte, index) => bytes[index] === byte) ? 'utf-8' : encoding;
  let text: string;
  try {
    text = new TextDecoder(used, { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'undecodable', encoding: used, line: firstUndecodableLine(bytes, used) };
  }
  if (used === 'windows-1252' && isUtf8(bytes)) {
    const nonAscii = bytes.findIndex((byte) => byte >= 0x80);
    if (nonAscii !== -1) return { ok: false, reason: 'is-utf-8', line: lineAt(bytes, nonAscii) };
  }
  return { ok: true, text };
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The line (from 1) that byte `index` is on. */
function lineAt(bytes: Uint8Array, index: number): number {
  return bytes.subarray(0, index).filter((byte) => byte === 0x0a).length + 1;
}

// Line by line is exact for both multi-byte encodings read: neither uses byte 0x0A inside a character.
function firstUndecodableLine(bytes: Uint8Array, encoding: TextEncodingName): number {
  const strict = new TextDecoder(encoding, { fatal: true });
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

/**
 * `decodeText` for a file read in parts, with the same answers: `write` takes the next bytes and gives the
 * text up to the last line end (LF or CR) in them (the rest waits for more), `end` gives the rest. Each such
 * part is decoded on its own, which is exact for the encodings read: none uses byte 0x0A or 0x0D inside a
 * character. Splitting at CR too keeps a file of CR-only line ends from being held whole; a part may then end
 * between the CR and the LF of a CRLF. A
 * Windows-1252 file is refused as UTF-8 only at `end`, when all of it is known to be UTF-8, so a reader
 * that must not act on a refused file reads it through once before acting on it.
 *
 * @example
 * const decoder = new TextPartsDecoder('gb18030');
 * decoder.write(bytesOfLine1And2AndHalf3); // → { ok: true, text: 'line 1\nline 2\n' }
 * decoder.end(); // → { ok: true, text: 'line 3' }, or why the file is not read
 */
export class TextPartsDecoder {
  private used: TextEncodingName | undefined;
  /** The bytes after the last line end, in the parts they came in: joined once, when a line end comes, not on every write. */
  private pending: Uint8Array[] = [];
  /** The line the pending bytes start on. */
  private line = 1;
  private utf8Throughout = true;
  private firstNonAsciiLine: number | undefined;
  private failure: Exclude<DecodedText, { ok: true }> | undefined;

  constructor(private readonly asked: TextEncodingName = 'utf-8') {}

  write(bytes: Uint8Array): DecodedText {
    if (this.failure) return this.failure;
    const lastEnd = Math.max(bytes.lastIndexOf(0x0a), bytes.lastIndexOf(0x0d));
    if (lastEnd === -1) {
      this.pending.push(new Uint8Array(bytes));
      return { ok: true, text: '' };
    }
    const complete = concatBytes([...this.pending, bytes.subarray(0, lastEnd + 1)]);
    this.pending = [new Uint8Array(bytes.subarray(lastEnd + 1))];
    return this.decodeLines(complete);
  }

  end(): DecodedText {
    if (this.failure) return this.failure;
    const last = this.decodeLines(concatBytes(this.pending));
    this.pending = [];
    if (!last.ok) return last;
    if (this.used === 'windows-1252' && this.utf8Throughout && this.firstNonAsciiLine !== undefined) return (this.failure = { ok: false, reason: 'is-utf-8', line: this.firstNonAsciiLine });
    return last;
  }

  private decodeLines(bytes: Uint8Array): DecodedText {
    const first = this.used === undefined;
    // The byte-order mark is looked for at the start of the file only (a part ending in LF or CR holds all of one or none).
    this.used ??= bytes.length >= utf8Bom.length && utf8Bom.every((byte, index) => bytes[index] === byte) ? 'utf-8' : this.asked;
    let text: string;
    try {
      text = new TextDecoder(this.used, { fatal: true, ignoreBOM: !first }).decode(bytes);
    } catch {
      return (this.failure = { ok: false, reason: 'undecodable', encoding: this.used, line: this.line - 1 + firstUndecodableLine(bytes, this.used) });
    }
    if (this.used === 'windows-1252' && this.utf8Throughout) {
      this.utf8Throughout = isUtf8(bytes);
      const nonAscii = bytes.findIndex((byte) => byte >= 0x80);
      if (nonAscii !== -1) this.firstNonAsciiLine ??= this.line - 1 + lineAt(bytes, nonAscii);
    }
    this.line += bytes.filter((byte) => byte === 0x0a).length;
    return { ok: true, text };
  }
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
