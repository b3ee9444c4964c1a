import { importFileLines, importSubmission, intakeDedupKeys, type DedupKey, type ImportRowError, type ImportTarget, type LeadImportFile } from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { prepareWithNewIds, scoringRulesFor } from './ingest-submission';
import { isBackendUnavailable } from './http/backend-unavailable';
import { logger } from './logger';
import { TimeBudget } from './time-budget';

/** What an import did, row by row summed up; the same answer for the HTTP endpoint and the command line. */
export interface ImportSummary {
  /** Data rows read (blank lines not counted) = created + touched + replayed + invalid + rows with errors. */
  rows: number;
  /** New contactable leads, routed and notified like any other. */
  created: number;
  /** Rows of people who already had a lead: recorded as a touch on it. */
  touched: number;
  /** Rows imported before (same source, and same channel and external id, else same content): nothing written. */
  replayed: number;
  /** New leads kept as `invalid`, having no usable email or phone. */
  invalid: number;
  /** Rows not imported, one entry per problem (a row may have several). */
  errors: ImportRowError[];
  /**
   * Only when time ran out before the end of the file: the line of the first row not stored (the
   * header is 1). The counts and errors cover the lines before it; every row from it on is left to do.
   */
  nextLine?: number;
}

export interface ImportOptions {
  /** Called after each row with the rows done and the rows to do (rows with errors are not counted). */
  onProgress?: (done: number, total: number) => void;
  /** Rows stored at once. Rows that share an email, phone or content are always stored one after another, in file order. */
  concurrency?: number;
  /** The time left to start rows in, in ms; once it is not above zero, no further row starts and the summary says where the import stopped. */
  remainingMs?: () => number;
}

/**
 * Imports the rows of a lead file through the same intake as every channel: each row is prepared by
 * `prepareIntake` and stored with its `lead.captured` event in one transaction, so imported leads are
 * routed and notified like any other. A row is captured at the time it is stored (`deps.now()` then, not
 * when the import began): the speed-to-lead clock and the day channel ROI counts it under start when the
 * lead reaches the reps. A row's delivery key (its external id, else its content hash; see `importRowKey`)
 * makes a second import of the same file a replay. Rows start in file order, so when `remainingMs` runs out
 * the rows stored are exactly those before the summary's `nextLine`, and an import of the lines from there on
 * (`importFileLines`) finishes the file without redoing any. A row the store refuses is reported among
 * the errors and skipped, with the later rows of the same person, so a second import stores them in order.
 * When the database is unavailable (`isBackendUnavailable`) no further row starts: the summary stops at
 * the first such row, as when time runs out, or, when no row was stored at all, the error is thrown.
 */
export async function importLeads(file: LeadImportFile, target: ImportTarget, deps: ImportDependencies, options: ImportOptions = {}): Promise<ImportSummary> {
  const { summary, unavailableError } = await importPart(file, target, deps, options, new Map());
  if (unavailableError !== undefined) throw unavailableError;
  return summary;
}

/**
 * `importLeads` of a file read in parts (`leadImportChunks`), one part after the other, so only one part's
 * rows are held at a time; the summary is the whole file's, and the rows of a person the store refused in
 * one part are not stored in a later one either. `onProgress` is given the rows done so far in the file.
 */
