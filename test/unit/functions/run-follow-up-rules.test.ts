import { describe, expect, it, vi } from 'vitest';
import type { FollowUpPlan, Lead } from '@leadflow/domain';
import { logger, type DuePosition, type DueLead, type FollowUpStore } from '@leadflow/platform';
import { createHandler } from '../../../functions/run-follow-up-rules/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { lambdaContext } from '../../support/api-gateway-events';

const now = '2026-03-02T10:00:00.000Z';

/** A due-time index in memory whose writes fail for the leads in `failing`, as the store does when a rep's open-lead counter is out of step. */
function dueIndex(due: DueLead[], failing: ReadonlySet<string>) {
  const ordered = [...due].sort((a, b) => (a.dueAt === b.dueAt ? a.leadId.localeCompare(b.leadId) : a.dueAt.localeCompare(b.dueAt)));
  const applied: string[] = [];
  /** Every write started, failed or not. */
  const tried: string[] = [];
  const store: Pick<FollowUpStore, 'listDue' | 'setNextCheck' | 'applyPlan'> = {
    async listDue(dueBy: string, page: { limit: number; after?: DuePosition }) {
      const after = page.after;
      const left = ordered.filter((lead) => lead.dueAt <= dueBy && (!after || lead.dueAt > after.at || (lead.dueAt === after.at && lead.leadId > after.leadId)));
      const shown = left.slice(0, page.limit);
      const last = shown.length === page.limit ? shown.at(-1) : undefined;
      return { due: shown, ...(last ? { next: { at: last.dueAt, leadId: last.leadId } } : {}) };
    },
    setNextCheck: async () => 'set',
    async applyPlan(seen: Lead, _plan: FollowUpPlan) {
      tried.push(seen.leadId);
      if (failing.has(seen.leadId)) throw new Error(`Rep ${seen.ownerId} owns lead ${seen.leadId} but their open-lead counter is zero`);
      applied.push(seen.leadId);
      // Written, the lead leaves the index until its next check.
      ordered.splice(
        ordered.findIndex((lead) => lead.leadId === seen.leadId),
        1,
      );
      return 'applied';
    },
  };
  return { store: store as FollowUpStore, applied, tried };
}

/** A lead `rep-ava` owns, captured long enough ago that its first-contact SLA has passed by `now`. */
function ownedLead(deps: ReturnType<typeof fakeDependencies>, leadId: string): Lead {
  const lead = webFormIntake(deps.config, { leadId }).lead;
  return { ...lead, status: 'assigned', ownerId: 'rep-ava', assignment: { rule: 'manual', poolId: lead.poolId, assignedAt: '2026-03-01T00:00:00.000Z' } };
}

const oneHourSla = { firstContactMinutes: { A: 60, B: 60, C: 60, D: 60, ungraded: 60 }, remindBeforeMinutes: 0, nextStepGraceMinutes: 0 };

describe('run-follow-up-rules', () => {
  it('goes on past leads whose plan cannot be written, however many come first, and fails the run at the end naming them', async () => {
    const deps = fakeDependencies(new Date(now));
    deps.config.sla = oneHourSla;
    // More failing leads than one page, all due before the healthy one.
    const failing = Array.from({ length: 120 }, (_, index) => `bad-${String(index).padStart(3, '0')}`);
    for (const leadId of [...failing, 'good']) deps.store.leads.set(leadId, ownedLead(deps, leadId));
    const index = dueIndex([...failing.map((leadId) => ({ leadId, dueAt: '2026-03-01T01:00:00.000Z' })), { leadId: 'good', dueAt: '2026-03-01T02:00:00.000Z' }], new Set(failing));
    const run = createHandler(() => ({ ...deps, followUps: index.store }))({ scheduleName: 'follow-up-rules', time: now }, lambdaContext);
    await expect(run).rejects.toThrow(/^Follow-up rules failed for lead bad-000, lead bad-001, .*lead bad-119: Rep rep-ava owns lead bad-000 but their open-lead counter is zero/);
    expect(index.applied).toEqual(['good']);
  });

  it('starts no lead once its time runs low, leaving the rest due for the next run, which checks them; a failed lead is still named', async () => {
    const deps = fakeDependencies(new Date(now));
    deps.config.sla = oneHourSla;
    const leadIds = ['a-bad', 'l1', 'l2', 'l3', 'l4', 'l5'];
    for (const leadId of leadIds) deps.store.leads.set(leadId, ownedLead(deps, leadId));
    const index = dueIndex(
      leadIds.map((leadId) => ({ leadId, dueAt: '2026-03-01T01:00:00.000Z' })),
      new Set(['a-bad']),
    );
    // Each lead takes 10 s of the run: after four, no more than the reserve of one is left.
    const slowRun = { getRemainingTimeInMillis: () => 55_000 - 10_000 * index.tried.length };
    const warn = vi.spyOn(logger, 'warn');
    const job = createHandler(() => ({ ...deps, followUps: index.store }));
    await expect(job({ scheduleName: 'follow-up-rules', time: now }, slowRun)).rejects.toThrow(/^Follow-up rules failed for lead a-bad: /);
    expect(index.applied).toEqual(['l1', 'l2', 'l3']);
    expect(warn).toHaveBeenCalledWith('Out of time: the leads still due are checked by the next run', { time: now, left: 2, morePagesUnread: false });
    // Left where they were: due, for the next minute's run.
    expect((await index.store.listDue(now, { limit: 10 })).due.map(({ leadId }) => leadId)).toEqual(['a-bad', 'l4', 'l5']);
    await expect(job({ scheduleName: 'follow-up-rules', time: '2026-03-02T10:01:00.000Z' }, lambdaContext)).rejects.toThrow(/^Follow-up rules failed for lead a-bad: /);
    expect(index.applied).toEqual(['l1', 'l2', 'l3', 'l4', 'l5']);
    warn.mockRestore();
  });
});
