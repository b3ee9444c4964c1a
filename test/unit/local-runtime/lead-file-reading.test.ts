import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText, parseCsvRecords, TextPartsDecoder, type DecodedText, type TextEncodingName } from '@leadflow/domain';
import { csvRecordsOf, fileText, UndecodableFileError, UnreadableFileError, withCheckedLeadFile } from '../../../packages/local-runtime/src/lead-file-reading';

/** `bytes` through a `TextPartsDecoder`, cut after `cut` bytes: its text, or its first refusal. */
function inTwoParts(bytes: Uint8Array, encoding: TextEncodingName, cut: number): DecodedText {
  const decoder = new TextPartsDecoder(encoding);
  const parts = [decoder.write(bytes.subarray(0, cut)), decoder.write(bytes.subarray(cut)), decoder.end()];
  const refused = parts.find((part) => !part.ok);
  return refused ?? { ok: true, text: parts.map((part) => (part.ok ? part.text : '')).join('') };
}

const samples: Array<[string, Uint8Array, TextEncodingName]> = [
  ['GBK', Buffer.concat([Buffer.from('name,email\n'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(',zhang@example.com\r\nBo,bo@example.com\n')]), 'gb18030'],
  ['not GBK on line 3', Buffer.concat([Buffer.from('name,email\nAda,a@example.com\n'), Buffer.from([0xff, 0x0a]), Buffer.from('x\n')]), 'gb18030'],
  ['Latin-1 as UTF-8', Buffer.from('name,email\nJosé,jose@example.com\n', 'latin1'), 'utf-8'],
  ['Latin-1 as windows-1252', Buffer.from('name,email\nJosé,jose@example.com\n', 'latin1'), 'windows-1252'],
  ['UTF-8 as windows-1252, its accent on line 3', Buffer.from('name,email\nAda,a@example.com\nJosé,jose@example.com'), 'windows-1252'],
  ['a byte-order mark as windows-1252', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email\nb@example.com\n')]), 'windows-1252'],
];

describe('TextPartsDecoder: decodeText for a file read in parts', () => {
  it('answers as decodeText does for the whole, wherever the bytes are cut', () => {
    for (const [, bytes, encoding] of samples) {
      for (let cut = 0; cut <= bytes.length; cut += 1) expect(inTwoParts(bytes, encoding, cut)).toEqual(decodeText(bytes, encoding));
    }
  });
});

describe('TextPartsDecoder: a file of CR-only line ends', () => {
  it('gives text before the end rather than holding the whole file, the same text as decodeText', () => {
    const bytes = Buffer.from('name,email\r' + 'Ada,ada@example.com\r'.repeat(100_000));
    const decoder = new TextPartsDecoder('utf-8');
    const parts: DecodedText[] = [];
    for (let at = 0; at < bytes.length; at += 64 * 1024) parts.push(decoder.write(bytes.subarray(at, at + 64 * 1024)));
    const beforeEnd = parts.map((part) => (part.ok ? part.text : '')).join('');
    // All but the bytes after the last CR of the last part were given before `end`.
    expect(beforeEnd.length).toBe(bytes.length);
    parts.push(decoder.end());
    expect({ ok: true, text: parts.map((part) => (part.ok ? part.text : '')).join('') }).toEqual(decodeText(bytes, 'utf-8'));
  });
});

describe('fileText and csvRecordsOf: a CSV file read a part at a time, as parseCsvRecords reads it whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-file-reading-'));

  it('gives the same records and problems, with the same lines, for a file bigger than a part', async () => {
    // Over 64 KB, so read in several parts, with CRLF and LF mixed, quoted values over lines, a stray quote and an unclosed quote at the end.
    const lines = ['name,email,notes'];
    for (let index = 0; index < 6000; index += 1) lines.push(index % 7 === 0 ? `"P, ${index}",p${index}@example.com,"two\r\nlines"` : `P${index},p${index}@example.com,say "hi"`);
    // Every fifth line ended by CRLF, the others by LF.
    const text = `${lines.map((line, index) => `${line}${index % 5 === 0 ? '\r\n' : '\n'}`).join('')}"unclosed,x@example.com,\n`;
    expect(text.length).toBeGreaterThan(2 * 64 * 1024);
    const path = join(dir, 'big.csv');
    writeFileSync(path, text);
    const lineEnds = { cr: false, lf: false };
    const read: Array<{ line: number; values?: string[]; message?: string }> = [];
    for await (const item of csvRecordsOf(fileText(path, 'utf-8', lineEnds))) read.push('record' in item ? item.record : item.problem);
    const whole = parseCsvRecords(text);
    expect(read).toEqual([...whole.records, ...whole.problems]);
    expect(whole.records).toHaveLength(6001);
    expect(whole.problems).toEqual([{ line: 6001 + Math.ceil(6000 / 7) + 1, message: expect.stringMatching(/never closed/) }]);
    expect(lineEnds).toEqual({ cr: true, lf: true });
  });

  it('reports a quoted value whose closing quote has text after it in file order, as parseCsvRecords does', async () => {
    const text = 'name,email,notes\nAda,ada@example.com,"met at booth 4\nBob,bob@example.com,"wants a demo"\nCy,cy@example.com,hi\n';
    const path = join(dir, 'swallowing.csv');
    writeFileSync(path, text);
    const read: Array<{ line: number; values?: string[]; message?: string }> = [];
    for await (const item of csvRecordsOf(fileText(path, 'utf-8'))) read.push('record' in item ? item.record : item.problem);
    const whole = parseCsvRecords(text);
    expect(read).toEqual([whole.records[0], ...whole.problems, whole.records[1]]);
    expect(read.map((item) => item.line)).toEqual([1, 2, 4]);
  });

  it('turns a CRLF into LF when a part of the file ends between its CR and its LF', async () => {
    // The 64 KB read ends on a CR, the LF after it starts the next read.
    const head = 'email\n' + 'x'.repeat(64 * 1024 - 'email\n'.length - 1);
    const text = `${head}\r\nb@example.com\r\n`;
    expect(text.indexOf('\r\n')).toBe(64 * 1024 - 1);
    const path = join(dir, 'crlf-at-the-cut.csv');
    writeFileSync(path, text);
    const parts: string[] = [];
    for await (const part of fileText(path, 'utf-8')) parts.push(part);
    expect(parts.join('')).toBe(text.replace(/\r\n/g, '\n'));
  });

  it('throws where the bytes are not the encoding, naming the line', async () => {
    const path = join(dir, 'latin1.csv');
    writeFileSync(path, Buffer.from('name,email\nJosé,jose@example.com\n', 'latin1'));
    const reading = (async () => {
      for await (const item of csvRecordsOf(fileText(path, 'utf-8'))) void item;
    })();
    await expect(reading).rejects.toEqual(new UndecodableFileError({ ok: false, reason: 'undecodable', encoding: 'utf-8', line: 2 }));
  });
});

