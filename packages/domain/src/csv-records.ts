import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse/sync';

/** One record of a CSV file: its values as written, and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number;
  values: string[];
}

/** A part of the file that could not be read as records, such as a quoted value that is never closed. */
export interface CsvProblem {
  line: number;
  /** The value (0-based) the problem is in, when it is known. */
  column?: number;
  message: string;
}

/**
 * How every CSV file is read (csv-parse's options), for `parseCsvRecords` and for a reader of a file in
 * parts, which must read it alike: the text given with CRLF turned into LF.
 */
export const csvReadingOptions = { bom: true, raw: true, record_delimiter: '\n', relax_column_count: true, relax_quotes: true, skip_empty_lines: false, skip_records_with_error: true } as const;

/**
 * The problem of a record that spans lines because a quoted value's closing quote has other text after it
 * (`"met at booth 4` on one line, `…,"wants a demo"` on a later one): `relax_quotes`, there for a stray
 * quote inside an unquoted value, reads on to the next quote in the file, so the lines between would be
 * swallowed into one value unseen. Read strictly, such a record fails; a value spanning lines with its
 * quotes right (a note with line breaks, `""` inside) does not. Undefined for a record read right.
 */
export function swallowedLinesProblem(raw: string, line: number, lastLine: number): CsvProblem | undefined {
  if (lastLine === line || textAfterClosingQuote(raw) === undefined) return undefined;
  return {
    line,
    message: `a quoted value that opens in this row has a closing quote with other text after it (a quote inside a quoted value is written twice: ""), so lines ${line}–${lastLine} would read as one row: none of them was read`,
  };
}

/**
 * The problem of a record on one line with a quoted value whose closing quote has other text after it
 * (`"spring"sale`), which `relax_quotes` keeps as written, quotes and all; undefined for a record read right.
 */
export function textAfterClosingQuoteProblem(raw: string, line: number): CsvProblem | undefined {
  const column = textAfterClosingQuote(raw);
  return column === undefined ? undefined : { line, column, message: `value ${column + 1} has text after its closing quote (a quote inside a quoted value is written twice: "")` };
}

/** The first value (0-based) of a record's text whose closing quote has other text after it, read strictly; undefined when there is none. */
function textAfterClosingQuote(raw: string): number | undefined {
  if (!raw.includes('"')) return undefined;
  try {
    parse(raw, { ...csvReadingOptions, raw: false, relax_quotes: false, skip_records_with_error: false });
    return undefined;
  } catch (error) {
    return (error as CsvError).code === 'CSV_INVALID_CLOSING_QUOTE' ? Number((error as CsvError).column) : undefined;
  }
}

/**
 * Splits CSV text into records by RFC 4180 (quoted values, `""` inside quotes, values spanning lines)
 * with the leniency real exports need: a byte-order mark, CRLF and LF mixed in one file, records of
 * any length (the caller checks them against the header), and a stray quote inside an unquoted value
 * kept as a character. Blank lines come back as records of one empty value, so line numbers stay true.
 * With `strictClosingQuotes`, a record with text after a quoted value's closing quote is a problem even on
 * one line (where it swallows no other line), for files whose values must be exactly what was meant.
 * The parsing is csv-parse's (the `csv` project): maintained, widely used, no dependencies.
 *
 * @example
 * parseCsvRecords('name,email\r\n"Lovelace, Ada",ada@example.com\n')
 * // → { records: [{ line: 1, values: ['name', 'email'] }, { line: 2, values: ['Lovelace, Ada', 'ada@example.com'] }], problems: [] }
 */
