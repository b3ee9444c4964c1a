import type { TouchAttribution } from './attribution';
import { normaliseName } from './contact-normalisation';
import { csvLayoutIssueOf, fitsCsvHeader, isBlankCsvRecord, parseCsvRecords, type CsvProblem, type CsvRecord } from './csv-records';
import type { FieldIssue } from './form-submission';
import { identifierIssue } from './human-text';
import type { LeadContactFieldName, SubmittedContact } from './lead';
import { mapImportColumns, type ImportColumn } from './lead-import-columns';

/** A row that was not imported, and why. `row` is the line of the file the row starts on (the header is 1). */
export interface ImportRowError {
  row: number;
  /** The column's header as written, or `(row)` for a problem of the whole row. */
  column: string;
  message: string;
}

/** One data row, its values sorted into lead fields (trimmed; empty values left out). */
export interface ImportRow {
  row: number;
  contact: SubmittedContact;
  answers: Record<string, string>;
  touch: TouchAttribution;
  /** The row's id in the system the file came from (an `external_id` column, also kept in `answers` as `external_id`): its identity across imports, when given. */
  externalId?: string;
}

export interface LeadImportFile {
  /** Data rows in the file, blank lines not counted: the rows below plus those with errors. */
  rowsRead: number;
  rows: ImportRow[];
  errors: ImportRowError[];
}

/** The longest value each column may hold; longer ones make the row an error rather than being cut. */
export const importValueLimits: { contact: Record<LeadContactFieldName, number>; answer: number; attribution: number; externalId: number } = {
  contact: { name: 200, email: 254, phone: 40, company: 200, title: 200, country: 100, region: 100, message: 5000 },
  answer: 2000,
  attribution: 2048,
  externalId: 200,
};

/**
 * Reads a lead import file: the first row names the columns (see `mapImportColumns`), each further row
 * is a lead. Blank lines (and lines of commas only) are skipped. A row whose number of values differs
 * from the header's (extra empty values at its end aside), that holds an over-long value, or that names an
 * earlier row's external id is reported in `errors` and left out; rows without a usable email or phone are
 * kept (the intake stores them as `invalid`). A file without a usable header or without data rows, or not laid out as comma-separated
 * lines (`csvLayoutIssue`), is refused whole, with `issues` saying why.
 */
export function readLeadImportFile(text: string): { ok: true; file: LeadImportFile } | { ok: false; issues: FieldIssue[] } {
  const { records, problems } = parseCsvRecords(text);
  const reading = new LeadImportFileReading();
  const rows: ImportRow[] = [];
  const errors = problems.map((problem) => reading.problem(problem));
  for (const record of records) {
    const read = reading.record(record);
    if (read && 'errors' in read) errors.push(...read.errors);
    else if (read) rows.push(read);
  }
  const verdict = reading.verdict({ cr: text.includes('\r'), lf: text.includes('\n') });
  if (!verdict.ok) return verdict;
  errors.sort((a, b) => a.row - b.row);
  return { ok: true, file: { rowsRead: verdict.rowsRead, rows, errors } };
}

/**
 * A lead import file read record by record, in file order, for a file too big to hold whole: each record
 * is answered as `readLeadImportFile` would read it (the header and blank lines give nothing, a row its
 * `ImportRow` or its errors), and `verdict`, after the last record, says whether the file may be imported
 * at all. Rows read before the verdict must not be acted on: the verdict needs the whole file (a column
 * unnamed in the header may be left only where no row has a value).
 */
export class LeadImportFileReading {
  private header: CsvRecord | undefined;
  private columns: ImportColumn[] = [];
  /** Positions of the header that some data row has a value in. */
  private readonly valued = new Set<number>();
  private dataRows = 0;
  private problems = 0;
  /** The line of the first row naming each external id. */
  private readonly externalIdLines = new Map<string, number>();

