import { followUpRulesFor, followUpRulesVersion, nextFollowUpCheck } from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import type { FollowUpRefileState } from './ports/follow-ups';

/** Owned leads one run of the follow-up job re-files at most, after its due work: a pass over thousands spreads over a few minutes. */
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
}

/**
 * Files every lead a configured rep owns under the follow-up rules configured now, once those rules
 * changed (`followUpRulesVersion`): leads that had nothing due may now have, and due times filed under
 * the old rules move. Lifecycle events file each lead they touch (`track-follow-up-due`); this reaches
 * the others. It reads each rep's leads in agenda order, writes only due times that differ, and stops
 * after `limit` leads, keeping its position for the next run; a run finding the rules filed reads one
 * item. A lead changed while it was read is left to its own event, which files it from the newer state.
 * Leads of a rep no longer in the configuration are not reached (their owner is not known to list).
 */
export async function refileFollowUpChecks(deps: Pick<Dependencies, 'config' | 'followUps'>, limit = refiledLeadsPerRun): Promise<RefileProgress> {
  const version = followUpRulesVersion(deps.config);
  const state = await deps.followUps.refileState();
  const progress: RefileProgress = { read: 0, refiled: 0, done: true };
  if (state?.filedVersion === version) return progress;
  const repIds = [...new Set(deps.config.reps.map((rep) => rep.id))].sort();
  // A pass under other rules (changed again while it ran) starts over; reps are taken by id, so one added meanwhile is not skipped.
  let position: NonNullable<FollowUpRefileState['pass']> | undefined = state?.pass?.version === version ? state.pass : repIds[0] === undefined ? undefined : { version, repId: repIds[0] };
  while (position) {
    if (progress.read >= limit) {
      await deps.followUps.saveRefileState({ ...state, pass: position });
      return { ...progress, done: false };
    }
    const page = await deps.followUps.listOwned(position.repId, Math.min(pageSize, limit - progress.read), position.after);
    for (const { lead, dueAt } of page.entries) {
      progress.read += 1;
      const nextCheckAt = nextFollowUpCheck(lead, followUpRulesFor(deps.config, lead));
      if (nextCheckAt !== dueAt && (await deps.followUps.setNextCheck(lead, nextCheckAt)) === 'set') progress.refiled += 1;
    }
    const current: string = position.repId;
    const nextRep = repIds.find((repId) => repId > current);
    position = page.next ? { version, repId: current, after: page.next } : nextRep === undefined ? undefined : { version, repId: nextRep };
  }
  await deps.followUps.saveRefileState({ filedVersion: version });
  return progress;
}
