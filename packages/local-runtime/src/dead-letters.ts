import { deadLetterRetentionDays } from '@leadflow/manifest';
import { jsonLinesFile } from './json-lines-file';

export interface DeadLetter {
  /** Unique within a data directory (or a run in memory); `POST /_local/dead-letters/{id}/redrive` names it. */
  id: string;
  at: string;
  origin: string;
  target: string;
  error: string;
  payload: unknown;
}

type DeadLetterLine = { added: DeadLetter } | { failedAgain: { id: string; error: string; payload?: unknown } } | { removed: string } | { lastId: number };

const retentionMs = deadLetterRetentionDays * 24 * 60 * 60 * 1000;

/**
 * What exhausted its retries, kept as the deployed dead-letter queues keep it: until it is redriven or
 * `deadLetterRetentionDays` have passed. With a file (in the data directory) the list outlives the
 * runtime: the bus and the stream pollers count a dead-lettered delivery as finished, so without it a
 * restart would lose the event for good. Lines are appended synchronously, before the delivery is marked
 * finished, and the file is rewritten whole (write, then rename) when it is opened and after many changes.
 * `limit` bounds memory in a runaway failure: past it the oldest go, with a warning.
 */
export class DeadLetters {
  private readonly kept = new Map<string, DeadLetter>();
  private lastId = 0;
  private changesSinceCompaction = 0;

  constructor(
    private readonly file?: string,
    private readonly limit = 10_000,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!file) return;
    for (const line of jsonLinesFile.read<DeadLetterLine>(file)) this.apply(line);
    const oldestKept = this.now().getTime() - retentionMs;
    for (const [id, deadLetter] of this.kept) if (Date.parse(deadLetter.at) < oldestKept) this.kept.delete(id);
    this.compact();
  }

  /** Oldest first. */
  list(): DeadLetter[] {
    return [...this.kept.values()];
  }

  find(id: string): DeadLetter | undefined {
    return this.kept.get(id);
  }

  add(record: Omit<DeadLetter, 'id'>): DeadLetter {
    this.lastId += 1;
    const deadLetter = { id: String(this.lastId), ...record };
    this.kept.set(deadLetter.id, deadLetter);
    this.write({ added: deadLetter });
    if (this.kept.size > this.limit) {
      const dropped = [...this.kept.keys()].slice(0, this.kept.size - this.limit);
      for (const id of dropped) this.kept.delete(id);
      console.warn(`More than ${this.limit} dead letters: the oldest ${dropped.length} (id ${dropped.join(', ')}) are no longer kept.`);
      this.compact();
    }
    return deadLetter;
  }

  /**
   * A redrive that failed: kept, with the new error, and with `payload` in place of its own when only part of it
   * is left to do (a stream batch the target finished in part).
   */
  failedAgain(id: string, error: string, payload?: unknown): void {
    const deadLetter = this.kept.get(id);
    if (!deadLetter) return;
    deadLetter.error = error;
    if (payload !== undefined) deadLetter.payload = payload;
    this.write({ failedAgain: { id, error, ...(payload !== undefined ? { payload } : {}) } });
  }

  /** A redrive that succeeded. */
  remove(id: string): void {
    if (this.kept.delete(id)) this.write({ removed: id });
  }

  private apply(line: DeadLetterLine): void {
    if ('added' in line) {
      this.kept.set(line.added.id, line.added);
      this.lastId = Math.max(this.lastId, Number(line.added.id) || 0);
    } else if ('failedAgain' in line) {
      const deadLetter = this.kept.get(line.failedAgain.id);
      if (deadLetter) {
        deadLetter.error = line.failedAgain.error;
        if (line.failedAgain.payload !== undefined) deadLetter.payload = line.failedAgain.payload;
      }
    } else if ('removed' in line) this.kept.delete(line.removed);
    else this.lastId = Math.max(this.lastId, line.lastId);
  }

  private write(line: DeadLetterLine): void {
    if (!this.file) return;
    jsonLinesFile.append(this.file, line);
    this.changesSinceCompaction += 1;
    if (this.changesSinceCompaction >= 1000) this.compact();
  }

  /** Rewrites the file with what is kept; the last id is kept too, so ids are never reused. */
  private compact(): void {
    if (!this.file) return;
    jsonLinesFile.rewrite(this.file, [{ lastId: this.lastId }, ...this.list().map((deadLetter): DeadLetterLine => ({ added: deadLetter }))]);
    this.changesSinceCompaction = 0;
  }
}