describe('withCheckedLeadFile: the file checked is the file imported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-checked-file-'));
  const leadflowTemporaries = () => readdirSync(tmpdir()).filter((name) => name.startsWith('leadflow-import-'));

  it('imports the bytes it checked, even when the file is saved anew between the check and the import, and removes its copy', async () => {
    const path = join(dir, 'leads.csv');
    writeFileSync(path, 'email\na@example.com\nb@example.com\n');
    const before = leadflowTemporaries();
    const imported = await withCheckedLeadFile(path, 'utf-8', async (checked, chunks) => {
      expect(checked).toEqual({ ok: true, errors: [], rowsToStore: 2 });
      // Saved anew after the check: a row with a value too many, which the check would have reported, and another person.
      writeFileSync(path, 'email\nz@example.com,x\nmallory@example.com\n');
      const rows: string[] = [];
      for await (const chunk of chunks(1)) {
        expect(chunk.errors).toEqual([]);
        rows.push(...chunk.rows.map((row) => row.contact.email ?? ''));
      }
      return rows;
    });
    expect(imported).toEqual(['a@example.com', 'b@example.com']);
    expect(leadflowTemporaries()).toEqual(before);
  });

  it('answers a file that cannot be read with UnreadableFileError, leaving no copy behind', async () => {
    const before = leadflowTemporaries();
    await expect(withCheckedLeadFile(join(dir, 'missing.csv'), 'utf-8', async () => 0)).rejects.toBeInstanceOf(UnreadableFileError);
    expect(leadflowTemporaries()).toEqual(before);
  });
});