  record(record: CsvRecord): ImportRow | { errors: ImportRowError[] } | undefined {
    if (!this.header) {
      this.header = record;
      // Where values go does not depend on which columns are blank, only whether the header is accepted does (in `verdict`).
      this.columns = mapImportColumns(record.values, new Set(record.values.keys())).columns;
      return undefined;
    }
    if (isBlankCsvRecord(record.values)) return undefined;
    this.dataRows += 1;
    this.header.values.forEach((_, index) => {
      if (record.values[index]?.trim()) this.valued.add(index);
    });
    const read = readRow(record.line, record.values, this.header.values, this.columns);
    const duplicate = this.duplicateExternalId(record);
    return duplicate ? { errors: [...('errors' in read ? read.errors : []), duplicate] } : read;
  }

  /**
   * A later row naming an external id an earlier row of the file named: it would be stored as a replay of that
   * row and its values lost, so it is a row error. The first row keeps the id even when it has errors of its own,
   * so that the same row is the id's one however those errors are corrected.
   */
  private duplicateExternalId(record: CsvRecord): ImportRowError | undefined {
    const column = this.columns.find((candidate) => candidate.target.kind === 'external_id');
    const id = column && record.values[column.index]?.trim();
    if (!column || !id) return undefined;
    const first = this.externalIdLines.get(id);
    if (first === undefined) {
      this.externalIdLines.set(id, record.line);
      return undefined;
    }
    return { row: record.line, column: column.header, message: `is the same as on line ${first}: one external id is one lead, so this row is not imported (merge the two rows, or give this one an id of its own)` };
  }

  /** A part of the file the CSV reader could not read: the row error it is reported as. */
  problem(problem: CsvProblem): ImportRowError {
    this.problems += 1;
    return { row: problem.line, column: '(row)', message: problem.message };
  }

  /** Once every record was read: the data rows read (blank lines not counted), or why the file is refused whole. `lineEnds`: whether the text held any CR and any LF. */
  verdict(lineEnds: { cr: boolean; lf: boolean }): { ok: true; rowsRead: number } | { ok: false; issues: FieldIssue[] } {
    const layout = csvLayoutIssueOf(lineEnds, this.header?.values);
    if (layout) return { ok: false, issues: [layout] };
    if (!this.header || isBlankCsvRecord(this.header.values)) {
      return { ok: false, issues: [{ path: '(header)', message: 'the first row must name the columns, such as "name,email,phone,company"' }] };
    }
    const blank = new Set([...this.header.values.keys()].filter((index) => !this.valued.has(index)));
    const { issues } = mapImportColumns(this.header.values, blank);
    if (issues.length) return { ok: false, issues };
    if (this.dataRows + this.problems === 0) return { ok: false, issues: [{ path: '(rows)', message: 'the file has a header row but no data rows' }] };
    return { ok: true, rowsRead: this.dataRows + this.problems };
  }
}

/**
 * The rows of a lead import file in parts of at most `chunkRows` rows read (valid or not), in file order, each
 * with the errors of the lines it spans, for an import that holds one part at a time: a file of mostly bad rows
 * is held a part at a time too. `records` are the file's CSV records and problems in file order. Before acting on
 * the parts, the file must have been found importable: `reading`, once every part was taken, gives its `verdict`.
 */
export async function* leadImportChunks(records: AsyncIterable<{ record: CsvRecord } | { problem: CsvProblem }>, chunkRows: number, reading = new LeadImportFileReading()): AsyncGenerator<LeadImportFile> {
  let chunk: LeadImportFile = { rowsRead: 0, rows: [], errors: [] };
  for await (const item of records) {
    if ('problem' in item) {
      chunk.errors.push(reading.problem(item.problem));
      chunk.rowsRead += 1;
    } else {
      const read = reading.record(item.record);
      if (!read) continue;
      chunk.rowsRead += 1;
      if ('errors' in read) chunk.errors.push(...read.errors);
      else chunk.rows.push(read);
    }
    if (chunk.rowsRead >= chunkRows) {
      yield sortedErrors(chunk);
      chunk = { rowsRead: 0, rows: [], errors: [] };
    }
  }
  if (chunk.rowsRead > 0) yield sortedErrors(chunk);
}

