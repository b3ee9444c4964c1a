import type { ChannelDaySpend, LeadRoiFacts, RollupVersion } from '@leadflow/domain';
import type { ChangedDay, ChannelRoiStore, ReportArchive } from '@leadflow/platform';

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
  async recordFacts(facts: Omit<LeadRoiFacts, 'slaBreached'>, options: { slaBreached: boolean; markedAt: string }): Promise<void> {
    const stored = this.facts.get(facts.leadId);
    const slaBreached = options.slaBreached || (stored?.slaBreached ?? false);
    if (!stored || stored.leadUpdatedAt <= facts.leadUpdatedAt) this.facts.set(facts.leadId, { ...stored, ...facts, slaBreached });
    else stored.slaBreached = slaBreached;
    this.changed.set(facts.day, options.markedAt);
  }
  async factsOn(day: string): Promise<LeadRoiFacts[]> {
    return [...this.facts.values()].filter((facts) => facts.day === day).map((facts) => structuredClone(facts));
  }
  async changedDays(from: string, to: string): Promise<ChangedDay[]> {
    return [...this.changed.entries()].filter(([day]) => day >= from && day <= to).map(([day, markedAt]) => ({ day, markedAt }));
  }
  async clearChanged(changed: ChangedDay): Promise<void> {
    if (this.changed.get(changed.day) === changed.markedAt) this.changed.delete(changed.day);
  }
  async latestVersion(day: string): Promise<RollupVersion | undefined> {
    const versions = [...this.versions.values()].filter((version) => version.day === day).sort((a, b) => b.version - a.version);
    return versions[0] && structuredClone(versions[0]);
  }
  async version(day: string, version: number): Promise<RollupVersion | undefined> {
    const found = this.versions.get(`${day} ${version}`);
    return found && structuredClone(found);
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
