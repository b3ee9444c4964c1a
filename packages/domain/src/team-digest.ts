import type { Configuration, Rep, Team } from './configuration';
import type { LeadEventDetail, LeadEventType } from './lead-events';
import type { EmailMessage } from './notification';
import { localDay } from './pool-claim';

/** What the digest counts per rep and day. */
export const teamDigestMetrics = ['new', 'contacted', 'overdue', 'recycled', 'converted'] as const;
export type TeamDigestMetric = (typeof teamDigestMetrics)[number];

/** One count for the day's counters: `metric` for `repId` on `day` (local to the team's digest). */
export interface TeamActivityCount {
  teamId: string;
  day: string;
  metric: TeamDigestMetric;
  repId: string;
}

/** Event types the counters listen to (the manifest's rule matches exactly these). */
export const teamActivityEventTypes = ['lead.assigned', 'lead.claimed', 'lead.status_changed', 'lead.sla_breached', 'lead.recycled', 'lead.converted'] as const;

/**
 * What an event adds to a team's day: a lead new to a rep (assigned or claimed), first contacted,
 * overdue (its first breach of an SLA), taken from a rep, converted. `undefined` for events that count
 * for nothing or for pools whose team has no digest.
 */
export function teamActivityCount(type: LeadEventType, detail: Record<string, unknown>, config: Pick<Configuration, 'pools' | 'teams'>): TeamActivityCount | undefined {
  const counted = metricOf(type, detail);
  if (!counted) return undefined;
  const pool = config.pools.find((candidate) => candidate.id === detail.poolId);
  const team = pool && config.teams.find((candidate) => candidate.id === pool.teamId);
  if (!team?.digest) return undefined;
  return { teamId: team.id, day: localDay(new Date(counted.at), team.digest.timeZone), metric: counted.metric, repId: counted.repId };
}

function metricOf(type: LeadEventType, detail: Record<string, unknown>): { metric: TeamDigestMetric; repId: string; at: string } | undefined {
  switch (type) {
    case 'lead.assigned': {
      const assigned = detail as LeadEventDetail<'lead.assigned'>;
      return { metric: 'new', repId: assigned.ownerId, at: assigned.assignedAt };
    }
    case 'lead.claimed': {
      const claimed = detail as LeadEventDetail<'lead.claimed'>;
      return { metric: 'new', repId: claimed.ownerId, at: claimed.claimedAt };
    }
    case 'lead.status_changed': {
      const changed = detail as LeadEventDetail<'lead.status_changed'>;
      return changed.to === 'contacted' ? { metric: 'contacted', repId: changed.ownerId ?? changed.by, at: changed.changedAt } : undefined;
    }
    case 'lead.sla_breached': {
      const breached = detail as LeadEventDetail<'lead.sla_breached'>;
      // Counted once per missed obligation, not again at its second breach.
      return breached.breach === 1 && breached.ownerId ? { metric: 'overdue', repId: breached.ownerId, at: breached.breachedAt } : undefined;
    }
    case 'lead.recycled': {
      const recycled = detail as LeadEventDetail<'lead.recycled'>;
      return { metric: 'recycled', repId: recycled.previousOwnerId, at: recycled.recycledAt };
    }
    case 'lead.converted': {
      const converted = detail as LeadEventDetail<'lead.converted'>;
      return { metric: 'converted', repId: converted.ownerId ?? converted.by, at: converted.convertedAt };
    }
    default:
      return undefined;
  }
}

/** A digest time: on the quarter hour, because the digest schedule ticks every 15 minutes. */
export const digestTimePattern = /^([01]\d|2[0-3]):(00|15|30|45)$/;

/** The digest schedule's interval. */
const tickMs = 15 * 60_000;

/**
 * The teams owed a digest at `now`, with the local day each covers: every tick of the team's local day at or
 * after its `digest.at` on its wall clock, so a tick that failed or never ran is made up by a later one that
 * day. A time the clocks skip (02:30 when summer time starts at 02:00) is owed from the first tick after
 * it; a time they repeat comes round twice. The record of digests sent keeps each recipient to one a day.
 */
export function teamsOwedDigest(config: Pick<Configuration, 'teams'>, now: Date): Array<{ team: Team; day: string }> {
  return config.teams.flatMap((team) => {
    const day = digestDayOwed(team, now);
    return day ? [{ team, day }] : [];
  });
}

