import type { Context } from 'aws-lambda';
import { followUpRulesFor, holdingCapOf, isPastScheduledStepsLimit, leadBytes, nextFollowUpCheck, planFollowUps, reassignmentCandidate, type Configuration, type Lead } from '@leadflow/domain';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { type Dependencies, type DependencyResolver, type DuePosition, lambdaDependenciesOf, loggedHandler, logger, TimeBudget } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

const batchSize = 100;
/** A lead changed between reading and writing is read again, this many times, then left to the next run. */
const attemptsPerLead = 3;
/**
 * Time a lead needs before it starts: usually a read and a conditional write (up to nine DynamoDB calls when it
 * keeps changing), each taking milliseconds, but one call the database leaves silent fails only after the SDK's
 * three attempts, about 8 s (1 s to connect, 2.5 s to answer). A lead cut off mid-way would be safe (each write
 * is conditional on the lead as read); the reserve is there so the run ends with its summary, and names the
 * leads that failed, before its timeout.
 */
const leadReserveMs = 15_000;

export interface FollowUpRunSummary {
  /** Leads read because the due-time index said a rule must look at them. */
  checked: number;
  /** Leads a reminder, breach, warning or recycle was written for. */
  acted: number;
  /** Leads found with nothing due (their due time moved on), re-filed at their next check. */
  rescheduled: number;
  /** Leads that kept changing under the job; the next run looks again. */
  changed: number;
  /**
   * Leads too full for a scheduled step (past `scheduledStepsLimitBytes`, or refused by the store as over its item
   * limit): none written, taken out of the due-time index and logged as an error each (absent when none).
   */
  full?: number;
  /** Due leads read but not checked because the run's time ran low; they stay due for the next run (absent when none). */
  left?: number;
}

