import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse, type InfoRecord, type Options } from 'csv-parse';
import { csvReadingOptions, describeCsvError, TextPartsDecoder, type CsvProblem, type CsvRecord, type DecodedText, type TextEncodingName } from '@leadflow/domain';

/** The file is not text in its encoding (or is UTF-8 given as windows-1252): `failure` says where. */
export class UndecodableFileError extends Error {
  constructor(readonly failure: Exclude<DecodedText, { ok: true }>) {
    super(`the file is not ${failure.reason === 'is-utf-8' ? 'windows-1252' : failure.encoding} text (line ${failure.line})`);
  }
}

/** Bytes read from the file at a time: the text and records in flight stay this small whatever the file's size. */
const readBytes = 64 * 1024;

/**
 * The text of a file in `encoding`, read in parts of whole lines (see `TextPartsDecoder`), CRLF turned into
 * LF as `parseCsvRecords` reads it; `lineEnds` learns whether any CR and any LF was read. Throws
 * `UndecodableFileError`, for a file given as windows-1252 that is UTF-8 only once all of it was read.
 */
export async function* fileText(path: string, encoding: TextEncodingName, lineEnds: { cr: boolean; lf: boolean } = { cr: false, lf: false }): AsyncGenerator<string> {
  const decoder = new TextPartsDecoder(encoding);
  const part = (decoded: DecodedText): string => {
    if (!decoded.ok) throw new UndecodableFileError(decoded);
    lineEnds.cr ||= decoded.text.includes('\r');
    lineEnds.lf ||= decoded.text.includes('\n');
    // Each part ends after a LF (the last one aside), so no CRLF is split between two.
    return decoded.text.replace(/\r\n/g, '\n');
  };
  for await (const bytes of createReadStream(path, { highWaterMark: readBytes })) {
    const text = part(decoder.write(bytes as Buffer));
    if (text) yield text;
  }
  const text = part(decoder.end());
  if (text) yield text;
}

/**
 * The CSV records of `text` and the parts that could not be read as records, in file order, read as
 * `parseCsvRecords` reads a whole text (same csv-parse options, same line numbers), a few at a time.
 */
export async function* csvRecordsOf(text: AsyncIterable<string>): AsyncGenerator<{ record: CsvRecord } | { problem: CsvProblem }> {
  // Problems met before a record are handed out with it, so both come out in file order.
  let problems: CsvProblem[] = [];
  let nextLine = 1;
  const options: Options<{ problems: CsvProblem[]; record: CsvRecord }, string[]> = {
    ...csvReadingOptions,
    on_skip: (error) => {
      problems.push({ line: nextLine, message: describeCsvError(error, nextLine) });
      return undefined;
    },
    // `context.lines` is the line a record ends on; the next one starts on the line after.
    on_record: (values: string[], context: InfoRecord) => {
      const record = { problems, record: { line: nextLine, values } };
      problems = [];
      nextLine = context.lines + 1;
      return record;
    },
  };
  // The non-generic overload: records come out as `on_record` shapes them, which its types do not follow.
  const parser = parse(options as unknown as Options);
  const source = Readable.from(text);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  for await (const item of parser as AsyncIterable<{ problems: CsvProblem[]; record: CsvRecord }>) {
    for (const problem of item.problems) yield { problem };
    yield { record: item.record };
  }
  for (const problem of problems) yield { problem };
}
