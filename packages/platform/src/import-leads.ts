import { importFileLines, importSubmission, type ImportRowError, type ImportTarget, type LeadImportFile, type PreparedIntake } from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { prepareWithNewIds, scoringRulesFor } from './ingest-submission';
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
 * the same file a replay. Rows stop being stored at the first store failure, which is thrown; running
 * the import again stores the rest and replays what was stored. Rows start in file order, so when
 * `remainingMs` runs out the rows stored are exactly those before the summary's `nextLine`, and an
 * import of the lines from there on (`importFileLines`) finishes the file without redoing any.
 */
export async function importLeads(file: LeadImportFile, target: ImportTarget, deps: Pick<Dependencies, 'config' | 'leads' | 'measuredPriors' | 'now' | 'newId'>, options: ImportOptions = {}): Promise<ImportSummary> {
  const at = deps.now();
  const rules = await scoringRulesFor(deps, at);
  const prepared = file.rows.map((row) => prepareWithNewIds(importSubmission(row, target), deps.newId, at, rules));
  const summary: ImportSummary = { rows: file.rowsRead, created: 0, touched: 0, replayed: 0, invalid: 0, errors: file.errors };
  let done = 0;
  options.onProgress?.(done, prepared.length);

  const groupOf = sharedKeyGroups(prepared);
  // Each group's last row started: a row of the same person waits for it.
  const lastStarted = new Map<number, Promise<void>>();
  const budget = new TimeBudget(options.remainingMs ?? (() => Infinity), 0);
  let next = 0;
  let failure: unknown;
  const store = async (intake: PreparedIntake, after: Promise<void> | undefined) => {
    await after;
    if (failure !== undefined) return;
    try {
      const { outcome } = await deps.leads.ingestLead(intake);
      if (outcome === 'created') summary[intake.lead.status === 'invalid' ? 'invalid' : 'created'] += 1;
      else summary[outcome] += 1;
    } catch (error) {
      failure ??= error;
      return;
    }
    done += 1;
    options.onProgress?.(done, prepared.length);
  };
  const worker = async () => {
    while (failure === undefined && next < prepared.length && budget.hasTime()) {
      const index = next++;
      const stored = store(prepared[index], lastStarted.get(groupOf[index]));
      lastStarted.set(groupOf[index], stored);
      await stored;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what a worker caught, exactly as it was thrown
  if (failure !== undefined) throw failure;
  if (next === prepared.length) return summary;
  const nextLine = file.rows[next].row;
  const before = importFileLines(file, 1, nextLine);
  return { ...summary, rows: before.rowsRead, errors: before.errors, nextLine };
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
