import type { ChannelDaySpend, LeadRoiFacts, RollupVersion } from '@leadflow/domain';

/** A day whose leads' facts changed since it was last rolled up: each of its changed marks (a store may keep several, on shards). */
export interface ChangedDay {
  day: string;
  marks: ChangedMark[];
}

/** One changed mark of a day: the shard that keeps it, when it was last marked there, and that marking's own id (marks from before 2026-12-03 have none). */
export interface ChangedMark {
  shard: string;
  markedAt: string;
  markId?: string;
}

/** What intake reads of channel ROI: the channel priors the last nightly rollup suggested, for scoring in `apply` mode. */
export interface MeasuredPriorsReader {
  readMeasuredPriors(): Promise<MeasuredPriors | undefined>;
}

/**
 * Where channel ROI keeps its inputs and outputs: ad spend per day and channel, each lead's ROI facts
 * under its capture day, the days changed since their last rollup, and each day's rollup versions.
 * Every read is of one day (or the short list of changed days), never of the whole history.
 */
export interface ChannelRoiStore extends MeasuredPriorsReader {
  /** Replaces the spend of each given day and channel with the given campaigns, and marks those days changed. */
  replaceSpend(spend: readonly ChannelDaySpend[], mark: { markedAt: string; expiresAt: (day: string) => number }): Promise<void>;
  spendOn(day: string): Promise<ChannelDaySpend[]>;
  /**
   * Writes a lead's facts unless newer ones are stored (by the lead's `updatedAt`), sets `slaBreached`
   * when asked (it only ever goes from false to true), and marks the lead's day changed. The event that
   * first files them under their day (`eventId`, and its retries) moves any facts of the lead filed under
   * `otherCaptureDays` (before the organisation's time zone changed) onto them, SLA breach included, and
   * marks each day they left changed, so the lead is counted on one day only.
   */
  recordFacts(facts: Omit<LeadRoiFacts, 'slaBreached'>, options: { eventId: string; slaBreached: boolean; otherCaptureDays: readonly string[]; markedAt: string; markExpiresAt: (day: string) => number }): Promise<void>;
  factsOn(day: string): Promise<LeadRoiFacts[]>;
  /** The days marked changed from `from` to `to`, each once, in day order, with every mark it has. */
  changedDays(from: string, to: string): Promise<ChangedDay[]>;
  /** Forgets each of the day's marks, unless it was marked again since it was read: a change made meanwhile keeps its mark for the next rollup. */
  clearChanged(changed: ChangedDay): Promise<void>;
  /** Marks a day changed with nothing of its own changed: a day a nightly run was to close and did not roll up. */
  markChanged(day: string, mark: { markedAt: string; expiresAt: number }): Promise<void>;
  /** The last day a nightly run closed (its yesterday); `undefined` before the first. */
  lastClosedDay(): Promise<string | undefined>;
  /** Records `day` as the last day a nightly run closed, unless a later day is recorded (the run was replayed for an earlier night). */
  recordClosedDay(day: string, closedAt: string): Promise<void>;
  latestVersion(day: string): Promise<RollupVersion | undefined>;
  version(day: string, version: number): Promise<RollupVersion | undefined>;
  /** The day's newest version rolled up at or before `at` (an ISO time); `undefined` when the day had none then. */
  versionAsOf(day: string, at: string): Promise<RollupVersion | undefined>;
  /** Adds a version; `false` when that version of the day exists already (another rollup wrote it first). */
  addVersion(version: RollupVersion): Promise<boolean>;
  /** The channel priors suggested by the last nightly rollup in `apply` mode (a later write replaces them). */
  writeMeasuredPriors(priors: MeasuredPriors): Promise<void>;
}

/** Channel priors as the nightly rollup measured them, and over which cohort days. */
export interface MeasuredPriors {
  /** Only the channels with a suggestion: scoring puts them over the priors configured when it reads them (`withMeasuredChannelPriors`). */
  suggestedPriors: Record<string, number>;
  from: string;
  to: string;
  measuredAt: string;
}

/** Where the nightly rollup files each day's CSV: an S3 bucket in AWS, the data directory locally. */
export interface ReportArchive {
  put(key: string, body: string, contentType: string): Promise<void>;
}
