import { describe, expect, it, vi } from 'vitest';
import { logger } from '@leadflow/platform';
import { leadEventSource, routeFor } from '@leadflow/domain';
import { matches } from '@leadflow/event-pattern';
import { manifestFunctions } from '@leadflow/manifest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler as createAssignHandler } from '../../../functions/assign-lead/handler';
import { createHandler as createNotifyOfferedHandler } from '../../../functions/notify-offered-reps/handler';
import { createHandler as createNotifyTakenHandler } from '../../../functions/notify-offer-taken/handler';
import { createHandler as createExpireHandler } from '../../../functions/expire-lead-offers/handler';
import { createHandler as createShowHandler } from '../../../functions/show-one-tap-action/handler';
import { createHandler as createPerformHandler } from '../../../functions/perform-one-tap-action/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';

type Deps = ReturnType<typeof fakeDependencies>;
const offeredAt = new Date('2026-03-02T17:00:00.000Z');

/** A hot Canadian lead from the demo form, routed: the demo's `hot-canada-offer` route offers it to Ava and Ben. */
async function offeredLead(deps: Deps, leadId = 'l1', contact: { phone?: string; message?: string } = {}) {
  const intake = webFormIntake(deps.config, {
    leadId,
    contact: { name: 'Celine Tremblay', email: `${leadId}@bigco.example`, title: 'VP Operations', company: 'Maple Freight', country: 'CA', ...contact },
    answers: { company_size: '1000+', product_interest: 'Fleet software' },
    now: deps.now(),
  });
  await deps.store.ingestLead(intake);
  const scored = intake.events.find((event) => event.type === 'lead.scored')!;
  const route = routeFor(deps.config.routing, scored.detail);
  await createAssignHandler(() => deps)({ routeId: route.id, detail: scored.detail }, lambdaContext);
  return route;
}

