import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CsvReader,
  leadImportChunks,
  LeadImportFileReading,
  TextPartsDecoder,
  type CsvReading,
  type DecodedText,
  type FieldIssue,
  type ImportRowError,
  type LeadImportFile,
  type TextEncodingName,
} from '@leadflow/domain';

/** The file is not text in its encoding (or is UTF-8 given as windows-1252): `failure` says where. */
export class UndecodableFileError extends Error {
  constructor(readonly failure: Exclude<DecodedText, { ok: true }>) {
    super(`the file is not ${failure.reason === 'is-utf-8' ? 'windows-1252' : failure.encoding} text (line ${failure.line})`);
  }
}

/** Bytes read from the file at a time: the text and records in flight stay this small whatever the file's size. */
const readBytes = 64 * 1024;

/**
 * The text of a file in `encoding`, read in parts ending at a line end (see `TextPartsDecoder`), CRLF turned into
 * LF as `parseCsvRecords` reads it; `lineEnds` learns whether any CR and any LF was read. Throws
 * `UndecodableFileError`, for a file given as windows-1252 that is UTF-8 only once all of it was read.
 * `copyTo`: a file each byte read is written to, so that what was read can be read again as it was.
 */
export async function* fileText(path: string, encoding: TextEncodingName, lineEnds: { cr: boolean; lf: boolean } = { cr: false, lf: false }, copyTo?: number): AsyncGenerator<string> {
  const decoder = new TextPartsDecoder(encoding);
  // A part may end between the CR and the LF of a CRLF: its CR waits for the next part.
  let heldCr = '';
  const part = (decoded: DecodedText, last = false): string => {
    if (!decoded.ok) throw new UndecodableFileError(decoded);
    lineEnds.cr ||= decoded.text.includes('\r');
    lineEnds.lf ||= decoded.text.includes('\n');
    let text = heldCr + decoded.text;
    heldCr = !last && text.endsWith('\r') ? '\r' : '';
    if (heldCr) text = text.slice(0, -1);
    return text.replace(/\r\n/g, '\n');
  };
  for await (const bytes of createReadStream(path, { highWaterMark: readBytes })) {
    if (copyTo !== undefined) writeSync(copyTo, bytes as Buffer);
    const text = part(decoder.write(bytes as Buffer));
    if (text) yield text;
  }
  const text = part(decoder.end(), true);
  if (text) yield text;
}

/** The file could not be read (no such file, a directory, no permission): `cause` is the file system's error. */
export class UnreadableFileError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/** What reading a lead file through once found: its row errors and the rows to store, or why it is refused whole. */
export type LeadFileCheck = { ok: true; errors: ImportRowError[]; rowsToStore: number } | { ok: false; undecoded: Exclude<DecodedText, { ok: true }> } | { ok: false; issues: FieldIssue[] };

/**
 * Reads the lead file at `path` through once, a part at a time, before anything is stored: as `decodeText` and
 * `readLeadImportFile` would answer it whole, its row errors and the rows to store, or why it is refused; then
 * calls `use` with that answer and `chunks`, its rows `chunkRows` at a time (`leadImportChunks`). The bytes
 * checked are copied as they are read to a file in the system's temporary directory, and `chunks` reads that
 * copy, removed once `use` is done: a file saved anew during the import is not stored unchecked.
 * The copy holds personal data: it is also removed when the process exits early (`process.exit`, as a second Ctrl-C does).
 * Throws `UnreadableFileError` when the file cannot be read, and `stop`'s reason once `stop` is aborted while the file is checked.
 */
export async function withCheckedLeadFile<T>(
  path: string,
  encoding: TextEncodingName,
  use: (checked: LeadFileCheck, chunks: (chunkRows: number) => AsyncGenerator<LeadImportFile>) => Promise<T>,
  stop?: AbortSignal,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-import-'));
  const copy = join(dir, 'checked.csv');
  const removeCopy = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeCopy);
  try {
    const fd = openSync(copy, 'w', 0o600);
    let checked: LeadFileCheck;
    try {
      checked = await checkLeadFile(path, encoding, fd, stop);
    } finally {
      closeSync(fd);
    }
    return await use(checked, (chunkRows) => leadImportChunks(csvRecordsOf(fileText(copy, encoding)), chunkRows));
  } finally {
    process.off('exit', removeCopy);
    removeCopy();
  }
}

async function checkLeadFile(path: string, encoding: TextEncodingName, copyTo: number, stop?: AbortSignal): Promise<LeadFileCheck> {
  const lineEnds = { cr: false, lf: false };
  const reading = new LeadImportFileReading();
  const errors: ImportRowError[] = [];
  let rowsToStore = 0;
  try {
    // In parts, so that only a part's rows are held; every row error is kept, for the report.
    for await (const chunk of leadImportChunks(csvRecordsOf(fileText(path, encoding, lineEnds, copyTo)), checkRows, reading)) {
      stop?.throwIfAborted();
      errors.push(...chunk.errors);
      rowsToStore += chunk.rows.length;
    }
  } catch (error) {
    if (error instanceof UndecodableFileError) return { ok: false, undecoded: error.failure };
    // The file system's errors (no such file, a directory, no permission) name the system call.
    if (error instanceof Error && 'syscall' in error) throw new UnreadableFileError(error);
    throw error;
  }
  const verdict = reading.verdict(lineEnds);
  if (!verdict.ok) return verdict;
  return { ok: true, errors: errors.sort((a, b) => a.row - b.row), rowsToStore };
}

/** Rows read at a time while checking a file. */
const checkRows = 1000;

/** The CSV records of `text` and the parts that could not be read as records, in file order, read as `parseCsvRecords` reads a whole text. */
export async function* csvRecordsOf(text: AsyncIterable<string>): AsyncGenerator<CsvReading> {
  const reader = new CsvReader();
  for await (const part of text) yield* reader.read(part);
  yield* reader.end();
}
