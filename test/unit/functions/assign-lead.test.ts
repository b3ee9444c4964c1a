import { describe, expect, it, vi } from 'vitest';
import { erasePersonFromLead, routeFor, type LeadContact } from '@leadflow/domain';
import { logger } from '@leadflow/platform';
import { createHandler as createAssignHandler } from '../../../functions/assign-lead/handler';
import { createHandler as createNotifyManagers } from '../../../functions/notify-pool-managers/handler';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createStatusChange } from '../../../functions/change-lead-status/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { busEvent, lambdaContext, leadStepEvent } from '../../support/api-gateway-events';

type Deps = ReturnType<typeof fakeDependencies>;

/** Captures a lead and hands assign-lead what the matching route's rule would: `{routeId, detail}`. */
async function captureAndRoute(deps: Deps, leadId: string, input: { formId?: string; contact?: LeadContact; answers?: Record<string, string> } = {}) {
  const intake = webFormIntake(deps.config, { leadId, now: deps.now(), contact: { name: 'Ada', email: `${leadId}@example.com`, country: 'US' }, ...input });
  await deps.store.ingestLead(intake);
  const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
  const routeId = routeFor(deps.config.routing, detail).id;
  await createAssignHandler(() => deps)({ routeId, detail }, lambdaContext);
  return { routeId, lead: deps.store.leads.get(leadId)! };
}

const hotUsLead = { contact: { name: 'Hal', email: 'hal@bigco.example', phone: '+14155550100', title: 'VP Operations', country: 'US' }, answers: { company_size: '1000+', product_interest: 'Fleet software' } };

