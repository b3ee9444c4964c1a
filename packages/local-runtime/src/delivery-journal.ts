import { jsonLinesFile } from './json-lines-file';

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
    for (const line of jsonLinesFile.read<JournalLine>(file)) {
      if ('started' in line) this.unfinished.set(line.started.key, line.started);
      else this.unfinished.delete(line.finished);
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
    jsonLinesFile.append(this.file, line);
  }

  /** Rewrites the file with the unfinished deliveries alone. */
  private compact(): void {
    jsonLinesFile.rewrite(
      this.file,
      [...this.unfinished.values()].map((delivery): JournalLine => ({ started: delivery })),
    );
    this.finishedSinceCompaction = 0;
  }
}
