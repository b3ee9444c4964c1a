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

/** What reading CSV text gives, in file order: a record, or a part that could not be read as one. */
export type CsvReading = { record: CsvRecord } | { problem: CsvProblem };

const quote = 0x22;
const comma = 0x2c;
const lf = 0x0a;
const cr = 0x0d;

/**
 * Reads CSV text into records by RFC 4180 (quoted values, `""` inside quotes, values spanning lines) with the
 * leniency real exports need: a byte-order mark, records of any length (the caller checks them against the
 * header), and a stray quote inside an unquoted value kept as a character. Blank lines come back as records of
 * one empty value, so line numbers stay true. Lines end with LF: the caller turns CRLF into LF first, and a CR
 * alone is part of a value (it still counts as a line end in line numbers, as spreadsheets show it).
 *
 * A quoted value whose closing quote has other text after it (`"spring"sale`) is kept as written, quotes and
 * all; when that makes the record span lines (`"met at booth 4` on one line, `…,"wants a demo"` on a later
 * one), the lines between would be swallowed into one value unseen, so the record is a problem naming them.
 * With `strictClosingQuotes`, such a record is a problem even on one line, for files whose values must be
 * exactly what was meant. A quote opened and never closed is a problem from its line to the end.
 *
 * It reads text as csv-parse did with `relax_quotes` and `relax_column_count`, which still built an error with a
 * stack trace for every record whose length differed from the first's: a 1 MB file of short ragged rows took 20 s.
 * Text may be given in parts (`read`, then `end`), read as the whole text would be.
 */
export class CsvReader {
  private lines = 1;
  private afterLineEnd = false;
  private nextLine = 1;
  private started = false;
  /** The quotes at the end of a part, read with the next part, which says whether they close their value. */
  private held = '';
  private quoting = false;
  private wasQuoting = false;
  private escaping = false;
  private field = '';
  private values: string[] = [];
  /** The first place the record is read leniently: a closing quote with text after it, or a quote inside an unquoted value. */
  private lenient: { closingQuote: boolean; column: number } | undefined;

  constructor(private readonly options: { strictClosingQuotes?: boolean } = {}) {}

  /** Reads the next part of the text: the records and problems it completes. */
  read(part: string): CsvReading[] {
    const readings: CsvReading[] = [];
    let text = this.held + part;
    if (!this.started && text) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    let kept = text.length;
    while (kept > 0 && text.charCodeAt(kept - 1) === quote) kept -= 1;
    this.held = text.slice(kept);
    this.scan(text.slice(0, kept), readings);
    return readings;
  }

  /** Reads the end of the text: the last record, or the problem of a quote never closed. */
  end(): CsvReading[] {
    const readings: CsvReading[] = [];
    const text = this.held;
    this.held = '';
    this.scan(text, readings);
    if (this.quoting) {
      readings.push({ problem: { line: this.nextLine, message: `a quote opened in this row is never closed, so the file from line ${this.nextLine} on could not be read` } });
    } else if (this.wasQuoting || this.values.length || this.field) {
      this.values.push(this.field);
      this.record(readings);
    }
    return readings;
  }

  private scan(text: string, readings: CsvReading[]): void {
    // The start of the value's text not yet added to `field`: values are cut from the text, not built a character at a time.
    let from = 0;
    for (let at = 0; at < text.length; at++) {
      const char = text.charCodeAt(at);
      // A line ends at a CR or LF that some character follows, so a final line end starts no line.
      if (this.afterLineEnd) {
        this.lines += 1;
        this.afterLineEnd = false;
      }
      if (char === lf || char === cr) this.afterLineEnd = true;
      if (this.escaping) {
        this.escaping = false;
        continue;
      }
      if (char === quote) {
        if (this.quoting) {
          const next = at + 1 < text.length ? text.charCodeAt(at + 1) : undefined;
          this.field += text.slice(from, at);
          from = at + 1;
          if (next === quote) {
            this.escaping = true;
            continue;
          }
          this.quoting = false;
          this.wasQuoting = true;
          if (next === undefined || next === comma || next === lf) continue;
          // Text after the closing quote: the value is kept as written, its quotes with it.
          this.lenient ??= { closingQuote: true, column: this.values.length };
          this.field = `"${this.field}`;
          from = at;
        } else if (this.field || at > from) {
          this.lenient ??= { closingQuote: false, column: this.values.length };
        } else {
          this.quoting = true;
          from = at + 1;
          continue;
        }
      }
      if (this.quoting || (char !== comma && char !== lf)) continue;
      this.values.push(this.field + text.slice(from, at));
      this.field = '';
      this.wasQuoting = false;
      from = at + 1;
      if (char === lf) this.record(readings);
    }
    this.field += text.slice(from);
  }

  private record(readings: CsvReading[]): void {
    const line = this.nextLine;
    const lastLine = this.lines;
    const values = this.values;
    const column = this.lenient?.closingQuote ? this.lenient.column : undefined;
    this.nextLine = lastLine + 1;
    this.values = [];
    this.lenient = undefined;
    if (column !== undefined && lastLine !== line) {
      readings.push({
        problem: {
          line,
          message: `a quoted value that opens in this row has a closing quote with other text after it (a quote inside a quoted value is written twice: ""), so lines ${line}–${lastLine} would read as one row: none of them was read`,
        },
      });
    } else if (column !== undefined && this.options.strictClosingQuotes) {
      readings.push({ problem: { line, column, message: `value ${column + 1} has text after its closing quote (a quote inside a quoted value is written twice: "")` } });
    } else {
      readings.push({ record: { line, values } });
    }
  }
}

/**
 * Reads CSV text whole as `CsvReader` reads it, CRLF and LF mixed in one hand-edited file read as one (line
 * numbers stay exact, and values get plain LF).
 *
 * @example
 * parseCsvRecords('name,email\r\n"Lovelace, Ada",ada@example.com\n')
 * // → { records: [{ line: 1, values: ['name', 'email'] }, { line: 2, values: ['Lovelace, Ada', 'ada@example.com'] }], problems: [] }
 */
export function parseCsvRecords(text: string, options: { strictClosingQuotes?: boolean } = {}): { records: CsvRecord[]; problems: CsvProblem[] } {
  const reader = new CsvReader(options);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  for (const reading of [...reader.read(text.replace(/\r\n/g, '\n')), ...reader.end()]) {
    if ('record' in reading) records.push(reading.record);
    else problems.push(reading.problem);
  }
  return { records, problems };
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
