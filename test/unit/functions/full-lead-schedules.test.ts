import { afterEach, describe, expect, it, vi } from 'vitest';
import { consentGivenEntries, leadBytes, routeFor, scheduledStepsLimitBytes, type FollowUpPlan, type Lead } from '@leadflow/domain';
import { logger, MessageRefusedError, type FollowUpStore, type OutgoingEmail } from '@leadflow/platform';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler as createAssign } from '../../../functions/assign-lead/handler';
import { createHandler as createExpire } from '../../../functions/expire-lead-offers/handler';
import { createHandler as createJob } from '../../../functions/run-follow-up-rules/handler';
import { createHandler as createSender } from '../../../functions/send-nurture-emails/handler';
import { createHandler as createNotifyOffered } from '../../../functions/notify-offered-reps/handler';
import { createHandler as createPerform } from '../../../functions/perform-one-tap-action/handler';
import { fakeDependencies } from '../../support/fakes';
import { fillMemoryLeadToTheBrim } from '../../support/brim-lead';
import { webFormIntake } from '../../support/intakes';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';

type Deps = ReturnType<typeof fakeDependencies>;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A lead `rep-ava` owns, captured long enough ago that its first-contact SLA has passed by `now`. */
function ownedLead(deps: Deps, leadId: string): Lead {
  const lead = webFormIntake(deps.config, { leadId }).lead;
  return { ...lead, status: 'assigned', ownerId: 'rep-ava', assignment: { rule: 'manual', poolId: lead.poolId, assignedAt: '2026-03-01T00:00:00.000Z' } };
}

/** A due-time index in memory over the leads `due`: what it was asked to write, and `applyPlan` answering `answer`. */
function dueIndex(due: string[], answer: 'applied' | 'lead_full') {
  const filed = new Map(due.map((leadId) => [leadId, '2026-03-01T01:00:00.000Z']));
  const applied: string[] = [];
  const store: Pick<FollowUpStore, 'listDue' | 'setNextCheck' | 'applyPlan'> = {
    async listDue(dueBy) {
      return { due: [...filed].filter(([, dueAt]) => dueAt <= dueBy).map(([leadId, dueAt]) => ({ leadId, dueAt })) };
    },
    async setNextCheck(seen: Lead, nextCheckAt: string | undefined) {
      if (nextCheckAt) filed.set(seen.leadId, nextCheckAt);
      else filed.delete(seen.leadId);
      return 'set';
    },
    async applyPlan(seen: Lead, plan: FollowUpPlan) {
      if (answer === 'lead_full') return 'lead_full';
      applied.push(seen.leadId);
      if (plan.nextCheckAt) filed.set(seen.leadId, plan.nextCheckAt);
      else filed.delete(seen.leadId);
      return 'applied';
    },
  };
  return { store: store as FollowUpStore, filed, applied };
}

const oneHourSla = { firstContactMinutes: { A: 60, B: 60, C: 60, D: 60, ungraded: 60 }, remindBeforeMinutes: 0, nextStepGraceMinutes: 0 };

describe('run-follow-up-rules on a full lead', () => {
  const now = '2026-03-02T10:00:00.000Z';

  it('writes no step to a lead past the limit for scheduled steps: it leaves the due-time index, logged by id, counted, and the run succeeds', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(new Date(now));
    deps.config.sla = oneHourSla;
    const full = ownedLead(deps, 'full-lead');
    full.history.push({ at: '2026-03-01T00:00:00.000Z', action: 'activity', by: 'rep-ava', detail: 'x'.repeat(scheduledStepsLimitBytes) });
    deps.store.leads.set('full-lead', full);
    deps.store.leads.set('roomy-lead', ownedLead(deps, 'roomy-lead'));
    const index = dueIndex(['full-lead', 'roomy-lead'], 'applied');
    const run = () => createJob(() => ({ ...deps, followUps: index.store }))({ scheduleName: 'follow-up-rules', time: now }, lambdaContext);

    expect(await run()).toEqual({ checked: 2, acted: 1, rescheduled: 0, changed: 0, full: 1 });
    expect(index.applied).toEqual(['roomy-lead']);
    expect(index.filed.has('full-lead')).toBe(false);
    expect(deps.store.leads.get('full-lead')).toEqual(full);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('too full for the follow-up rules'), expect.objectContaining({ leadId: 'full-lead' }));
    expect(await run()).toEqual({ checked: 0, acted: 0, rescheduled: 0, changed: 0 });
  });

  it('takes a lead whose plan the store answers lead_full out of the due-time index, rather than failing every run', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(new Date(now));
    deps.config.sla = oneHourSla;
    deps.store.leads.set('brim-lead', ownedLead(deps, 'brim-lead'));
    const index = dueIndex(['brim-lead'], 'lead_full');
    const run = () => createJob(() => ({ ...deps, followUps: index.store }))({ scheduleName: 'follow-up-rules', time: now }, lambdaContext);
    expect(await run()).toEqual({ checked: 1, acted: 0, rescheduled: 0, changed: 0, full: 1 });
    expect(index.filed.has('brim-lead')).toBe(false);
    expect(error).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ leadId: 'brim-lead' }));
    expect(await run()).toEqual({ checked: 0, acted: 0, rescheduled: 0, changed: 0 });
  });
});