const eventsOf = (deps: Deps, detailType: string) => [...deps.store.outbox.values()].filter((event) => event.detailType === detailType).map((event) => event.detail);
const tokenIn = (text: string) => /https:\/\/leads\.example\/a\/(\S+)/.exec(text)?.[1] ?? '';
const get = (deps: Deps, token: string) => createShowHandler(() => deps)(httpEvent({ method: 'GET', path: `/a/${token}`, pathParameters: { token } }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;
const post = (deps: Deps, token: string) => createPerformHandler(() => deps)(httpEvent({ method: 'POST', path: `/a/${token}`, pathParameters: { token } }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;

describe('strategy offer: first to accept', () => {
  it('offers a hot Canadian lead to Ava and Ben at once, each told once by SMS and email with an accept link only and the contact masked', async () => {
    const deps = fakeDependencies(offeredAt);
    expect((await offeredLead(deps, 'l1', { phone: '+1 416 555 0134', message: 'Call me after 4' })).id).toBe('hot-canada-offer');
    const lead = deps.store.leads.get('l1')!;
    expect(lead).toMatchObject({ status: 'new', offer: { routeId: 'hot-canada-offer', poolId: 'key-accounts', repIds: ['rep-ava', 'rep-ben'], expiresAt: '2026-03-02T17:05:00.000Z', fallback: 'territory' } });
    expect(lead.ownerId).toBeUndefined();
    expect(lead.history.at(-1)).toMatchObject({ action: 'offered', by: 'system' });
    const [offered] = eventsOf(deps, 'lead.offered');
    expect(offered).toMatchObject({ leadId: 'l1', repIds: ['rep-ava', 'rep-ben'], expiresAt: '2026-03-02T17:05:00.000Z' });

    const notify = () => createNotifyOfferedHandler(() => deps)(busEvent('lead.offered', offered), lambdaContext);
    for (let delivery = 0; delivery < 3; delivery += 1) await notify();
    await Promise.all([notify(), notify()]);
    expect(deps.sms.sent.map((sms) => sms.to)).toEqual(['+14155550101', '+14155550102']);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ava.chen@northwind.example', 'ben.okafor@northwind.example']);
    expect(deps.metrics.measured).toHaveLength(1);
    expect(deps.sms.sent[0].body).toMatch(/^Hot lead offered, first to accept gets it: C\*\*\* T\*\*\* \(Maple Freight\) Accept: https:\/\/leads\.example\/a\/\S+$/);
    expect(deps.mailer.sent[0]).toMatchObject({ subject: 'Lead offered: C*** T***', text: expect.stringContaining('C*** T*** (l1) is offered to you and 1 other rep(s) until 2026-03-02 17:05 UTC') });
    expect(deps.mailer.sent[0].text).not.toContain('Release lead');
    // Masked as the pool listing masks it, so that offers cannot harvest the pool: no name, mailbox, number, message or answers.
    const lines = deps.mailer.sent[0].text.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['name: C*** T***', 'email: l***@bigco.example', 'phone: +1***0134', 'company: Maple Freight', 'title: VP Operations', 'country: CA']));
    for (const detail of ['Celine', 'Tremblay', 'l1@bigco.example', '4165550134', 'Call me after 4', 'Fleet software', '1000+']) {
      expect(deps.mailer.sent.map((email) => `${email.subject}\n${email.text}`).join('\n'), detail).not.toContain(detail);
      expect(deps.sms.sent.map((sms) => sms.body).join('\n'), detail).not.toContain(detail);
    }
    expect(tokenIn(deps.mailer.sent[0].text)).toBe(tokenIn(deps.sms.sent[0].body));
    // The link ends with the offer, and so does the provider's trying to deliver the text.
    const token = tokenIn(deps.sms.sent[0].body);
    expect(parseInt(token.split('.')[3], 36) * 1000).toBe(Date.parse('2026-03-02T17:05:00.000Z'));
    expect(deps.sms.sent.map((sms) => sms.timeToLiveSeconds)).toEqual([300, 300]);
  });

  it('tells the reps again of a second offer of the same lead, and nobody of the first offer once the second is made', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps);
    const [first] = eventsOf(deps, 'lead.offered') as Array<{ offeredAt: string; expiresAt: string }>;
    const notify = (detail: unknown) => createNotifyOfferedHandler(() => deps)(busEvent('lead.offered', detail), lambdaContext);
    await notify(first);
    expect(deps.sms.sent).toHaveLength(2);
    // The offer lapsed into the pool; a touch warmed the lead the next day and the offer route offered it again.
    const stored = deps.store.leads.get('l1')!;
    const again = { ...stored.offer!, offeredAt: '2026-03-03T09:00:00.000Z', expiresAt: '2026-03-03T09:05:00.000Z' };
    deps.store.leads.set('l1', { ...stored, offer: again });
    deps.now = () => new Date('2026-03-03T09:00:01.000Z');
    await notify(first);
    expect(deps.sms.sent).toHaveLength(2);
    await notify({ ...first, offeredAt: again.offeredAt, expiresAt: again.expiresAt });
    await notify({ ...first, offeredAt: again.offeredAt, expiresAt: again.expiresAt });
    expect(deps.sms.sent.map((sms) => sms.to)).toEqual(['+14155550101', '+14155550102', '+14155550101', '+14155550102']);
    expect(deps.mailer.sent).toHaveLength(4);
  });

  it('never lets the accept link lapse before an offer that ends within a second', async () => {
    const deps = fakeDependencies(new Date(offeredAt.getTime() + 250));
    await offeredLead(deps);
    const [offered] = eventsOf(deps, 'lead.offered') as Array<{ expiresAt: string }>;
    expect(offered.expiresAt).toBe('2026-03-02T17:05:00.250Z');
    await createNotifyOfferedHandler(() => deps)(busEvent('lead.offered', offered), lambdaContext);
    // Links carry whole seconds: the next one after the offer's end, so the offer itself decides its last second.
    expect(parseInt(tokenIn(deps.sms.sent[0].body).split('.')[3], 36) * 1000).toBe(Date.parse('2026-03-02T17:05:01.000Z'));
  });

  it('still tells the reps after one gone from the configuration, then fails naming them; a retry tells nobody twice', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps);
    deps.config.reps = deps.config.reps.filter((rep) => rep.id !== 'rep-ava');
    const notify = () => createNotifyOfferedHandler(() => deps)(busEvent('lead.offered', eventsOf(deps, 'lead.offered')[0]), lambdaContext);
    await expect(notify()).rejects.toThrow('Lead l1 was offered to rep "rep-ava", who is not in the configuration');
    await expect(notify()).rejects.toThrow('rep-ava');
    expect(deps.sms.sent.map((sms) => sms.to)).toEqual(['+14155550102']);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ben.okafor@northwind.example']);
  });

  it('gives the lead to the first rep who confirms; the other is told it is taken, by page and once by email', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps);
    await createNotifyOfferedHandler(() => deps)(busEvent('lead.offered', eventsOf(deps, 'lead.offered')[0]), lambdaContext);
    const [avaToken, benToken] = deps.sms.sent.map((sms) => tokenIn(sms.body));

    const page = await get(deps, benToken);
    expect(page).toMatchObject({ statusCode: 200, body: expect.stringContaining('offered to 2 reps until 2026-03-02 17:05 UTC; the first to accept owns it') });
    expect(page.body).toContain('C*** T***');
    expect(page.body).not.toContain('Celine');
    expect(deps.store.leads.get('l1')!.ownerId).toBeUndefined();

    const [ben, ava] = await Promise.all([post(deps, benToken), post(deps, avaToken)]);
    expect(ben).toMatchObject({ statusCode: 200, body: expect.stringContaining('The lead is yours') });
    expect(ava).toMatchObject({ statusCode: 409, body: expect.stringContaining('already taken by another rep') });
    const lead = deps.store.leads.get('l1')!;
    expect(lead).toMatchObject({ ownerId: 'rep-ben', status: 'assigned', assignment: { rule: 'offer', poolId: 'key-accounts' }, routing: { strategy: 'offer', outcome: 'assigned', ownerId: 'rep-ben' } });
    expect(lead.routing?.candidates).toEqual([
      { repId: 'rep-ava', verdict: 'passed_over', reason: 'did not accept first' },
      { repId: 'rep-ben', verdict: 'chosen' },
    ]);
    expect(lead.history.slice(-2).map((entry) => [entry.action, entry.by])).toEqual([
      ['accepted', 'rep-ben'],
      ['assigned', 'rep-ben'],
    ]);
    expect(deps.store.openLeads.get('rep-ben')).toBe(1);
    expect(deps.store.openLeads.get('rep-ava')).toBeUndefined();
    expect((await get(deps, avaToken)).body).toContain('already taken by another rep');
    expect((await post(deps, benToken)).statusCode).toBe(409);

    const assigned = eventsOf(deps, 'lead.assigned');
    expect(assigned).toEqual([expect.objectContaining({ ownerId: 'rep-ben', rule: 'offer', routeId: 'hot-canada-offer' })]);
    const mailsBefore = deps.mailer.sent.length;
    const notifyTaken = () => createNotifyTakenHandler(() => deps)(busEvent('lead.assigned', assigned[0]), lambdaContext);
    await notifyTaken();
    await notifyTaken();
    expect(deps.mailer.sent.slice(mailsBefore)).toEqual([
      expect.objectContaining({ to: 'ben.okafor@northwind.example', subject: 'New lead: Celine Tremblay', text: expect.stringContaining('Celine Tremblay is now your lead (l1)') }),
      expect.objectContaining({ to: 'ava.chen@northwind.example', subject: 'Lead taken: C*** T***', text: expect.stringContaining('already taken by another rep') }),
    ]);
    // The winner gets the details the offer masked, and every one-tap link; once, by email alone.
    const details = deps.mailer.sent[mailsBefore].text.split('\n');
    expect(details).toEqual(expect.arrayContaining(['email: l1@bigco.example', 'company_size: 1000+', expect.stringMatching(/^Release lead: https:/)]));
    expect(deps.sms.sent).toHaveLength(2);
  });

  it("refuses an accept that would take the rep past the offer pool's holding cap, and changes nothing", async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps);
    await createNotifyOfferedHandler(() => deps)(busEvent('lead.offered', eventsOf(deps, 'lead.offered')[0]), lambdaContext);
    const benToken = tokenIn(deps.sms.sent[1].body);
    // Ben holds two leads, far below his own capacity, and the key-accounts pool lets a rep hold two.
    deps.config.pools.find((pool) => pool.id === 'key-accounts')!.claim.holdingCap = 2;
    deps.store.openLeads.set('rep-ben', 2);
    expect(await post(deps, benToken)).toMatchObject({ statusCode: 409, body: expect.stringContaining('as many open leads as you may (2)') });
    expect(deps.store.leads.get('l1')!.ownerId).toBeUndefined();
    expect(deps.store.openLeads.get('rep-ben')).toBe(2);
  });

  it('refuses the accept of a rep marked inactive since the offer, by page and on POST, and leaves the offer open to the other rep', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps);
    await createNotifyOfferedHandler(() => deps)(busEvent('lead.offered', eventsOf(deps, 'lead.offered')[0]), lambdaContext);
    const [avaToken, benToken] = [tokenIn(deps.sms.sent[0].body), tokenIn(deps.sms.sent[1].body)];
    deps.config.reps.find((rep) => rep.id === 'rep-ava')!.active = false;
    expect(await get(deps, avaToken)).toMatchObject({ statusCode: 403, body: expect.stringContaining('marked inactive') });
    expect(await post(deps, avaToken)).toMatchObject({ statusCode: 403, body: expect.stringContaining('this offer stays with the other reps') });
    expect(deps.store.leads.get('l1')!.ownerId).toBeUndefined();
    expect(await post(deps, benToken)).toMatchObject({ statusCode: 200 });
    expect(deps.store.leads.get('l1')!.ownerId).toBe('rep-ben');
  });

  it('falls back when nobody accepts: the schedule run after the window lets the route fallback (territory) assign it', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps);
    const expire = (time: string) => createExpireHandler(() => deps)({ scheduleName: 'expire-lead-offers', time }, lambdaContext);
    expect(await expire('2026-03-02T17:04:59.000Z')).toEqual({ expired: [] });
    expect(deps.store.leads.get('l1')!.ownerId).toBeUndefined();
    expect(await expire('2026-03-02T17:05:30.000Z')).toEqual({ expired: ['l1'] });
    // Ava covers Canada; Ben does not.
    expect(deps.store.leads.get('l1')).toMatchObject({ ownerId: 'rep-ava', status: 'assigned', assignment: { rule: 'territory', poolId: 'key-accounts' } });
    expect(eventsOf(deps, 'lead.assigned')).toEqual([expect.objectContaining({ ownerId: 'rep-ava', rule: 'territory' })]);
    expect(await expire('2026-03-02T17:06:30.000Z')).toEqual({ expired: [] });
  });

  it('falls back to the pool when the route says so, and at once when nobody can be offered the lead', async () => {
    const deps = fakeDependencies(offeredAt);
    const route = deps.config.routing.routes.find((candidate) => candidate.id === 'hot-canada-offer')!;
    route.offer = { ...route.offer!, fallback: 'pool' };
    await offeredLead(deps, 'l1');
    await createExpireHandler(() => deps)({ scheduleName: 'expire-lead-offers', time: '2026-03-02T17:10:00.000Z' }, lambdaContext);
    // Offered to reps who could take it and did not: the route's own fallback pools it.
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'in_pool', poolId: 'key-accounts', routing: { strategy: 'pool', outcome: 'pooled' } });
    expect(eventsOf(deps, 'lead.pooled')).toEqual([expect.objectContaining({ leadId: 'l1', reason: 'pool_strategy' })]);

    for (const repId of ['rep-ava', 'rep-ben']) await deps.store.setOutOfOffice({ repId, outOfOffice: true, setAt: offeredAt.toISOString(), setBy: repId });
    await offeredLead(deps, 'l2');
    const lead = deps.store.leads.get('l2')!;
    expect(lead.offer).toBeUndefined();
    expect(lead).toMatchObject({
      status: 'in_pool',
      routing: { strategy: 'offer', outcome: 'pooled', candidates: [expect.objectContaining({ repId: 'rep-ava', verdict: 'skipped' }), expect.objectContaining({ repId: 'rep-ben', verdict: 'skipped' })] },
    });
    expect(lead.routing?.explanation).toMatch(/^route hot-canada-offer \(offer\) found nobody available in pool key-accounts: rep-ava skipped: .+; rep-ben skipped: .+/);
    expect(eventsOf(deps, 'lead.offered')).toHaveLength(1);
  });

  it('tells the pool managers when nobody on an offer route can be offered the lead and it falls back to the pool', async () => {
    const deps = fakeDependencies(offeredAt);
    const route = deps.config.routing.routes.find((candidate) => candidate.id === 'hot-canada-offer')!;
    route.offer = { ...route.offer!, fallback: 'pool' };
    for (const repId of ['rep-ava', 'rep-ben']) await deps.store.setOutOfOffice({ repId, outOfOffice: true, setAt: offeredAt.toISOString(), setBy: repId });
    await offeredLead(deps, 'l3');
    const [pooled] = eventsOf(deps, 'lead.pooled');
    expect(pooled).toMatchObject({
      leadId: 'l3',
      routeId: 'hot-canada-offer',
      strategy: 'offer',
      reason: 'nobody_available',
      candidates: [expect.objectContaining({ repId: 'rep-ava' }), expect.objectContaining({ repId: 'rep-ben' })],
    });
    const managers = manifestFunctions(deps.config).find((definition) => definition.name === 'notify-pool-managers')!;
    expect(managers.trigger.kind === 'event' && managers.trigger.rules.some((rule) => matches(rule.pattern, { source: leadEventSource, 'detail-type': 'lead.pooled', detail: pooled }))).toBe(true);
  });
  it('leaves a lead whose expired offer names a pool no longer configured in its capture pool, and goes on to the offers after it', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps, 'l-due');
    const template = structuredClone(deps.store.leads.get('l-due')!);
    // 150 offers made earlier by a route whose pool has since left the configuration.
    const orphans = Array.from({ length: 150 }, (_, index) => `l-orphan-${String(index).padStart(3, '0')}`);
    for (const leadId of orphans) deps.store.leads.set(leadId, { ...structuredClone(template), leadId, offer: { ...template.offer!, poolId: 'retired-accounts', expiresAt: '2026-03-02T17:01:00.000Z' } });

    const expire = (time: string) => createExpireHandler(() => deps)({ scheduleName: 'expire-lead-offers', time }, lambdaContext);
    expect(await expire('2026-03-02T17:06:00.000Z')).toEqual({ expired: [...orphans, 'l-due'] });
    expect(deps.store.leads.get('l-due')).toMatchObject({ ownerId: 'rep-ava', status: 'assigned', assignment: { rule: 'territory', poolId: 'key-accounts' } });
    // Out of the offer-expiry index, waiting unassigned in the form's pool (not the offer's), where its listing shows them.
    expect(template.poolId).toBe('americas-inbound');
    for (const leadId of orphans) expect(deps.store.leads.get(leadId)).toMatchObject({ status: 'in_pool', poolId: template.poolId, routing: { strategy: 'pool', outcome: 'pooled' } });
    expect((await deps.store.listPoolLeads(template.poolId, { limit: 100 })).leads.map((lead) => lead.leadId)).toContain(orphans[0]);
    expect(await expire('2026-03-02T17:07:00.000Z')).toEqual({ expired: [] });
  });
  it('goes on to the offers after one whose fallback cannot be written, and fails the run at the end naming it', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps, 'l-bad');
    await offeredLead(deps, 'l-good');
    const assignOwner = deps.store.assignOwner.bind(deps.store);
    deps.store.assignOwner = async (change) => {
      if (change.leadId === 'l-bad') throw new Error('Rep rep-ava holds lead l-bad but their open-lead counter is zero');
      return assignOwner(change);
    };
    const run = createExpireHandler(() => deps)({ scheduleName: 'expire-lead-offers', time: '2026-03-02T17:06:00.000Z' }, lambdaContext);
    await expect(run).rejects.toThrow('Expired offers did not fall back for lead l-bad: Rep rep-ava holds lead l-bad but their open-lead counter is zero');
    expect(deps.store.leads.get('l-good')).toMatchObject({ ownerId: 'rep-ava', status: 'assigned', assignment: { rule: 'territory' } });
    expect(deps.store.leads.get('l-bad')).toMatchObject({ status: 'new', offer: expect.anything() });
  });

  it('starts no fallback once its time runs low, leaving those offers expired and open for the next run, which applies them; a failed one is still named', async () => {
    const deps = fakeDependencies(offeredAt);
    for (const leadId of ['l-bad', 'l1', 'l2', 'l3']) await offeredLead(deps, leadId);
    let fallbacks = 0;
    const assignOwner = deps.store.assignOwner.bind(deps.store);
    deps.store.assignOwner = async (change) => {
      fallbacks += 1;
      if (change.leadId === 'l-bad') throw new Error('Rep rep-ava holds lead l-bad but their open-lead counter is zero');
      return assignOwner(change);
    };
    // Each fallback takes 10 s of the run: after three, no more than the reserve of one is left.
    const slowRun = { getRemainingTimeInMillis: () => 45_000 - 10_000 * fallbacks };
    const warn = vi.spyOn(logger, 'warn');
    const expire = createExpireHandler(() => deps);
    await expect(expire({ scheduleName: 'expire-lead-offers', time: '2026-03-02T17:06:00.000Z' }, slowRun)).rejects.toThrow(/^Expired offers did not fall back for lead l-bad: /);
    expect(['l1', 'l2', 'l3'].map((leadId) => deps.store.leads.get(leadId)?.ownerId)).toEqual(['rep-ava', 'rep-ava', undefined]);
    expect(warn).toHaveBeenCalledWith('Out of time: the expired offers still open fall back in the next run', { time: '2026-03-02T17:06:00.000Z', left: 1, morePagesUnread: false });
    // Still open and expired, in the index: the next minute's run finds it.
    expect((await deps.store.listExpiredOffers('2026-03-02T17:07:00.000Z', { limit: 10 })).leads.map((lead) => lead.leadId)).toEqual(['l-bad', 'l3']);
    await expect(expire({ scheduleName: 'expire-lead-offers', time: '2026-03-02T17:07:00.000Z' }, lambdaContext)).rejects.toThrow(/^Expired offers did not fall back for lead l-bad: /);
    expect(deps.store.leads.get('l3')).toMatchObject({ ownerId: 'rep-ava', status: 'assigned', assignment: { rule: 'territory' } });
    warn.mockRestore();
  });

  it('leaves a lead on offer alone when a re-score or redelivery routes it by another route; only the offer decides it', async () => {
    const deps = fakeDependencies(offeredAt);
    await offeredLead(deps);
    const scored = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.scored')!.detail;
    // The routing table changed meanwhile, or a touch re-scored the lead: another route's rule fires for it.
    for (const routeId of ['hot-by-territory', 'default']) await createAssignHandler(() => deps)({ routeId, detail: scored as never }, lambdaContext);
    const lead = deps.store.leads.get('l1')!;
    expect(lead).toMatchObject({ status: 'new', offer: { routeId: 'hot-canada-offer' } });
    expect(lead.ownerId).toBeUndefined();
    expect(eventsOf(deps, 'lead.assigned')).toEqual([]);
    expect(eventsOf(deps, 'lead.pooled')).toEqual([]);
  });
});
