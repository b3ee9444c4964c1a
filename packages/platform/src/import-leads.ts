import { importFileLines, importSubmission, type ImportRowError, type ImportTarget, type LeadImportFile, type PreparedIntake } from '@leadflow/domain';
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
  /** Rows imported before (same source, same content): nothing written. */
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
 * routed and notified like any other. A row's delivery key (its content hash) makes a second import of
 * the same file a replay. Rows start in file order, so when `remainingMs` runs out the rows stored are
 * exactly those before the summary's `nextLine`, and an import of the lines from there on
 * (`importFileLines`) finishes the file without redoing any. A row the store refuses is reported among
 * the errors and skipped, with the later rows of the same person, so a second import stores them in order.
 * When the database is unavailable (`isBackendUnavailable`) no further row starts: the summary stops at
 * the first such row, as when time runs out, or, when no row was stored at all, the error is thrown.
 */
export async function importLeads(file: LeadImportFile, target: ImportTarget, deps: Pick<Dependencies, 'config' | 'leads' | 'measuredPriors' | 'now' | 'newId'>, options: ImportOptions = {}): Promise<ImportSummary> {
  const at = deps.now();
  const rules = await scoringRulesFor(deps, at);
  const prepared = file.rows.map((row) => prepareWithNewIds(importSubmission(row, target), deps.newId, at, rules));
  const outcomes: Array<'created' | 'touched' | 'replayed' | 'invalid' | undefined> = [];
  const storeErrors: Array<ImportRowError & { index: number }> = [];
  let done = 0;
  options.onProgress?.(done, prepared.length);

  const groupOf = sharedKeyGroups(prepared);
  // Each group's last row started: a row of the same person waits for it.
  const lastStarted = new Map<number, Promise<void>>();
  // The line of a group's row the store refused: the person's later rows are not stored without it.
  const refusedLineOf = new Map<number, number>();
  const budget = new TimeBudget(options.remainingMs ?? (() => Infinity), 0);
  let next = 0;
  // The first row (by index) that met an unavailable database, and what it threw.
  let unavailable: { index: number; error: unknown } | undefined;
  const store = async (index: number, after: Promise<void> | undefined) => {
    await after;
    // Rows after the first one the database turned away are left for the next import; rows before it are still stored.
    if (unavailable !== undefined && unavailable.index < index) return;
    const intake = prepared[index];
    const line = file.rows[index].row;
    const refusedLine = refusedLineOf.get(groupOf[index]);
    if (refusedLine !== undefined) {
      storeErrors.push({ index, row: line, column: '(row)', message: `not stored because line ${refusedLine}, of the same person, could not be stored; import the file again to store both` });
    } else {
      try {
        const { outcome } = await deps.leads.ingestLead(intake);
        outcomes[index] = outcome === 'created' && intake.lead.status === 'invalid' ? 'invalid' : outcome;
      } catch (error) {
        if (isBackendUnavailable(error)) {
          if (unavailable === undefined || index < unavailable.index) unavailable = { index, error };
          return;
        }
        refusedLineOf.set(groupOf[index], line);
        logger.error('An import row could not be stored', { line, error });
        storeErrors.push({ index, row: line, column: '(row)', message: 'could not be stored (an unexpected error); import the file again to retry it: rows already stored are replayed' });
      }
    }
    done += 1;
    options.onProgress?.(done, prepared.length);
  };
  const worker = async () => {
    while (unavailable === undefined && next < prepared.length && budget.hasTime()) {
      const index = next++;
      const stored = store(index, lastStarted.get(groupOf[index]));
      lastStarted.set(groupOf[index], stored);
      await stored;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));

  // Rows before `stop` all finished; rows from it on were not started, or were stored after a row before them was not.
  const stop = unavailable?.index ?? next;
  if (unavailable !== undefined && !outcomes.some((outcome) => outcome !== undefined)) {
    // Nothing was stored: the handler answers the store's error as it would any other (503 for an unavailable database).
    throw unavailable.error;
  }
  const nextLine = stop < prepared.length ? file.rows[stop].row : undefined;
  const before = nextLine === undefined ? file : importFileLines(file, 1, nextLine);
  const rowErrors = storeErrors.filter((error) => error.index < stop).map(({ row, column, message }) => ({ row, column, message }));
  const count = (kind: (typeof outcomes)[number]) => outcomes.slice(0, stop).filter((outcome) => outcome === kind).length;
  return {
    rows: before.rowsRead,
    created: count('created'),
    touched: count('touched'),
    replayed: count('replayed'),
    invalid: count('invalid'),
    errors: [...before.errors, ...rowErrors].sort((one, other) => one.row - other.row),
    ...(nextLine === undefined ? {} : { nextLine }),
  };
}

/**
 * For each row, the group of rows it shares any dedup key (email, phone or content) with, directly or
 * through others; rows of a group are stored one after another in file order, so the first row of a
 * person creates the lead and the later ones touch it — every time.
 */
function sharedKeyGroups(prepared: readonly PreparedIntake[]): number[] {
  const parent = prepared.map((_, index) => index);
  const root = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index]];
    return index;
  };
  const holder = new Map<string, number>();
  prepared.forEach((intake, index) => {
    for (const { key } of intake.dedupKeys) {
      const other = holder.get(key);
      if (other === undefined) holder.set(key, index);
      else parent[root(index)] = root(other);
    }
  });
  return prepared.map((_, index) => root(index));
}