function sortedErrors(chunk: LeadImportFile): LeadImportFile {
  chunk.errors.sort((a, b) => a.row - b.row);
  return chunk;
}

/**
 * A `fromLine` past the file's last row names no part of it: the `nextLine` an import answers is always a row
 * of the file, so such a line is a mistake (another file, a typo), refused rather than answered with no rows.
 */
export function fromLineIssues(file: LeadImportFile, fromLine: number): FieldIssue[] {
  // A loop, not Math.max(...rows): a file of 100,000s of rows would overflow the call's arguments.
  let lastRow = 1;
  for (const { row } of [...file.rows, ...file.errors]) if (row > lastRow) lastRow = row;
  return fromLine > lastRow ? [{ path: 'fromLine', message: `is past the file's last row (line ${lastRow})` }] : [];
}

/**
 * The part of a file on lines `from` to `before` (not included), for an import done in several calls:
 * its rows and errors, and as `rowsRead` its rows and the lines its errors are on.
 */
export function importFileLines(file: LeadImportFile, from: number, before = Infinity): LeadImportFile {
  const within = (line: number) => line >= from && line < before;
  const rows = file.rows.filter((row) => within(row.row));
  const errors = file.errors.filter((error) => within(error.row));
  return { rowsRead: rows.length + new Set(errors.map((error) => error.row)).size, rows, errors };
}

function readRow(row: number, values: readonly string[], header: readonly string[], columns: readonly ImportColumn[]): ImportRow | { errors: ImportRowError[] } {
  if (!fitsCsvHeader(values, header)) {
    return { errors: [{ row, column: '(row)', message: `has ${values.length} values; the header has ${columns.length} columns (is a comma inside a value missing its quotes?)` }] };
  }
  const errors: ImportRowError[] = [];
  const contact: SubmittedContact = {};
  const answers: Record<string, string> = {};
  const touch: TouchAttribution = {};
  let firstName = '';
  let lastName = '';
  let externalId: string | undefined;
  for (const column of columns) {
    // A row may stop short of trailing unnamed columns (`fitsCsvHeader`).
    const value = (values[column.index] ?? '').trim();
    if (!value) continue;
    const limit = lengthLimit(column);
    if (value.length > limit) {
      errors.push({ row, column: column.header, message: `is ${value.length} characters long; at most ${limit} are accepted` });
      continue;
    }
    const target = column.target;
    if (target.kind === 'contact') contact[target.field] = value;
    else if (target.kind === 'first_name') firstName = value;
    else if (target.kind === 'last_name') lastName = value;
    else if (target.kind === 'external_id') {
      // Checked as every other id: two ids differing only by an invisible character would be two identities.
      const issue = identifierIssue(value);
      if (issue) errors.push({ row, column: column.header, message: issue });
      externalId = value;
      // Kept as an answer too, so a person can still read the row's id in the system it came from.
      answers.external_id = value;
    } else if (target.kind === 'attribution') touch[target.key] = value;
    else if (target.kind === 'answer') answers[target.key] = value;
  }
  if (errors.length) return { errors };
  // A separate name column wins; first and last name are then kept as answers rather than lost.
  if (contact.name) {
    if (firstName) answers.first_name = firstName;
    if (lastName) answers.last_name = lastName;
  } else if (firstName || lastName) {
    contact.name = normaliseName(`${firstName} ${lastName}`);
  }
  return { row, contact, answers, touch, ...(externalId === undefined ? {} : { externalId }) };
}

function lengthLimit(column: ImportColumn): number {
  switch (column.target.kind) {
    case 'contact':
      return importValueLimits.contact[column.target.field];
    case 'attribution':
      return importValueLimits.attribution;
    case 'first_name':
    case 'last_name':
      return importValueLimits.contact.name;
    case 'external_id':
      return importValueLimits.externalId;
    default:
      return importValueLimits.answer;
  }
}
