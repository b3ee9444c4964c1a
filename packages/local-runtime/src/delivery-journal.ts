import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** One rule's delivery of one event: what the target is given, and enough of the event to show it again. */
export interface JournalledDelivery {
  key: string;
  ruleName: string;
  target: string;
  input: unknown;
  retryAttempts: number;
  maxEventAgeSeconds: number;
  event: { id: string; time: string; eventBusName: string; source: string; detailType: string; detail: unknown };
  /** When the bus accepted the event: its age for `maxEventAgeSeconds` counts from here, as EventBridge's does (its `time` is the sender's). Absent in journals written before it was kept. */
  receivedAt?: string;
}

type JournalLine = { started: JournalledDelivery } | { finished: string };

/**
 * The bus deliveries that have not finished, on disk. EventBridge keeps an event it accepted until each
 * target has it; the local bus holds deliveries in memory, so without this a runtime killed between
 * `PutEvents` and a target's run would lose that delivery (the relay has already moved its stream
 * checkpoint past the record). Lines are appended synchronously before `PutEvents` answers: a killed
 * process loses nothing the kernel was handed. Only a power cut could, which a workstation runtime accepts.
 */
export class DeliveryJournal {
  private readonly unfinished = new Map<string, JournalledDelivery>();
  private finishedSinceCompaction = 0;

  constructor(
    private readonly file: string,
    private readonly compactAfterFinished = 5000,
  ) {
    if (existsSync(file)) {
      // A line cut short by the kill is the last one; it never told anyone anything, so it is skipped.
      for (const text of readFileSync(file, 'utf8').split('\n')) {
        const line = parseLine(text);
        if (!line) continue;
        if ('started' in line) this.unfinished.set(line.started.key, line.started);
        else this.unfinished.delete(line.finished);
      }
    }
    this.compact();
  }

  /** What a previous run accepted and did not finish delivering, oldest first. */
  pending(): JournalledDelivery[] {
    return [...this.unfinished.values()];
  }

  started(delivery: JournalledDelivery): void {
    this.unfinished.set(delivery.key, delivery);
    this.append({ started: delivery });
  }

  /** Succeeded or dead-lettered: either way the bus is done with it. */
  finished(key: string): void {
    if (!this.unfinished.delete(key)) return;
    this.append({ finished: key });
    this.finishedSinceCompaction += 1;
    if (this.finishedSinceCompaction >= this.compactAfterFinished) this.compact();
  }

  private append(line: JournalLine): void {
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  /** Rewrites the file with the unfinished deliveries alone; write then rename, so a kill leaves one whole file. */
  private compact(): void {
    const next = `${this.file}.next`;
    writeFileSync(next, [...this.unfinished.values()].map((delivery) => `${JSON.stringify({ started: delivery })}\n`).join(''));
    renameSync(next, this.file);
    this.finishedSinceCompaction = 0;
  }
}

function parseLine(text: string): JournalLine | undefined {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as JournalLine;
  } catch {
    return undefined;
  }
}
