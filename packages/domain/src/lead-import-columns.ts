import { touchKeys, type TouchKey } from './attribution';
import type { FieldIssue } from './form-submission';
import type { LeadContactFieldName } from './lead';

/** Where the values of one column of an import file go. */
export type ImportColumnTarget =
  | { kind: 'contact'; field: LeadContactFieldName }
  | { kind: 'first_name' }
  | { kind: 'last_name' }
  /** The row's id in the system the file came from: the row's identity across imports, in place of its content. */
  | { kind: 'external_id' }
  | { kind: 'attribution'; key: TouchKey }
  | { kind: 'answer'; key: string }
  /** A column without a name and without values (trailing commas); nothing to keep. */
  | { kind: 'ignored' };

export interface ImportColumn {
  /** Position in the header, from 0. */
  index: number;
  /** The header as written in the file, for error reports. */
  header: string;
  target: ImportColumnTarget;
}

/**
 * Header names, compared after lower-casing and turning runs of spaces, `_`, `-`, `.` and `/` into one
 * space, that fill a lead contact field. Everything else is kept in `answers`.
 */
export const importColumnAliases: Readonly<Record<LeadContactFieldName | 'first_name' | 'last_name' | 'external_id', readonly string[]>> = {
  name: ['name', 'full name', 'contact name', 'lead name'],
  first_name: ['first name', 'firstname', 'given name', 'forename'],
  last_name: ['last name', 'lastname', 'surname', 'family name'],
  email: ['email', 'e mail', 'email address', 'e mail address', 'mail', 'work email', 'business email'],
  phone: ['phone', 'phone number', 'mobile', 'mobile phone', 'mobile number', 'cell', 'cell phone', 'tel', 'telephone', 'work phone', 'business phone'],
  company: ['company', 'company name', 'organisation', 'organization', 'account', 'account name'],
  title: ['title', 'job title', 'position', 'role'],
  country: ['country', 'country code'],
  region: ['region', 'state', 'province', 'state province'],
  message: ['message', 'notes', 'note', 'comments', 'comment'],
  // Only a name that says so: a plain "ID" or "Badge ID" is often a row number or a number another event reuses, and taken as identity it would replay other people's rows.
  external_id: ['external id', 'externalid'],
};

const aliasTargets = new Map<string, ImportColumnTarget>(
  Object.entries(importColumnAliases).flatMap(([field, aliases]) =>
    aliases.map((alias): [string, ImportColumnTarget] => [alias, field === 'first_name' || field === 'last_name' || field === 'external_id' ? { kind: field } : { kind: 'contact', field: field as LeadContactFieldName }]),
  ),
);
const touchKeyTargets = new Map<string, ImportColumnTarget>(touchKeys.map((key) => [normaliseHeader(key), { kind: 'attribution', key }]));

/** `" E-Mail_Address "` → `"e mail address"`: the form header names are compared in. */
export function normaliseHeader(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s_./-]+/g, ' ')
    .trim();
}

/** The `answers` key of a column that fills no contact field: `"Booth Notes"` → `"booth_notes"`. */
export function answerKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

/**
 * Maps a header row to column targets, case-insensitively and with common aliases (`E-mail`, `Mobile`,
 * `Job Title`, `First Name` + `Last Name`, …); UTM and ad-platform columns (`utm_source`, `campaign_id`)
 * become attribution. A usable header names its columns once each and has an email or phone column;
 * otherwise the issues say what is wrong. `blankColumns` are the positions with no value in any row:
 * an unnamed column is accepted only there.
 *
 * @example
 * mapImportColumns(['First Name', 'Last Name', 'E-mail', 'Booth'], new Set()).columns.map((column) => column.target)
 * // → [{ kind: 'first_name' }, { kind: 'last_name' }, { kind: 'contact', field: 'email' }, { kind: 'answer', key: 'booth' }]
 */
export function mapImportColumns(header: readonly string[], blankColumns: ReadonlySet<number>): { columns: ImportColumn[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const columns = header.map((raw, index): ImportColumn => {
    const normalised = normaliseHeader(raw);
    if (!normalised) {
      if (!blankColumns.has(index)) issues.push({ path: `column ${index + 1}`, message: 'has values but no name in the header row' });
      return { index, header: `column ${index + 1}`, target: { kind: 'ignored' } };
    }
    const target = aliasTargets.get(normalised) ?? touchKeyTargets.get(normalised) ?? { kind: 'answer', key: answerKey(raw) || `column_${index + 1}` };
    return { index, header: raw.trim(), target };
  });

  const seen = new Map<string, ImportColumn>();
  for (const column of columns) {
    const slot = targetSlot(column.target);
    if (!slot) continue;
    const first = seen.get(slot);
    if (first) issues.push({ path: column.header, message: `holds the same ${describeSlot(column.target)} as column "${first.header}"; keep one of them` });
    else seen.set(slot, column);
  }
  const reachable = columns.some((column) => column.target.kind === 'contact' && (column.target.field === 'email' || column.target.field === 'phone'));
  if (!reachable) {
    issues.push({ path: '(header)', message: 'no column holds an email or a phone, so no lead could be contacted (name one "email", "e-mail", "phone", "mobile" or "tel", in any letter case)' });
  }
  return { columns, issues };
}

function targetSlot(target: ImportColumnTarget): string | undefined {
  switch (target.kind) {
    case 'contact':
      return `contact:${target.field}`;
    case 'attribution':
      return `attribution:${target.key}`;
    case 'answer':
      return `answer:${target.key}`;
    case 'first_name':
    case 'last_name':
    case 'external_id':
      return target.kind;
    default:
      return undefined;
  }
}

function describeSlot(target: ImportColumnTarget): string {
  switch (target.kind) {
    case 'contact':
      return `lead field "${target.field}"`;
    case 'attribution':
      return `attribution key "${target.key}"`;
    case 'answer':
      return `answer "${target.key}"`;
    default:
      return target.kind.replace('_', ' ');
  }
}
