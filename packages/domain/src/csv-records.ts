import { parse, type CsvError, type InfoRecord } from 'csv-parse/sync';

/** One record of a CSV file: its values as written, and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number;
  values: string[];
}

/** A part of the file that could not be read as records, such as a quoted value that is never closed. */
export interface CsvProblem {
  line: number;
  message: string;
}

/**
 * How every CSV file is read (csv-parse's options), for `parseCsvRecords` and for a reader of a file in
 * parts, which must read it alike: the text given with CRLF turned into LF.
 */
export const csvReadingOptions = { bom: true, record_delimiter: '\n', relax_column_count: true, relax_quotes: true, skip_empty_lines: false, skip_records_with_error: true } as const;

/**
 * Splits CSV text into records by RFC 4180 (quoted values, `""` inside quotes, values spanning lines)
 * with the leniency real exports need: a byte-order mark, CRLF and LF mixed in one file, records of
 * any length (the caller checks them against the header), and a stray quote inside an unquoted value
 * kept as a character. Blank lines come back as records of one empty value, so line numbers stay true.
 * The parsing is csv-parse's (the `csv` project): maintained, widely used, no dependencies.
 *
 * @example
 * parseCsvRecords('name,email\r\n"Lovelace, Ada",ada@example.com\n')
 * // → { records: [{ line: 1, values: ['name', 'email'] }, { line: 2, values: ['Lovelace, Ada', 'ada@example.com'] }], problems: [] }
 */
export function parseCsvRecords(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const lines: number[] = [];
  let nextLine = 1;
  // CRLF and LF may be mixed in one hand-edited file; as one, line numbers stay exact (and values get plain LF).
  const parsed = parse(text.replace(/\r\n/g, '\n'), {
    ...csvReadingOptions,
    on_skip: (error) => {
      problems.push({ line: nextLine, message: describeCsvError(error, nextLine) });
      return undefined;
    },
    // `context.lines` is the line a record ends on; the next one starts on the line after.
    on_record: (values: string[], context: InfoRecord) => {
      lines.push(nextLine);
      nextLine = context.lines + 1;
      return values;
    },
  });
  return { records: parsed.map((values, index) => ({ line: lines[index], values })), problems };
}

/** A record with no value but spaces, such as a blank line or the `,,,,` Excel leaves where rows were cleared: not a row. */
export function isBlankCsvRecord(values: readonly string[]): boolean {
  return values.every((value) => value.trim() === '');
}

/**
 * Whether a record's values line up with a header of `columnCount` columns: as many values, or more
 * when the extra ones are empty (the trailing commas spreadsheets leave after a cleared column).
 */
export function fitsCsvHeader(values: readonly string[], columnCount: number): boolean {
  return values.length >= columnCount && values.slice(columnCount).every((value) => value.trim() === '');
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
