import { feedbackPlatforms, feedbackStages, type ChannelDaySpend, type ConversionFeedback, type FeedbackPlatform, type Lead, type LeadRoiFacts, type RollupVersion } from '@leadflow/domain';
import type { ChangedDay, ChannelRoiStore, MeasuredPriors, ConversionFeedbackQueue, ConversionFeedbackSender, FeedbackSendResult, QueuedConversionFeedback, ReportArchive } from '@leadflow/platform';

/** Channel ROI in memory, with the DynamoDB adapter's rules (newer facts win, versions never overwritten). */
export class MemoryChannelRoiStore implements ChannelRoiStore {
  readonly spend = new Map<string, ChannelDaySpend>();
  readonly facts = new Map<string, LeadRoiFacts>();
  readonly changed = new Map<string, string>();
  readonly versions = new Map<string, RollupVersion>();

  async replaceSpend(spend: readonly ChannelDaySpend[], mark: { markedAt: string }): Promise<void> {
    for (const group of spend) {
      this.spend.set(`${group.day} ${group.channel}`, structuredClone(group));
      this.changed.set(group.day, mark.markedAt);
    }
  }
  async spendOn(day: string): Promise<ChannelDaySpend[]> {
    return [...this.spend.values()].filter((group) => group.day === day).map((group) => structuredClone(group));
  }
  /** One facts entry per lead, so facts filed under another day (before the time zone changed) move to this one, as the adapter moves them, and that day is marked changed. */
  async recordFacts(facts: Omit<LeadRoiFacts, 'slaBreached'>, options: { slaBreached: boolean; markedAt: string }): Promise<void> {
    const stored = this.facts.get(facts.leadId);
    const moved = stored !== undefined && stored.day !== facts.day;
    // The adapter refuses to move newer facts, so that the event is retried and reads the lead again.
    if (moved && stored.leadUpdatedAt > facts.leadUpdatedAt) throw new Error(`Lead ${facts.leadId} has newer ROI facts under ${stored.day} than those read for ${facts.day}`);
    const slaBreached = options.slaBreached || (stored?.slaBreached ?? false);
    if (!stored || stored.leadUpdatedAt <= facts.leadUpdatedAt) this.facts.set(facts.leadId, { ...stored, ...facts, slaBreached });
    else stored.slaBreached = slaBreached;
    this.changed.set(facts.day, options.markedAt);
    if (moved) this.changed.set(stored.day, options.markedAt);
  }
  async factsOn(day: string): Promise<LeadRoiFacts[]> {
    return [...this.facts.values()].filter((facts) => facts.day === day).map((facts) => structuredClone(facts));
  }
  /** One mark per day, on one shard: the adapter's sharding is tested against DynamoDB Local. */
  async changedDays(from: string, to: string): Promise<ChangedDay[]> {
    return [...this.changed.entries()]
      .filter(([day]) => day >= from && day <= to)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, markedAt]) => ({ day, marks: [{ shard: 'memory', markedAt }] }));
  }
  async clearChanged(changed: ChangedDay): Promise<void> {
    if (changed.marks.some((mark) => this.changed.get(changed.day) === mark.markedAt)) this.changed.delete(changed.day);
  }
  async markChanged(day: string, mark: { markedAt: string }): Promise<void> {
    this.changed.set(day, mark.markedAt);
  }
  closedDay?: string;
  async lastClosedDay(): Promise<string | undefined> {
    return this.closedDay;
  }
  async recordClosedDay(day: string): Promise<void> {
    if (this.closedDay === undefined || this.closedDay < day) this.closedDay = day;
  }
  async latestVersion(day: string): Promise<RollupVersion | undefined> {
    const versions = [...this.versions.values()].filter((version) => version.day === day).sort((a, b) => b.version - a.version);
    return versions[0] && structuredClone(versions[0]);
  }
  async version(day: string, version: number): Promise<RollupVersion | undefined> {
    const found = this.versions.get(`${day} ${version}`);
    return found && structuredClone(found);
  }
  async versionAsOf(day: string, at: string): Promise<RollupVersion | undefined> {
    const versions = [...this.versions.values()].filter((version) => version.day === day && Date.parse(version.rolledUpAt) <= Date.parse(at)).sort((a, b) => b.version - a.version);
    return versions[0] && structuredClone(versions[0]);
  }
  measuredPriors?: MeasuredPriors;
  async writeMeasuredPriors(measured: MeasuredPriors): Promise<void> {
    this.measuredPriors = structuredClone(measured);
  }
  async readMeasuredPriors(): Promise<MeasuredPriors | undefined> {
    return this.measuredPriors && structuredClone(this.measuredPriors);
  }

  async addVersion(version: RollupVersion): Promise<boolean> {
    const key = `${version.day} ${version.version}`;
    if (this.versions.has(key)) return false;
    this.versions.set(key, structuredClone(version));
    return true;
  }
}

