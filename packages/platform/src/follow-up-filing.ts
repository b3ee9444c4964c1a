import { followUpRulesFor, followUpRulesVersion, nextFollowUpCheck, type Lead } from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { logger } from './logger';
import type { FollowUpRefileState, UnreadableLead } from './ports/follow-ups';

/** Owned leads one run of the `follow-up-refiling` schedule re-files at most: a pass over many thousands spreads over a few minutes. */
export const refiledLeadsPerRun = 1000;

/** Leads read per query of one rep's leads. */
const pageSize = 100;

export interface RefileProgress {
  /** Owned leads read by this run's share of the pass. */
  read: number;
  /** Those whose due time changed and was written. */
  refiled: number;
  /** Whether every owned lead is now filed under the rules configured now. */
  done: boolean;
  /** Leads that kept changing under each attempt to file them: the pass starts over once it reaches its end. */
  changing: string[];
  /** Stored leads that do not read as leads: nothing can file them, and they hold back no other. */
  unreadable: UnreadableLead[];
}

/**
 * Files every lead a configured rep owns under the follow-up rules configured now, once those rules
 * changed (`followUpRulesVersion`): leads that had nothing due may now have, and due times filed under
 * the old rules move. Lifecycle events file each lead they touch (`track-follow-up-due`); this reaches
 * the others. It reads each rep's leads in agenda order, writes only due times that differ (conditional
 * on the lead as read: one changed meanwhile is read again, as the tracker does, since not every change
 * has an event), and stops after `limit` leads, keeping its position for the next run; a run finding the
 * rules filed reads one item. The new version is recorded only once every lead read was filed; should one
 * keep changing in any run of the pass, the pass starts over once it reaches its end. Reps are taken in id
 * order, so one added to the configuration during a pass is reached only if its id comes after the rep
 * being read; leads of a rep no longer in the configuration are not reached (their owner is not known to list).
 */
export async function refileFollowUpChecks(deps: Pick<Dependencies, 'config' | 'leads' | 'followUps'>, limit = refiledLeadsPerRun): Promise<RefileProgress> {
  const version = followUpRulesVersion(deps.config);
  const state = await deps.followUps.refileState();
  const progress: RefileProgress = { read: 0, refiled: 0, done: true, changing: [], unreadable: [] };
  if (state?.filedVersion === version) return progress;
  const repIds = [...new Set(deps.config.reps.map((rep) => rep.id))].sort();
  const start = repIds[0] === undefined ? undefined : { version, repId: repIds[0] };
  // A pass under other rules (changed again while it ran) starts over.
  const resumed = state?.pass?.version === version ? state.pass : undefined;
  let position: NonNullable<FollowUpRefileState['pass']> | undefined = resumed ?? start;
  // A lead that kept changing in an earlier run of this pass is still not filed: it sends the pass back to the start as one in this run does.
  const startOver = () => resumed?.startOver === true || progress.changing.length > 0;
  while (position) {
    if (progress.read >= limit) {
      await deps.followUps.saveRefileState({ ...state, pass: { ...position, ...(startOver() ? { startOver: true } : {}) } });
      return { ...progress, done: false };
    }
    const page = await deps.followUps.listOwned(position.repId, Math.min(pageSize, limit - progress.read), position.after);
    progress.unreadable.push(...page.unreadable);
    progress.read += page.unreadable.length;
    for (const entry of page.entries) {
      progress.read += 1;
      const outcome = await refileLead(deps, entry.lead, entry.dueAt);
      if (outcome === 'refiled') progress.refiled += 1;
      if (outcome === 'changing') progress.changing.push(entry.lead.leadId);
    }
    const current: string = position.repId;
    const nextRep = repIds.find((repId) => repId > current);
    position = page.next ? { version, repId: current, after: page.next } : nextRep === undefined ? undefined : { version, repId: nextRep };
  }
  if (startOver()) {
    await deps.followUps.saveRefileState({ ...state, pass: start });
    return { ...progress, done: false };
  }
  await deps.followUps.saveRefileState({ filedVersion: version });
  return progress;
}

/** Files one listed lead under the rules configured now, unless the due time it is listed with is already theirs. */
async function refileLead(deps: Pick<Dependencies, 'config' | 'leads' | 'followUps'>, listed: Lead, listedDueAt: string | undefined): Promise<'refiled' | 'unchanged' | 'changing'> {
  if (nextFollowUpCheck(listed, followUpRulesFor(deps.config, listed)) === listedDueAt) return 'unchanged';
  const outcome = await fileNextFollowUpCheck(deps, listed);
  return outcome === 'set' ? 'refiled' : outcome === 'changing' ? 'changing' : 'unchanged';
}

/** A lead changed between its read and its write is read again (strongly consistent), this many times. */
export const followUpFileAttempts = 3;

/**
 * Files the lead as `read` in the follow-up due-time index at its next check under the rules configured now (or takes
 * it out), conditional on the lead as read; a lead changed meanwhile is read again and filed as it then
 * is, since not every change (a tag, a one-tap accept) has an event. `gone` when the lead is no longer
 * stored, `changing` when it changed under every attempt, `full` when it has no room left for a due time: logged
 * as an error naming it, as no retry can file it (its follow-up rules do not run; the rules write nothing to a lead that full).
 */
export async function fileNextFollowUpCheck(deps: Pick<Dependencies, 'config' | 'leads' | 'followUps'>, read: Lead): Promise<'set' | 'gone' | 'changing' | 'full'> {
  let lead: Lead | undefined = read;
  for (let attempt = 1; lead; attempt += 1) {
    const outcome = await deps.followUps.setNextCheck(lead, nextFollowUpCheck(lead, followUpRulesFor(deps.config, lead)));
    if (outcome === 'set') return 'set';
    if (outcome === 'lead_full') {
      logger.error('A lead has no room left for its follow-up due time: it is not filed, and the follow-up rules do not look at it', { leadId: lead.leadId });
      return 'full';
    }
    if (attempt === followUpFileAttempts) return 'changing';
    lead = await deps.leads.getLead(read.leadId);
  }
  return 'gone';
}