/**
 * SLA reminders, escalation and recycling, as of the schedule's `time`: reads only the leads the due-time
 * index holds up to then, decides each with the domain's rules and writes the decision conditional on
 * the lead as read. Run twice for the same time, the second run finds every step already recorded. A lead
 * whose decision cannot be written is logged and fails the run once the others are done, so its alarm fires. A lead
 * too full for a step (`FollowUpRunSummary.full`) gets none and leaves the index, logged as an error, without failing
 * the run: every run would fail on it again.
 * A lead starts only while the invocation's time left holds `leadReserveMs`; the run then reads no further
 * page, and the leads it did not check stay in the index, due, for the next minute's run.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'followUps'>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<FollowUpRunSummary> => {
    const deps = dependencies();
    const now = new Date(event.time);
    const summary: FollowUpRunSummary = { checked: 0, acted: 0, rescheduled: 0, changed: 0 };
    const budget = new TimeBudget(() => context.getRemainingTimeInMillis(), leadReserveMs);
    // A lead re-filed at a time the run still covers comes round again: it was looked at once, that is enough.
    const seen = new Set<string>();
    const failed: Array<{ leadId: string; error: unknown }> = [];
    // Each page starts after the last lead read, so a lead left due (changing, or failing) holds back none after it.
    let after: DuePosition | undefined;
    do {
      const page = await deps.followUps.listDue(event.time, { limit: batchSize, after });
      for (const { leadId } of budget.startable(page.due.filter(({ leadId }) => !seen.has(leadId)))) {
        seen.add(leadId);
        summary.checked += 1;
        try {
          const outcome = await checkLead(deps, leadId, now);
          if (outcome === 'full') summary.full = (summary.full ?? 0) + 1;
          else summary[outcome] += 1;
        } catch (error) {
          // One lead the store cannot write (a rep's open-lead counter out of step, say) must not stop the reminders, breaches and recycles of the others.
          logger.error('Follow-up rules could not be applied to a lead; it stays due for the next run, and this run fails once the others are done', { leadId, error });
          failed.push({ leadId, error });
        }
      }
      after = page.next;
    } while (after && budget.hasTime());
    // The leads read and not checked, and any on pages not read (a cut-off run does not read what it has no time for).
    if (budget.outOfTime) logger.warn('Out of time: the leads still due are checked by the next run', { time: event.time, left: budget.left, morePagesUnread: after !== undefined });
    if (budget.left > 0) summary.left = budget.left;
    if (summary.checked > 0) logger.info('Follow-up rules run', { time: event.time, ...summary, failed: failed.length });
    if (failed.length > 0)
      throw new AggregateError(
        failed.map(({ error }) => error),
        `Follow-up rules failed for ${failed.map(({ leadId }) => `lead ${leadId}`).join(', ')}: ${failed.map(({ error }) => (error instanceof Error ? error.message : String(error))).join('; ')}`,
      );
    return summary;
  };
}

async function checkLead(deps: Pick<Dependencies, 'config' | 'leads' | 'followUps'>, leadId: string, now: Date): Promise<'acted' | 'rescheduled' | 'changed' | 'full'> {
  for (let attempt = 1; attempt <= attemptsPerLead; attempt += 1) {
    const lead = await deps.leads.getLead(leadId);
    if (!lead) return 'changed';
    // A step written every run to a lead that cannot take it would fail the run, and the lead would stay due: a loop.
    if (isPastScheduledStepsLimit(lead)) {
      if ((await setAsideFull(deps, lead, 'over the limit for scheduled steps')) === 'set') return 'full';
      continue;
    }
    const rules = followUpRulesFor(deps.config, lead);
    const reassignTo = rules.pool && lead.ownerId ? reassignmentCandidate(rules.pool, lead.ownerId, (repId) => isActiveRep(deps.config, repId)) : undefined;
    let plan = planFollowUps({ lead, rules, now, reassignTo });
    if (!plan) {
      const rescheduled = await deps.followUps.setNextCheck(lead, nextFollowUpCheck(lead, rules));
      if (rescheduled === 'set') return 'rescheduled';
      if (rescheduled === 'lead_full' && (await setAsideFull(deps, lead, 'its next check would take it over the item limit')) === 'set') return 'full';
      continue;
    }
    const move = plan.move;
    // A move to a rep comes from the pool's rules, and meets the holding cap a claim in that pool would.
    const target = move?.to === 'rep' ? deps.config.reps.find((rep) => rep.id === move.repId) : undefined;
    const pool = deps.config.pools.find((candidate) => candidate.id === lead.poolId);
    let outcome = await deps.followUps.applyPlan(lead, plan, target && pool ? holdingCapOf(target, pool) : undefined);
    if (outcome === 'target_at_capacity') {
      plan = planFollowUps({ lead, rules, now, reassignTo, repAtCapacity: true });
      outcome = plan ? await deps.followUps.applyPlan(lead, plan) : 'lead_changed';
    }
    if (outcome === 'applied') return 'acted';
    if (outcome === 'lead_full' && (await setAsideFull(deps, lead, 'its step would take it over the item limit')) === 'set') return 'full';
  }
  return 'changed';
}

/**
 * Takes a lead too full for a scheduled step out of the due-time index (its next check set to none), conditional on the
 * lead as read, and logs it as an error naming the lead: its reminders, breaches and recycling stop until someone works it.
 */
async function setAsideFull(deps: Pick<Dependencies, 'followUps'>, lead: Lead, why: string): Promise<'set' | 'lead_changed'> {
  if ((await deps.followUps.setNextCheck(lead, undefined)) !== 'set') return 'lead_changed';
  logger.error('A lead is too full for the follow-up rules to record a step: none was written, and it leaves the due-time index', { leadId: lead.leadId, why, bytes: leadBytes(lead) });
  return 'set';
}

function isActiveRep(config: Configuration, repId: string): boolean {
  return config.reps.some((rep) => rep.id === repId && rep.active);
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, followUps: providers.followUps })));