export async function importLeadChunks(
  chunks: AsyncIterable<LeadImportFile>,
  target: ImportTarget,
  deps: ImportDependencies,
  options: Omit<ImportOptions, 'onProgress'> & { onProgress?: (done: number) => void } = {},
): Promise<ImportSummary> {
  const total: ImportSummary = { rows: 0, created: 0, touched: 0, replayed: 0, invalid: 0, errors: [] };
  const refusedKeys = new Map<string, number>();
  let doneBefore = 0;
  // Whether the store answered any row so far (stored, replayed, a correction or refused): from then on, that answer is reported rather than thrown away.
  let storeAnswered = false;
  for await (const chunk of chunks) {
    const { summary, unavailableError, recorded } = await importPart(chunk, target, deps, { ...options, onProgress: (done) => options.onProgress?.(doneBefore + done) }, refusedKeys);
    storeAnswered ||= recorded;
    // The store answered no row of the file yet: as `importLeads`, its error is the answer.
    if (unavailableError !== undefined && !storeAnswered) throw unavailableError;
    total.rows += summary.rows;
    total.created += summary.created;
    total.touched += summary.touched;
    total.replayed += summary.replayed;
    total.invalid += summary.invalid;
    total.errors.push(...summary.errors);
    doneBefore += chunk.rows.length;
    if (summary.nextLine !== undefined) return { ...total, nextLine: summary.nextLine };
  }
  return total;
}

type ImportDependencies = Pick<Dependencies, 'config' | 'leads' | 'ingestion' | 'measuredPriors' | 'now' | 'newId'>;

/**
 * One part of an import. `refusedKeys`: the dedup keys of rows refused in earlier parts (and in this one, once it is done),
 * with the line refused. `unavailableError`: the database was unavailable before any row of this part was stored.
 * `recorded`: some row of this part has an outcome or a store error in the summary.
 */
async function importPart(
  file: LeadImportFile,
  target: ImportTarget,
  deps: ImportDependencies,
  options: ImportOptions,
  refusedKeys: Map<string, number>,
): Promise<{ summary: ImportSummary; unavailableError?: Error; recorded: boolean }> {
  const rules = await scoringRulesFor(deps, deps.now());
  const submissions = file.rows.map((row) => importSubmission(row, target));
  const keys = submissions.map(intakeDedupKeys);
  // `correction`: a replay reported as an error (`correctionOfInvalidLead`), counted in no other column.
  const outcomes: Array<'created' | 'touched' | 'replayed' | 'invalid' | 'correction' | undefined> = [];
  const storeErrors: Array<ImportRowError & { index: number }> = [];
  // Rows not stored because the store refused them or an earlier row of the same person.
  const refusedRows = new Set<number>();
  let done = 0;
  options.onProgress?.(done, submissions.length);

  const groupOf = sharedKeyGroups(keys);
  // Each group's last row started: a row of the same person waits for it.
  const lastStarted = new Map<number, Promise<void>>();
  // The line of a group's row the store refused: the person's later rows are not stored without it.
  const refusedLineOf = new Map<number, number>();
  const budget = new TimeBudget(options.remainingMs ?? (() => Infinity), 0);
  let next = 0;
  // The first row (by index) that met an unavailable database, and what it threw.
  let unavailable: { index: number; error: Error } | undefined;
  const store = async (index: number, after: Promise<void> | undefined) => {
    await after;
    // Rows after the first one the database turned away are left for the next import; rows before it are still stored.
    if (unavailable !== undefined && unavailable.index < index) return;
    const line = file.rows[index].row;
    const refusedLine = refusedLineOf.get(groupOf[index]) ?? keys[index].map(({ key }) => refusedKeys.get(key)).find((refused) => refused !== undefined);
    if (refusedLine !== undefined) {
      refusedLineOf.set(groupOf[index], refusedLine);
      refusedRows.add(index);
      storeErrors.push({ index, row: line, column: '(row)', message: `not stored because line ${refusedLine}, of the same person, could not be stored; import the file again to store both` });
    } else {
      // Prepared now, so that the lead is captured at the time it is stored.
      const intake = prepareWithNewIds(submissions[index], deps.newId, deps.now(), rules);
      try {
        const { leadId, outcome } = await deps.ingestion.ingestLead(intake);
        const correction = outcome === 'replayed' ? await correctionOfInvalidLead(file.rows[index].externalId, intake.lead.status, leadId, deps) : undefined;
        if (correction) storeErrors.push({ index, row: line, column: '(row)', message: correction });
        outcomes[index] = correction ? 'correction' : outcome === 'created' && intake.lead.status === 'invalid' ? 'invalid' : outcome;
      } catch (error) {
        if (isBackendUnavailable(error)) {
          if (unavailable === undefined || index < unavailable.index) unavailable = { index, error: error as Error };
          return;
        }
        refusedLineOf.set(groupOf[index], line);
        refusedRows.add(index);
        logger.error('An import row could not be stored', { line, error });
        storeErrors.push({ index, row: line, column: '(row)', message: 'could not be stored (an unexpected error); import the file again to retry it: rows already stored are replayed' });
      }
    }
    done += 1;
    options.onProgress?.(done, submissions.length);
  };
  const worker = async () => {
    while (unavailable === undefined && next < submissions.length && budget.hasTime()) {
      const index = next++;
      const stored = store(index, lastStarted.get(groupOf[index]));
      lastStarted.set(groupOf[index], stored);
      await stored;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));

  // Rows before `stop` all finished; rows from it on were not started, or were stored after a row before them was not.
  const stop = unavailable?.index ?? next;
  for (const index of refusedRows) {
    if (index < stop) for (const { key } of keys[index]) if (!refusedKeys.has(key)) refusedKeys.set(key, refusedLineOf.get(groupOf[index]) ?? file.rows[index].row);
  }
  const nextLine = stop < submissions.length ? file.rows[stop].row : undefined;
  const before = nextLine === undefined ? file : importFileLines(file, 1, nextLine);
  const rowErrors = storeErrors.filter((error) => error.index < stop).map(({ row, column, message }) => ({ row, column, message }));
  const count = (kind: (typeof outcomes)[number]) => outcomes.slice(0, stop).filter((outcome) => outcome === kind).length;
  const summary: ImportSummary = {
    rows: before.rowsRead,
    created: count('created'),
    touched: count('touched'),
    replayed: count('replayed'),
    invalid: count('invalid'),
    errors: [...before.errors, ...rowErrors].sort((one, other) => one.row - other.row),
    ...(nextLine === undefined ? {} : { nextLine }),
  };
  const stored = outcomes.some((outcome) => outcome !== undefined);
  const recorded = stored || rowErrors.length > 0;
  // Nothing was stored: the caller answers the store's error as it would any other (503 for an unavailable database).
  return unavailable !== undefined && !stored ? { summary, unavailableError: unavailable.error, recorded } : { summary, recorded };
}