export function parseCsvRecords(text: string, { strictClosingQuotes = false } = {}): { records: CsvRecord[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const lines: number[] = [];
  let nextLine = 1;
  // CRLF and LF may be mixed in one hand-edited file; as one, line numbers stay exact (and values get plain LF).
  // With `raw`, csv-parse hands `on_record` each record with its text, which its types do not follow.
  const options: Options = {
    ...csvReadingOptions,
    on_skip: (error: CsvError | undefined) => {
      problems.push({ line: nextLine, message: describeCsvError(error, nextLine) });
      return undefined;
    },
    // `context.lines` is the line a record ends on; the next one starts on the line after.
    on_record: ({ raw, record: values }: { raw: string; record: string[] }, context: InfoRecord) => {
      const line = nextLine;
      nextLine = context.lines + 1;
      const problem = swallowedLinesProblem(raw, line, context.lines) ?? (strictClosingQuotes ? textAfterClosingQuoteProblem(raw, line) : undefined);
      if (problem) {
        problems.push(problem);
        return undefined;
      }
      lines.push(line);
      return values;
    },
  } as unknown as Options;
  const parsed: string[][] = parse(text.replace(/\r\n/g, '\n'), options);
  return { records: parsed.map((values, index) => ({ line: lines[index], values })), problems };
}

/** A record with no value but spaces, such as a blank line or the `,,,,` Excel leaves where rows were cleared: not a row. */
export function isBlankCsvRecord(values: readonly string[]): boolean {
  return values.every((value) => value.trim() === '');
}

/**
 * Whether a record's values line up with `header`: a value for each column up to the last one named, and
 * nothing in any value past the header's end. Trailing commas spreadsheets leave after a cleared column may
 * so be on the rows, the header or both.
 */
export function fitsCsvHeader(values: readonly string[], header: readonly string[]): boolean {
  const named = header.findLastIndex((name) => name.trim() !== '') + 1;
  return values.length >= named && values.slice(header.length).every((value) => value.trim() === '');
}

/** The positions of the header with no value in any of `records`: where an unnamed column (a trailing comma) holds nothing. */
export function blankCsvColumns(header: readonly string[], records: readonly CsvRecord[]): Set<number> {
  return new Set(header.map((_, index) => index).filter((index) => records.every((record) => !record.values[index]?.trim())));
}

/**
 * Why a file is not comma-separated lines at all, before its header is read as column names: lines
 * ended by CR alone (old Mac exports) read as one line, and a header that is one value holding `;`
 * is a file with semicolons between values (Excel's "CSV" where the decimal separator is a comma).
 * Undefined when neither shows.
 */
export function csvLayoutIssue(text: string, header: readonly string[] | undefined): { path: '(file)' | '(header)'; message: string } | undefined {
  return csvLayoutIssueOf({ cr: text.includes('\r'), lf: text.includes('\n') }, header);
}

/** `csvLayoutIssue` of a file read in parts: `lineEnds` says whether any CR and any LF was in it. */
export function csvLayoutIssueOf(lineEnds: { cr: boolean; lf: boolean }, header: readonly string[] | undefined): { path: '(file)' | '(header)'; message: string } | undefined {
  if (lineEnds.cr && !lineEnds.lf) {
    return { path: '(file)', message: 'the lines of the file end with CR alone (an old Mac format), so it reads as one line: save it as CSV again, with Windows (CRLF) or LF line endings' };
  }
  const named = header?.filter((value) => value.trim() !== '') ?? [];
  if (named.length === 1 && named[0].includes(';')) return { path: '(header)', message: "the file seems to use ';' between values: save it as CSV with commas" };
  return undefined;
}

/** Why a record was skipped, as reported on its line. */
export function describeCsvError(error: CsvError | undefined, line: number): string {
  if (error?.code === 'CSV_QUOTE_NOT_CLOSED') return `a quote opened in this row is never closed, so the file from line ${line} on could not be read`;
  return error ? `could not be read: ${error.message}` : 'could not be read';
}

/**
 * One CSV line (CRLF-terminated, RFC 4180): values quoted when they hold a comma, quote or line break.
 * A value that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
 */
export function formatCsvLine(values: ReadonlyArray<string | number>): string {
  return `${values.map((value) => csvCell(String(value), typeof value === 'number')).join(',')}\r\n`;
}

/** One RFC 4180 cell; text (never a number) that a spreadsheet would run as a formula gets a leading `'`. */
export function csvCell(text: string, isNumber: boolean): string {
  const safe = !isNumber && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