/**
 * The teams whose digest falls due on the tick at `now`: the first tick at or after the team's `digest.at`
 * on its wall clock. A digest sent on a later tick was made up for it.
 */
export function teamsDueForDigest(config: Pick<Configuration, 'teams'>, now: Date): Array<{ team: Team; day: string }> {
  const previousTick = new Date(now.getTime() - tickMs);
  return teamsOwedDigest(config, now).filter(({ team, day }) => digestDayOwed(team, previousTick) !== day);
}

/**
 * The local day (the one before today on the team's wall clock) whose digest is owed at `now`, once `digest.at` has
 * come: from then on for the rest of the local day, also while the clocks, turned back, repeat a time before it.
 */
function digestDayOwed(team: Team, now: Date): string | undefined {
  if (!team.digest) return undefined;
  const today = localDay(now, team.digest.timeZone);
  if (latestWallClock(now, team.digest.timeZone) < `${today}T${team.digest.at}`) return undefined;
  // The date before `today`: its noon less a day falls well inside it.
  return new Date(Date.parse(`${today}T12:00:00Z`) - 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/**
 * The latest the wall clock has read over the last hour, a tick (a quarter hour) apart: the clocks turned back
 * repeat at most an hour, so this is the time it read before they went back, and never a time it has not read yet.
 */
function latestWallClock(now: Date, timeZone: string): string {
  const readings = [0, 1, 2, 3, 4].map((ticksAgo) => wallClock(new Date(now.getTime() - ticksAgo * tickMs), timeZone));
  return readings.reduce((latest, reading) => (reading > latest ? reading : latest));
}

/** The date and time of `at` on the wall clock of `timeZone`, as `YYYY-MM-DDTHH:mm` (sorts as time does, on one wall clock). */
function wallClock(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((part) => [part.type, part.value]));
  return `${localDay(at, timeZone)}T${parts.hour}:${parts.minute}`;
}

/** Who receives a team's digest: its managers and the admins of its pools. */
export function teamDigestRecipients(config: Pick<Configuration, 'reps' | 'pools'>, team: Team): Rep[] {
  const ids = new Set([...team.managers, ...config.pools.filter((pool) => pool.teamId === team.id).flatMap((pool) => pool.admins)]);
  return config.reps.filter((rep) => ids.has(rep.id));
}

/** A day's counts per rep and metric, as the counters hold them. */
export type TeamDayCounts = Map<string, Partial<Record<TeamDigestMetric, number>>>;

/** A pool's backlog when the digest is written: leads waiting unowned, and since when the oldest waits. */
export interface PoolBacklog {
  poolId: string;
  name: string;
  waiting: number;
  oldestCapturedAt?: string;
}

/** The digest email: one line per rep with the day's counts, then each pool's size and the age of its oldest lead. */
export function teamDigestEmail(input: { recipient: Rep; team: Team; day: string; counts: TeamDayCounts; reps: readonly Rep[]; pools: readonly PoolBacklog[]; now: Date }): EmailMessage {
  const { team, counts, now } = input;
  const repIds = [...new Set([...input.reps.map((rep) => rep.id), ...counts.keys()])];
  const name = (repId: string) => input.reps.find((rep) => rep.id === repId)?.name ?? repId;
  const header = ['rep', ...teamDigestMetrics].join(' | ');
  const rows = repIds.map((repId) => [name(repId), ...teamDigestMetrics.map((metric) => String(counts.get(repId)?.[metric] ?? 0))].join(' | '));
  const totals = ['total', ...teamDigestMetrics.map((metric) => String(repIds.reduce((sum, repId) => sum + (counts.get(repId)?.[metric] ?? 0), 0)))].join(' | ');
  const pools = input.pools.map((pool) => {
    const age = pool.oldestCapturedAt ? `, oldest waiting ${Math.floor((now.getTime() - Date.parse(pool.oldestCapturedAt)) / 3_600_000)} h (since ${pool.oldestCapturedAt})` : '';
    return `${pool.name}: ${pool.waiting} waiting${age}`;
  });
  const text = [`Hi ${input.recipient.name},`, '', `${team.name} on ${input.day}:`, '', header, ...rows, totals, '', 'Pools:', ...pools].join('\n');
  return { to: input.recipient.email, subject: `${team.name}: leads on ${input.day}`, text };
}
