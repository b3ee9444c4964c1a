import type { TouchAttribution } from './attribution';
import { normaliseName } from './contact-normalisation';
import { blankCsvColumns, csvLayoutIssue, fitsCsvHeader, isBlankCsvRecord, parseCsvRecords } from './csv-records';
import type { FieldIssue } from './form-submission';
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
}

export interface LeadImportFile {
  /** Data rows in the file, blank lines not counted: the rows below plus those with errors. */
  rowsRead: number;
  rows: ImportRow[];
  errors: ImportRowError[];
}

/** The longest value each column may hold; longer ones make the row an error rather than being cut. */
export const importValueLimits: { contact: Record<LeadContactFieldName, number>; answer: number; attribution: number } = {
  contact: { name: 200, email: 254, phone: 40, company: 200, title: 200, country: 100, region: 100, message: 5000 },
  answer: 2000,
  attribution: 2048,
};

/**
 * Reads a lead import file: the first row names the columns (see `mapImportColumns`), each further row
 * is a lead. Blank lines (and lines of commas only) are skipped. A row whose number of values differs
 * from the header's (extra empty values at its end aside) or that holds an over-long value is reported
 * in `errors` and left out; rows without a usable email or phone are kept (the intake stores them as
 * `invalid`). A file without a usable header or without data rows, or not laid out as comma-separated
 * lines (`csvLayoutIssue`), is refused whole, with `issues` saying why.
 */
export function readLeadImportFile(text: string): { ok: true; file: LeadImportFile } | { ok: false; issues: FieldIssue[] } {
  const { records, problems } = parseCsvRecords(text);
  const [headerRecord, ...dataRecords] = records;
  const layout = csvLayoutIssue(text, headerRecord?.values);
  if (layout) return { ok: false, issues: [layout] };
  if (!headerRecord || isBlankCsvRecord(headerRecord.values)) {
    return { ok: false, issues: [{ path: '(header)', message: 'the first row must name the columns, such as "name,email,phone,company"' }] };
  }
  const header = headerRecord.values;
  const dataRows = dataRecords.filter((record) => !isBlankCsvRecord(record.values));
  const { columns, issues } = mapImportColumns(header, blankCsvColumns(header, dataRows));
  if (issues.length) return { ok: false, issues };
  if (dataRows.length + problems.length === 0) return { ok: false, issues: [{ path: '(rows)', message: 'the file has a header row but no data rows' }] };

  const rows: ImportRow[] = [];
  const errors: ImportRowError[] = problems.map((problem) => ({ row: problem.line, column: '(row)', message: problem.message }));
  for (const record of dataRows) {
    const read = readRow(record.line, record.values, columns);
    if ('errors' in read) errors.push(...read.errors);
    else rows.push(read);
  }
  errors.sort((a, b) => a.row - b.row);
  return { ok: true, file: { rowsRead: dataRows.length + problems.length, rows, errors } };
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

function readRow(row: number, values: readonly string[], columns: readonly ImportColumn[]): ImportRow | { errors: ImportRowError[] } {
  if (!fitsCsvHeader(values, columns.length)) {
    return { errors: [{ row, column: '(row)', message: `has ${values.length} values; the header has ${columns.length} columns (is a comma inside a value missing its quotes?)` }] };
  }
  const errors: ImportRowError[] = [];
  const contact: SubmittedContact = {};
  const answers: Record<string, string> = {};
  const touch: TouchAttribution = {};
  let firstName = '';
  let lastName = '';
  for (const column of columns) {
    const value = values[column.index].trim();
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
    else if (target.kind === 'attribution') touch[target.key] = value;
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
  return { row, contact, answers, touch };
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
    default:
      return importValueLimits.answer;
  }
}