export class MemoryReportArchive implements ReportArchive {
  readonly files = new Map<string, string>();
  async put(key: string, body: string): Promise<void> {
    this.files.set(key, body);
  }
}

/** The feedback queue in memory, with the DynamoDB adapter's rules (queued once, ever). */
/**
 * The feedback queue in memory, with the DynamoDB adapter's rules. Given the lead store's leads (as the
 * lead store's own queue is), it refuses a conversion of a lead that is gone or invalid, as the table's
 * condition on the lead item does.
 */
export class MemoryConversionFeedbackQueue implements ConversionFeedbackQueue {
  readonly pending = new Map<string, ConversionFeedback>();
  readonly sent = new Map<string, ConversionFeedback>();
  readonly dead = new Map<string, ConversionFeedback>();
  private readonly times = new Map<string, string>();
  constructor(private readonly leads?: ReadonlyMap<string, Lead>) {}
  private key = (item: Pick<ConversionFeedback, 'platform' | 'feedbackId'>) => `${item.platform} ${item.feedbackId}`;
  async enqueue(item: ConversionFeedback): Promise<boolean> {
    const key = this.key(item);
    if (this.pending.has(key) || this.sent.has(key) || this.dead.has(key)) return false;
    const lead = this.leads?.get(item.leadId);
    if (this.leads && (!lead || lead.status === 'invalid')) return false;
    this.pending.set(key, structuredClone(item));
    return true;
  }
  async due(platform: FeedbackPlatform, now: string, limit: number): Promise<ConversionFeedback[]> {
    return [...this.pending.values()]
      .filter((item) => item.platform === platform && item.dueAt <= now)
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
      .slice(0, limit)
      .map((item) => structuredClone(item));
  }
  async markSent(items: readonly ConversionFeedback[], sentAt: string): Promise<void> {
    // What is no longer pending was erased with its lead while it was being sent: it is not written back.
    for (const item of items.filter((candidate) => this.pending.has(this.key(candidate)))) {
      this.pending.delete(this.key(item));
      this.sent.set(this.key(item), structuredClone(item));
      this.times.set(this.key(item), sentAt);
    }
  }
  async reschedule(item: ConversionFeedback): Promise<void> {
    if (this.pending.has(this.key(item))) this.pending.set(this.key(item), structuredClone(item));
  }
  async deadLetter(item: ConversionFeedback, at: string): Promise<void> {
    if (!this.pending.delete(this.key(item))) return;
    this.dead.set(this.key(item), structuredClone(item));
    this.times.set(this.key(item), at);
  }
  async feedbackFor(leadId: string): Promise<QueuedConversionFeedback[]> {
    // A conversion a test put in `sent` or `dead` directly has no time of its own: it shows its due time.
    const ofLead = (items: Map<string, ConversionFeedback>) => [...items].filter(([, item]) => item.leadId === leadId).map(([key, item]) => ({ item: structuredClone(item), at: this.times.get(key) ?? item.dueAt }));
    const found: QueuedConversionFeedback[] = [
      ...ofLead(this.pending).map(({ item }) => ({ ...item, state: 'pending' as const })),
      ...ofLead(this.sent).map(({ item, at }) => ({ ...item, state: 'sent' as const, sentAt: at })),
      ...ofLead(this.dead).map(({ item, at }) => ({ ...item, state: 'dead' as const, deadLetteredAt: at })),
    ];
    const order = (item: QueuedConversionFeedback) => feedbackPlatforms.indexOf(item.platform) * 100 + feedbackStages.indexOf(item.stage) * 10 + ['pending', 'sent', 'dead'].indexOf(item.state);
    return found.sort((a, b) => order(a) - order(b));
  }
  /** The lead store's erasure: every conversion of the lead goes, whatever its state. */
  forgetLead(leadId: string): void {
    for (const items of [this.pending, this.sent, this.dead]) for (const [key, item] of items) if (item.leadId === leadId) items.delete(key);
  }
}

/** Records what would be posted to each platform and answers with the next queued result (default: accepted). */
export class RecordingFeedbackSender implements ConversionFeedbackSender {
  readonly requests: Array<{ platform: 'meta' | 'google'; body: string; target: string }> = [];
  readonly answers: FeedbackSendResult[] = [];
  async meta(body: string, datasetId: string, apiVersion: string): Promise<FeedbackSendResult> {
    this.requests.push({ platform: 'meta', body, target: `${apiVersion}/${datasetId}` });
    return this.answers.shift() ?? { ok: true };
  }
  async google(body: Record<string, unknown>, accessToken: string): Promise<FeedbackSendResult> {
    this.requests.push({ platform: 'google', body: JSON.stringify(body), target: accessToken });
    return this.answers.shift() ?? { ok: true };
  }
}