/**
 * Why a replayed row with an external id is reported rather than counted: its id was first imported as a
 * lead kept invalid (no usable email or phone), and this row, which can be contacted, is a correction of it.
 * The id is that lead's for good, as a platform's lead id is its delivery's: the correction is not a second
 * lead, and a lead captured invalid is not brought back (see `reactivate` in `lead-status-change.ts`).
 */
async function correctionOfInvalidLead(externalId: string | undefined, status: string, leadId: string, deps: Pick<ImportDependencies, 'leads'>): Promise<string | undefined> {
  if (externalId === undefined || status !== 'new') return undefined;
  const earlier = await deps.leads.getLead(leadId);
  if (earlier?.status !== 'invalid') return undefined;
  return `external id "${externalId}" was imported before as lead ${leadId}, kept invalid (${earlier.statusReason ?? 'no usable email or phone'}); this row is that lead, so it was not stored again`;
}

/**
 * For each row, the group of rows it shares any dedup key (email, phone or content) with, directly or
 * through others; rows of a group are stored one after another in file order, so the first row of a
 * person creates the lead and the later ones touch it — every time.
 */
function sharedKeyGroups(keys: ReadonlyArray<readonly DedupKey[]>): number[] {
  const parent = keys.map((_, index) => index);
  const root = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index]];
    return index;
  };
  const holder = new Map<string, number>();
  keys.forEach((rowKeys, index) => {
    for (const { key } of rowKeys) {
      const other = holder.get(key);
      if (other === undefined) holder.set(key, index);
      else parent[root(index)] = root(other);
    }
  });
  return keys.map((_, index) => root(index));
}