describe('the nurture sender on a full lead', () => {
  const capturedAt = new Date('2026-03-02T10:00:00.000Z');
  const marketingConsent = { version: '2026-11', text: 'emails now and then', purposes: ['contact' as const, 'marketing_email' as const], givenAt: capturedAt.toISOString() };
  const runSender = (deps: Deps, at: Date) => createSender(() => deps)({ scheduleName: 'nurture-emails', time: at.toISOString() }, lambdaContext);

  /** A cold lead the demo's nurture route left in its sequence, its first step due at capture. */
  async function nurtured(deps: Deps, leadId: string): Promise<void> {
    const intake = webFormIntake(deps.config, { leadId, now: capturedAt, contact: { name: 'Ada', email: `${leadId}@gmail.com` } });
    intake.lead.consent = marketingConsent;
    intake.consents = consentGivenEntries(leadId, marketingConsent, 'form:demo');
    await deps.store.ingestLead(intake);
    const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
    await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
    expect(deps.store.leads.get(leadId)).toMatchObject({ status: 'in_pool', nurture: { doneStepIds: [] } });
  }

  it('answers lead_full and stops reading a lead too full for its unsubscribe secret or its step; the others still get theirs', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(capturedAt);
    for (const leadId of ['n-new', 'n-secret', 'n-roomy']) await nurtured(deps, leadId);
    expect(await deps.store.unsubscribeSecretFor('n-secret', 'kept-secret-0000000000')).toBe('kept-secret-0000000000');
    fillMemoryLeadToTheBrim(deps.store, 'n-new', 'system');
    fillMemoryLeadToTheBrim(deps.store, 'n-secret', 'system');
    const at = new Date(capturedAt.getTime() + 3_600_000);

    expect((await runSender(deps, at)).outcomes).toEqual([
      { leadId: 'n-new', outcome: 'lead_full' },
      { leadId: 'n-roomy', outcome: 'emailed', stepId: 'hello' },
      { leadId: 'n-secret', outcome: 'lead_full' },
    ]);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['n-roomy@gmail.com']);
    expect(error.mock.calls.filter(([message]) => typeof message === 'string' && message.includes('too full')).map(([, context]) => (context as { leadId: string }).leadId)).toEqual(['n-new', 'n-secret']);
    expect((await runSender(deps, at)).outcomes).toEqual([]);
    expect(deps.store.leads.get('n-new')).toMatchObject({ status: 'in_pool', nurture: { doneStepIds: [] } });
  });

  it('does not put a send off again on a lead past the limit for scheduled steps: the step stays recorded, unsent', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(capturedAt);
    await nurtured(deps, 'n-busy');
    const lead = deps.store.leads.get('n-busy')!;
    lead.history.push({ at: capturedAt.toISOString(), action: 'activity', by: 'system', detail: 'x'.repeat(scheduledStepsLimitBytes) });
    expect(leadBytes(lead)).toBeGreaterThan(scheduledStepsLimitBytes);
    deps.mailer.send = (_message: OutgoingEmail) => Promise.reject(new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded.'));
    const at = new Date(capturedAt.getTime() + 3_600_000);

    expect((await runSender(deps, at)).outcomes).toEqual([{ leadId: 'n-busy', outcome: 'send_failed', stepId: 'hello' }]);
    expect(deps.store.leads.get('n-busy')).toMatchObject({ nurture: { doneStepIds: ['hello'] } });
    expect(deps.store.leads.get('n-busy')!.history.map((entry) => entry.action)).not.toContain('nurture_rescheduled');
    expect((await runSender(deps, at)).outcomes).toEqual([]);
  });
});

