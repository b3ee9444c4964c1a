import { jsonLinesFile } from './json-lines-file';

export type SentChannel = 'email' | 'sms';

/** How many messages of one channel went out about a lead, and when the first and the last did. */
export interface SentCount {
  sent: number;
  first: string;
  last: string;
}

/** What went out about one lead, by channel: a channel with nothing sent is absent. */
export type LeadSends = Partial<Record<SentChannel, SentCount>>;

type SentCountLine = { leadId: string; channel: SentChannel } & SentCount;

/**
 * Every email (`SendEmail`) and SMS (`SendTextMessage`) the local AWS endpoint accepted, counted per lead
 * and never dropped, unlike the outbox's newest 1,000: a second message about a lead is what at-least-once
 * email can do, and what the load and fault checks exist to catch. With a file (in the data directory)
 * the counts outlive a killed runtime: a line is appended synchronously before the send is answered, so
 * a message the killed process sent is counted. The file is rewritten as one line per lead and channel
 * when opened, and once the lines appended since outnumber those.
 */
export class SentMessageCounts {
  private readonly counts = new Map<string, LeadSends>();
  private appendedSinceCompaction = 0;

  constructor(private readonly file?: string) {
    if (!file) return;
    for (const line of jsonLinesFile.read<SentCountLine>(file)) this.merge(line);
    this.compact();
  }

  /** Counts one message accepted at `at` (an ISO instant). */
  add(leadId: string, channel: SentChannel, at: string): void {
    const line: SentCountLine = { leadId, channel, sent: 1, first: at, last: at };
    this.merge(line);
    if (!this.file) return;
    jsonLinesFile.append(this.file, line);
    this.appendedSinceCompaction += 1;
    if (this.appendedSinceCompaction > Math.max(1000, this.counts.size)) this.compact();
  }

  /** Lead id → what went out about it. */
  byLead(): Record<string, LeadSends> {
    return Object.fromEntries(this.counts);
  }

  private merge({ leadId, channel, sent, first, last }: SentCountLine): void {
    const sends = this.counts.get(leadId) ?? {};
    const known = sends[channel];
    sends[channel] = known ? { sent: known.sent + sent, first: first < known.first ? first : known.first, last: last > known.last ? last : known.last } : { sent, first, last };
    this.counts.set(leadId, sends);
  }

  private compact(): void {
    if (!this.file) return;
    const lines = [...this.counts].flatMap(([leadId, sends]) => (Object.entries(sends) as Array<[SentChannel, SentCount]>).map(([channel, count]) => ({ leadId, channel, ...count })));
    jsonLinesFile.rewrite(this.file, lines);
    this.appendedSinceCompaction = 0;
  }
}