describe('assign-lead handler', () => {
  it('gives warm leads of the default route to the pool members in turn, recording route, strategy and score', async () => {
    const deps = fakeDependencies();
    const owners = [];
    for (const leadId of ['l1', 'l2', 'l3']) {
      const { routeId, lead } = await captureAndRoute(deps, leadId);
      expect(routeId).toBe('default');
      owners.push(lead.ownerId);
    }
    expect(owners).toEqual(['rep-ava', 'rep-ben', 'rep-ava']);
    const lead = deps.store.leads.get('l2')!;
    expect(lead.routing).toMatchObject({ routeId: 'default', strategy: 'round_robin', poolId: 'americas-inbound', outcome: 'assigned', ownerId: 'rep-ben', turn: 2 });
    expect(lead.routing?.score?.contributions.map((contribution) => contribution.ruleId)).toEqual(['channel-prior', 'served-country', 'asked-for-demo']);
    const assigned = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.assigned');
    expect(assigned.map((event) => event.detail.ownerId)).toEqual(['rep-ava', 'rep-ben', 'rep-ava']);
    expect(assigned[1].detail).toMatchObject({
      rule: 'round_robin',
      routeId: 'default',
      candidates: [
        { repId: 'rep-ben', verdict: 'chosen' },
        { repId: 'rep-ava', verdict: 'passed_over' },
      ],
    });
  });

  it('gives back the turn a redelivered lead.scored takes, so the next lead goes to the next rep in turn', async () => {
    const deps = fakeDependencies();
    const first = webFormIntake(deps.config, { leadId: 'l1', now: deps.now(), contact: { name: 'Ada', email: 'l1@example.com', country: 'US' } });
    await deps.store.ingestLead(first);
    const detail = first.events.find((event) => event.type === 'lead.scored')!.detail;
    const assign = createAssignHandler(() => deps);
    await assign({ routeId: 'default', detail }, lambdaContext);
    // EventBridge delivers at least once: the same event again, after the lead was assigned.
    await assign({ routeId: 'default', detail }, lambdaContext);
    await assign({ routeId: 'default', detail }, lambdaContext);
    const { lead } = await captureAndRoute(deps, 'l2');
    expect([deps.store.leads.get('l1')!.ownerId, lead.ownerId]).toEqual(['rep-ava', 'rep-ben']);
    expect(lead.routing).toMatchObject({ turn: 2 });
  });

  describe('an attempt that fails gives its turn back for the retry, so the rep whose turn it was gets the lead', () => {
    /** A captured lead's `lead.scored`, for the default route (round robin over Ava and Ben). */
    async function scored(deps: Deps, leadId: string) {
      const intake = webFormIntake(deps.config, { leadId, now: deps.now(), contact: { name: 'Ada', email: `${leadId}@example.com`, country: 'US' } });
      await deps.store.ingestLead(intake);
      return { routeId: 'default', detail: intake.events.find((event) => event.type === 'lead.scored')!.detail };
    }
    const throttled = () => Object.assign(new Error('Transaction cancelled [TransactionConflict]'), { name: 'TransactionCanceledException' });

    /** Delivers l1's event, which fails once as `failFirst` makes it, then again (Lambda's retry), then routes l2: the owners of both. */
    async function ownersAfterRetry(deps: Deps, failFirst: () => void) {
      const assign = createAssignHandler(() => deps);
      const first = await scored(deps, 'l1');
      failFirst();
      await expect(assign(first, lambdaContext)).rejects.toThrow(/TransactionConflict|throttled/);
      await assign(first, lambdaContext);
      await assign(await scored(deps, 'l2'), lambdaContext);
      return [deps.store.leads.get('l1')!.ownerId, deps.store.leads.get('l2')!.ownerId];
    }

    it('when the assignment write fails past its own retries', async () => {
      const deps = fakeDependencies();
      expect(await ownersAfterRetry(deps, () => vi.spyOn(deps.store, 'assignOwner').mockRejectedValueOnce(throttled()))).toEqual(['rep-ava', 'rep-ben']);
      expect(deps.store.leads.get('l2')!.routing).toMatchObject({ turn: 2 });
    });

    it("when the reps' states cannot be read, though the turn read beside them was taken", async () => {
      const deps = fakeDependencies();
      expect(await ownersAfterRetry(deps, () => vi.spyOn(deps.store, 'readRepStates').mockRejectedValueOnce(new Error('throttled')))).toEqual(['rep-ava', 'rep-ben']);
    });

    it('and fails on its own error when the turn cannot be given back either', async () => {
      const deps = fakeDependencies();
      vi.spyOn(deps.store, 'giveBackTurn').mockRejectedValueOnce(new Error('table unavailable'));
      expect(await ownersAfterRetry(deps, () => vi.spyOn(deps.store, 'assignOwner').mockRejectedValueOnce(throttled()))).toEqual(['rep-ben', 'rep-ava']);
    });

    it('but keeps it when the write committed and only its answer was lost, so the next lead does not take that turn again', async () => {
      const deps = fakeDependencies();
      const assignOwner = deps.store.assignOwner.bind(deps.store);
      const answerLost = () =>
        vi.spyOn(deps.store, 'assignOwner').mockImplementationOnce(async (change) => {
          await assignOwner(change);
          throw throttled();
        });
      expect(await ownersAfterRetry(deps, answerLost)).toEqual(['rep-ava', 'rep-ben']);
    });
  });

  it('takes turns from several counter items when routing.turnShards says so, and still shares the leads about evenly', async () => {
    const deps = fakeDependencies();
    deps.config.routing.turnShards = 4;
    const owners: Record<string, number> = {};
    for (let index = 0; index < 40; index += 1) {
      const { routeId, lead } = await captureAndRoute(deps, `sharded-${index}`);
      expect(routeId).toBe('default');
      owners[lead.ownerId!] = (owners[lead.ownerId!] ?? 0) + 1;
    }
    // Each shard alternates between the two reps, so they are at most a lead per shard apart.
    expect(owners['rep-ava'] + owners['rep-ben']).toBe(40);
    expect(Math.abs(owners['rep-ava'] - owners['rep-ben'])).toBeLessThanOrEqual(4);
    expect(await deps.store.takeTurn('default#americas-inbound#shard-3')).toBeGreaterThan(1);
  });

  it("holds routing to the pool's holding cap as claims are held to it, below the reps' own capacity", async () => {
    const deps = fakeDependencies();
    deps.config.pools.find((pool) => pool.id === 'americas-inbound')!.claim.holdingCap = 1;
    const owners = [];
    for (const leadId of ['cap-1', 'cap-2', 'cap-3']) owners.push((await captureAndRoute(deps, leadId)).lead.ownerId);
    expect(owners).toEqual(['rep-ava', 'rep-ben', undefined]);
    const pooled = deps.store.leads.get('cap-3')!;
    expect(pooled.status).toBe('in_pool');
    expect(pooled.routing?.candidates).toEqual([
      { repId: 'rep-ava', verdict: 'skipped', reason: 'at capacity (1/1 open leads)' },
      { repId: 'rep-ben', verdict: 'skipped', reason: 'at capacity (1/1 open leads)' },
    ]);
  });

  it("passes Ava's turn to Ben while she is out of office, and says why in the history", async () => {
    const deps = fakeDependencies();
    await deps.store.setOutOfOffice({ repId: 'rep-ava', outOfOffice: true, until: '2026-03-09T00:00:00.000Z', setBy: 'mgr-maya', setAt: deps.now().toISOString() });
    const { lead } = await captureAndRoute(deps, 'l1');
    expect(lead.ownerId).toBe('rep-ben');
    const entry = lead.history.at(-1)!;
    expect(entry.detail).toBe('route default (round robin turn 1) in pool americas-inbound chose rep-ben; rep-ava skipped: out of office until 2026-03-09T00:00:00.000Z');
    expect(entry.decision?.candidates).toEqual([
      { repId: 'rep-ben', verdict: 'chosen' },
      { repId: 'rep-ava', verdict: 'skipped', reason: 'out of office until 2026-03-09T00:00:00.000Z' },
    ]);
  });

  it('sends a hot lead to a rep whose territory covers its country', async () => {
    const deps = fakeDependencies();
    const { routeId, lead } = await captureAndRoute(deps, 'hot-1', { contact: { ...hotUsLead.contact, email: 'hal@bigco.example' }, answers: hotUsLead.answers });
    expect(routeId).toBe('hot-by-territory');
    expect(lead.score).toMatchObject({ temperature: 'hot', grade: 'A' });
    expect(['rep-ava', 'rep-ben']).toContain(lead.ownerId);
    expect(lead.routing?.candidates.filter((candidate) => candidate.verdict === 'skipped').map((candidate) => [candidate.repId, candidate.reason])).toEqual([
      ['rep-chloe', 'wrong territory (covers FR, BE, CH, emea)'],
      ['rep-dev', 'wrong territory (covers GB, IE, emea)'],
    ]);
    // The reasons name the reps' territories, not the lead's country: an erasure leaves the routing record and timeline.
    const erased = erasePersonFromLead(lead, { at: deps.now().toISOString(), eventId: 'erase-hot-1' })!.lead;
    expect(JSON.stringify(erased)).not.toMatch(/\bUS\b/);
  });

  it("shares a territory's hot leads between the reps covering it in turn, with other territories' leads coming in between", async () => {
    const deps = fakeDependencies();
    const owners: Record<string, Array<string | undefined>> = { US: [], GB: [] };
    for (const [index, country] of ['US', 'GB', 'US', 'GB', 'US', 'GB', 'US', 'GB'].entries()) {
      const { routeId, lead } = await captureAndRoute(deps, `hot-${index}`, { contact: { ...hotUsLead.contact, email: `hal-${index}@bigco.example`, phone: undefined, country }, answers: hotUsLead.answers });
      expect(routeId).toBe('hot-by-territory');
      owners[country].push(lead.ownerId);
    }
    expect(owners).toEqual({ US: ['rep-ava', 'rep-ben', 'rep-ava', 'rep-ben'], GB: ['rep-dev', 'rep-dev', 'rep-dev', 'rep-dev'] });
  });

  it('leaves a cold lead unowned in its pool, telling no manager; without marketing-email consent it enters no sequence', async () => {
    const deps = fakeDependencies();
    const { routeId, lead } = await captureAndRoute(deps, 'cold-1', { formId: 'emea-contact', contact: { name: 'Cy', email: 'info@gmail.com' } });
    expect(routeId).toBe('cold-to-nurture');
    expect(lead).toMatchObject({ status: 'in_pool', poolId: 'nurture', routing: { outcome: 'pooled', strategy: 'nurture' } });
    expect(lead.ownerId).toBeUndefined();
    expect(lead.nurture).toBeUndefined();
    const pooled = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.pooled');
    expect(pooled?.detail).toMatchObject({ reason: 'pool_strategy', poolId: 'nurture' });
  });

  it("leaves the lead in the route's pool when nobody is available, and emails the pool's managers once", async () => {
    const deps = fakeDependencies();
    for (const repId of ['rep-ava', 'rep-ben']) await deps.store.setOutOfOffice({ repId, outOfOffice: true, setBy: 'mgr-maya', setAt: deps.now().toISOString() });
    const { lead } = await captureAndRoute(deps, 'l1');
    expect(lead).toMatchObject({ status: 'in_pool', poolId: 'americas-inbound', routing: { outcome: 'pooled', strategy: 'round_robin' } });
    const pooled = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.pooled')!;
    expect(pooled.detail).toMatchObject({ reason: 'nobody_available' });
    const notify = createNotifyManagers(() => deps);
    await notify(busEvent('lead.pooled', pooled.detail), lambdaContext);
    await notify(busEvent('lead.pooled', pooled.detail), lambdaContext);
    expect(deps.mailer.sent).toHaveLength(1);
    expect(deps.mailer.sent[0]).toMatchObject({ to: 'maya.goldberg@northwind.example', subject: 'Unassigned lead waiting in Americas inbound: Ada' });
    expect(deps.mailer.sent[0].text).toContain('rep-ava skipped: out of office');
  });

  it('emails each pool manager once when two deliveries race (the one finding the claim fails for a retry), and again after a failed send', async () => {
    const deps = fakeDependencies();
    for (const repId of ['rep-ava', 'rep-ben']) await deps.store.setOutOfOffice({ repId, outOfOffice: true, setBy: 'mgr-maya', setAt: deps.now().toISOString() });
    await captureAndRoute(deps, 'l1');
    const pooled = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.pooled')!;
    const notify = createNotifyManagers(() => deps);
    const deliveries = await Promise.allSettled([notify(busEvent('lead.pooled', pooled.detail), lambdaContext), notify(busEvent('lead.pooled', pooled.detail), lambdaContext)]);
    expect(deliveries.map((delivery) => delivery.status).sort()).toEqual(['fulfilled', 'rejected']);
    await notify(busEvent('lead.pooled', pooled.detail), lambdaContext);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['maya.goldberg@northwind.example']);

    // Another event: SES refuses the first try, the claim goes back and the retry sends.
    const again = { ...pooled.detail, eventId: 'pooled-again' };
    vi.spyOn(deps.mailer, 'send').mockRejectedValueOnce(new Error('SES throttled'));
    await expect(notify(busEvent('lead.pooled', again), lambdaContext)).rejects.toThrow(/SES throttled/);
    await notify(busEvent('lead.pooled', again), lambdaContext);
    expect(deps.mailer.sent).toHaveLength(2);
  });

  it("does not ask the pool's managers to assign a lead claimed, marked invalid or erased before the email went out, and claims nothing", async () => {
    const deps = fakeDependencies();
    for (const repId of ['rep-ava', 'rep-ben']) await deps.store.setOutOfOffice({ repId, outOfOffice: true, setBy: 'mgr-maya', setAt: deps.now().toISOString() });
    const post = async (createStep: typeof createClaim | typeof createStatusChange, leadId: string, step: string, sub: string, body?: unknown) => {
      const event = leadStepEvent(step, leadId, { sub, 'cognito:groups': sub.startsWith('mgr-') ? '[manager]' : '[rep]' }, body);
      expect(((await createStep(() => deps)(event, lambdaContext)) as { statusCode: number }).statusCode).toBe(200);
    };
    const since = [
      ['claimed', (leadId: string) => post(createClaim, leadId, 'claim', 'rep-ava'), 'lead is now held by rep-ava'],
      ['invalid', (leadId: string) => post(createStatusChange, leadId, 'status', 'mgr-maya', { status: 'invalid', reason: 'fake' }), 'lead is now invalid'],
      ['erased', (leadId: string) => deps.store.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at: deps.now().toISOString(), eventId: `${leadId}-erased` }) }), 'lead was erased'],
    ] as const;
    const notify = createNotifyManagers(() => deps);
    const info = vi.spyOn(logger, 'info');
    for (const [leadId, change, reason] of since) {
      await captureAndRoute(deps, leadId);
      const pooled = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.pooled' && event.detail.leadId === leadId)!;
      expect(pooled.detail).toMatchObject({ reason: 'nobody_available' });
      await change(leadId);
      await notify(busEvent('lead.pooled', pooled.detail), lambdaContext);
      expect(info).toHaveBeenCalledWith('Pool manager not told: the lead no longer waits', { leadId, managerId: 'mgr-maya', poolId: 'americas-inbound', reason });
    }
    expect(deps.mailer.sent).toEqual([]);
    expect([...deps.notifications.claims.keys(), ...deps.notifications.sent.keys()]).toEqual([]);
  });

  it('never gives a rep more open leads than their holding cap', async () => {
    const deps = fakeDependencies();
    deps.store.openLeads.set('rep-ava', 40);
    const { lead } = await captureAndRoute(deps, 'l1');
    expect(lead.ownerId).toBe('rep-ben');
    expect(lead.routing?.candidates).toContainEqual({ repId: 'rep-ava', verdict: 'skipped', reason: 'at capacity (40/40 open leads)' });
  });

  it('leaves an owned lead alone when the rule delivers again, and refuses input that breaks the contract', async () => {
    const deps = fakeDependencies();
    const intake = webFormIntake(deps.config, { leadId: 'l1', now: deps.now() });
    await deps.store.ingestLead(intake);
    const input = { routeId: 'default', detail: intake.events[1].detail };
    const assign = createAssignHandler(() => deps);
    await assign(input, lambdaContext);
    await assign(input, lambdaContext);
    expect([...deps.store.outbox.values()].filter((item) => item.detailType === 'lead.assigned')).toHaveLength(1);
    await expect(assign({ routeId: 'default', detail: { leadId: 'l1' } }, lambdaContext)).rejects.toThrow();
    await expect(assign({ routeId: 'no-such-route', detail: intake.events[1].detail }, lambdaContext)).rejects.toThrow('no such route');
  });

  it("routes from the event's score and facts without reading the lead, and leaves a lead invalidated meanwhile alone", async () => {
    const deps = fakeDependencies();
    const reads: string[] = [];
    const getLead = deps.store.getLead.bind(deps.store);
    deps.store.getLead = async (leadId) => (reads.push(leadId), getLead(leadId));
    const { lead } = await captureAndRoute(deps, 'l1', hotUsLead);
    expect(reads).toEqual([]);
    expect(lead.ownerId).toBe('rep-ava'); // the demo routes a hot US lead to rep-ava first
    expect(lead.routing?.score).toEqual({ ...lead.score, scoredAt: undefined, contributions: lead.score!.contributions });

    const intake = webFormIntake(deps.config, { leadId: 'l2', now: deps.now(), contact: { name: 'Ida', email: 'ida@example.com', country: 'US' } });
    await deps.store.ingestLead(intake);
    deps.store.leads.get('l2')!.status = 'invalid';
    const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
    await createAssignHandler(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
    expect(deps.store.leads.get('l2')!.ownerId).toBeUndefined();
    expect([...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.assigned' && event.detail.leadId === 'l2')).toEqual([]);
    expect(reads).toEqual([]);
  });

  it('leaves a lead re-scored since the event alone, so a stale lead.scored cannot route a lead warmed out of nurture on its cold score', async () => {
    const deps = fakeDependencies();
    const contact = { name: 'Wes', email: 'wes@gmail.com' };
    const capture = (leadId: string, minutes: number) => webFormIntake(deps.config, { leadId, contact, now: new Date(deps.now().getTime() + minutes * 60_000) });
    const first = capture('wes', 0);
    await deps.store.ingestLead(first);
    const coldDetail = first.events.find((event) => event.type === 'lead.scored')!.detail;
    const assign = (detail: typeof coldDetail) => createAssignHandler(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
    await assign(coldDetail);
    expect(deps.store.leads.get('wes')).toMatchObject({ status: 'in_pool', routing: { strategy: 'nurture' }, score: { temperature: 'cold' } });
    // As with marketing-email consent: the lead is in the route's sequence.
    deps.store.leads.get('wes')!.nurture = { sequenceId: deps.config.nurture.sequences[0].id, enteredAt: deps.now().toISOString(), doneStepIds: [] };

    // Coming back twice warms the lead out of the pool; the second touch publishes a warm lead.scored.
    await deps.store.ingestLead(capture('wes-2', 1));
    await deps.store.ingestLead(capture('wes-3', 2));
    expect(deps.store.leads.get('wes')).toMatchObject({ status: 'new', score: { temperature: 'warm' } });
    const warmDetail = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.scored').at(-1)!.detail as typeof coldDetail;
    expect(warmDetail).toMatchObject({ leadId: 'wes', temperature: 'warm', reason: 'touched' });

    // The cold event, delivered again before the warm one is routed, must not pool the lead again.
    await assign(coldDetail);
    expect(deps.store.leads.get('wes')).toMatchObject({ status: 'new' });
    await assign(warmDetail);
    expect(deps.store.leads.get('wes')).toMatchObject({ status: 'assigned', routing: { score: { temperature: 'warm' } } });
  });

  it('reads the lead for an event written before details carried the score contributions', async () => {
    const deps = fakeDependencies();
    const intake = webFormIntake(deps.config, { leadId: 'l1', now: deps.now(), contact: { name: 'Ada', email: 'ada@example.com', country: 'US' } });
    await deps.store.ingestLead(intake);
    const { contributions: _contributions, ...olderDetail } = intake.events.find((event) => event.type === 'lead.scored')!.detail as Record<string, unknown>;
    await createAssignHandler(() => deps)({ routeId: 'default', detail: olderDetail }, lambdaContext);
    const lead = deps.store.leads.get('l1')!;
    expect(lead.ownerId).toBe('rep-ava');
    expect(lead.routing?.score?.contributions).toEqual(lead.score?.contributions);
  });
});