describe('routing a full lead', () => {
  const offeredAt = new Date('2026-03-02T17:00:00.000Z');

  /** A hot Canadian lead from the demo form: the demo's `hot-canada-offer` route offers it to Ava and Ben. */
  function hotLead(deps: Deps, leadId: string) {
    return webFormIntake(deps.config, {
      leadId,
      contact: { name: 'Celine Tremblay', email: `${leadId}@bigco.example`, title: 'VP Operations', company: 'Maple Freight', country: 'CA' },
      answers: { company_size: '1000+', product_interest: 'Fleet software' },
      now: deps.now(),
    });
  }

  it('assign-lead logs a lead too full to route, by id, and does not fail (a retry cannot help)', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(offeredAt);
    const intake = webFormIntake(deps.config, { leadId: 'full-new', now: offeredAt });
    await deps.store.ingestLead(intake);
    fillMemoryLeadToTheBrim(deps.store, 'full-new');
    const before = structuredClone(deps.store.leads.get('full-new'));
    const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
    const route = routeFor(deps.config.routing, detail);
    await expect(createAssign(() => deps)({ routeId: route.id, detail }, lambdaContext)).resolves.toBeUndefined();
    expect(deps.store.leads.get('full-new')).toEqual(before);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('too full to record its routing'), expect.objectContaining({ leadId: 'full-new' }));
  });

  it('expire-lead-offers takes a lead too full for its fallback out of the offer-expiry index, so later runs do not read it', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(offeredAt);
    const intake = hotLead(deps, 'full-offered');
    await deps.store.ingestLead(intake);
    const scored = intake.events.find((event) => event.type === 'lead.scored')!;
    await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, scored.detail).id, detail: scored.detail }, lambdaContext);
    expect(deps.store.leads.get('full-offered')).toMatchObject({ status: 'new', offer: { expiresAt: '2026-03-02T17:05:00.000Z' } });
    fillMemoryLeadToTheBrim(deps.store, 'full-offered');
    const expire = (time: string) => createExpire(() => deps)({ scheduleName: 'expire-lead-offers', time }, lambdaContext);

    expect(await expire('2026-03-02T17:05:30.000Z')).toEqual({ expired: ['full-offered'] });
    expect(deps.store.leads.get('full-offered')!.ownerId).toBeUndefined();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('too full to take its fallback'), { leadId: 'full-offered' });
    expect(await expire('2026-03-02T17:06:30.000Z')).toEqual({ expired: [] });
  });

  it("a one-tap accept of a full lead's offer answers a 409 page saying so, and the link stays unused", async () => {
    const deps = fakeDependencies(offeredAt);
    const intake = hotLead(deps, 'full-accept');
    await deps.store.ingestLead(intake);
    const scored = intake.events.find((event) => event.type === 'lead.scored')!;
    await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, scored.detail).id, detail: scored.detail }, lambdaContext);
    const offered = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.offered')!;
    await createNotifyOffered(() => deps)(busEvent('lead.offered', offered.detail), lambdaContext);
    const token = /https:\/\/leads\.example\/a\/(\S+)/.exec(deps.sms.sent[0].body)?.[1] ?? '';
    fillMemoryLeadToTheBrim(deps.store, 'full-accept');
    const post = () => createPerform(() => deps)(httpEvent({ method: 'POST', path: `/a/${token}`, pathParameters: { token } }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;

    expect(await post()).toMatchObject({ statusCode: 409, body: expect.stringContaining('timeline is too long to record this step; nothing was changed') });
    expect(deps.store.leads.get('full-accept')!.ownerId).toBeUndefined();
    expect(deps.links.used.size).toBe(0);
  });
});
