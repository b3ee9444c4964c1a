import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { poolSchema, type Configuration, type LeadTransition } from '@leadflow/domain';
import { DynamoDbConsentLedger, DynamoDbFollowUpStore, type LeadStore } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createStatus } from '../../functions/change-lead-status/handler';
import { createHandler as createConvert } from '../../functions/convert-lead/handler';
import { createHandler as createAssign } from '../../functions/assign-lead-manually/handler';
import { createHandler as createTag } from '../../functions/tag-lead/handler';
import { createHandler as createTracker } from '../../functions/track-follow-up-due/handler';
import { createHandler as createJob } from '../../functions/run-follow-up-rules/handler';
import { createHandler as createRouting } from '../../functions/assign-lead/handler';
import { createHandler as createExpire } from '../../functions/expire-lead-offers/handler';
import { demoConfiguration, offerRouteConfiguration } from '../support/demo-configuration';
import { webFormIntake } from '../support/intakes';
import { RecordingMetrics } from '../support/fakes';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { busEvent, lambdaContext, leadStepEvent } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let followUps: DynamoDbFollowUpStore;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  followUps = new DynamoDbFollowUpStore(database.client, database.tableName);
});
afterAll(() => database?.stop());

const rep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });
const manager = (id: string) => ({ sub: id, 'cognito:groups': '[manager]' });
const dayMs = 24 * 3_600_000;

/**
 * The lead store with `interleave` run once, between the first lifecycle write's read of the lead and the
 * write itself: whatever it does to the lead happens after the step was planned and before it is written.
 */
function interleaving(store: LeadStore, interleave: () => Promise<void>): LeadStore {
  let done = false;
  return new Proxy(store, {
    get(target, property) {
      if (property === 'applyTransition')
        return async (transition: LeadTransition) => {
          if (!done) {
            done = true;
            await interleave();
          }
          return target.applyTransition(transition);
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The demo configuration with a pool of its own (five members) whose rule recycles a lead not converted within 10 days, with no warning. */
function world(poolId: string) {
  const config: Configuration = demoConfiguration();
  const members = Array.from({ length: 5 }, (_, index) => `${poolId}-rep-${index}`);
  for (const id of members) config.reps.push({ ...config.reps[0], id, name: id, capacity: 50, workingHours: undefined });
  config.pools.push(poolSchema.parse({ id: poolId, name: poolId, teamId: 'americas', members, recycle: { when: 'any', notConvertedDays: 10 } }));
  let now = new Date('2026-03-02T10:00:00.000Z');
  const deps = { config, leads: leads as LeadStore, followUps, now: () => now, newId: randomUUID };
  const steps = { claim: createClaim, status: createStatus, convert: createConvert, assign: createAssign, tags: createTag };
  const post = async (step: keyof typeof steps, leadId: string, claims: Record<string, string>, body?: unknown, store: LeadStore = leads) => {
    const response = (await steps[step](() => ({ ...deps, leads: store }))(leadStepEvent(step, leadId, claims, body), lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  };
  return {
    config,
    members,
    post,
    setNow: (at: Date) => (now = at),
    track: (leadId: string) => createTracker(() => deps)(busEvent('lead.status_changed', { eventId: randomUUID(), leadId }), lambdaContext),
    runJob: (at: Date) => createJob(() => deps)({ scheduleName: 'follow-up-rules', time: at.toISOString() }, lambdaContext),
  };
}

describe('two functions on one lead at once, against DynamoDB Local', () => {
  it('a rep converting a lead the recycle job takes from them meanwhile gets 409 lead_changed, and the lead stays recycled', { timeout: 120_000 }, async () => {
    const w = world('race-recycle');
    const owner = w.members[0];
    const start = new Date('2026-03-02T10:00:00.000Z');
    await pooledLead(leads, w.config, { leadId: 'race-recycle-lead', poolId: 'race-recycle', capturedAt: new Date(start.getTime() - 60_000) });
    expect((await w.post('claim', 'race-recycle-lead', rep(owner))).status).toBe(200);
    expect((await w.post('status', 'race-recycle-lead', rep(owner), { status: 'contacted' })).status).toBe(200);
    expect((await w.post('status', 'race-recycle-lead', rep(owner), { status: 'qualified', qualification: 'sql' })).status).toBe(200);
    await w.track('race-recycle-lead');
    const recycleAt = new Date(start.getTime() + 10 * dayMs);
    w.setNow(recycleAt);
    // The job recycles the lead after the convert request read it (qualified, the rep's) and before it writes.
    const store = interleaving(leads, async () => {
      expect(await w.runJob(recycleAt)).toMatchObject({ checked: 1, acted: 1 });
    });
    const response = await w.post('convert', 'race-recycle-lead', rep(owner), { revenue: 1000, currency: 'USD', wonAt: start.toISOString() }, store);
    // The rep lost a race, not a permission: the README's promise is a 409 naming the state the lead is in now.
    expect(response).toEqual({ status: 409, json: { rule: 'lead_changed', error: 'lead race-recycle-lead changed while it was being converted: it is now in_pool; read it and try again' } });
    const lead = (await leads.getLead('race-recycle-lead'))!;
    expect(lead).toMatchObject({ status: 'in_pool', previousOwnerId: owner });
    expect(lead.ownerId).toBeUndefined();
    expect((await leads.readRepStates([owner])).openLeads.get(owner)).toBe(0);
    const outbox = (await database.items()).filter((item) => item.entity === 'outbox' && item.detail.leadId === 'race-recycle-lead').map((item) => item.detailType);
    expect(outbox).not.toContain('lead.converted');
  });

  it('an owner tagging a lead a manager transfers meanwhile gets 409 lead_changed, without the new owner named', { timeout: 120_000 }, async () => {
    const w = world('race-transfer');
    const [ava, ben] = w.members;
    await pooledLead(leads, w.config, { leadId: 'race-transfer-lead', poolId: 'race-transfer' });
    expect((await w.post('claim', 'race-transfer-lead', rep(ava))).status).toBe(200);
    const store = interleaving(leads, async () => {
      expect((await w.post('assign', 'race-transfer-lead', manager('mgr-maya'), { repId: ben })).status).toBe(200);
    });
    const response = await w.post('tags', 'race-transfer-lead', rep(ava), { tag: 'needs-follow-up' }, store);
    expect(response).toEqual({ status: 409, json: { rule: 'lead_changed', error: 'lead race-transfer-lead changed while it was being tagged: it is now assigned; read it and try again' } });
    const lead = (await leads.getLead('race-transfer-lead'))!;
    expect(lead.ownerId).toBe(ben);
    expect(lead.tags ?? []).not.toContain('needs-follow-up');
  });

  it('an offer that fell back to nurture, then warmed by a touch, is offered afresh: the expired offer does not keep the lead from routing', { timeout: 120_000 }, async () => {
    const config = offerRouteConfiguration({ routeId: 'offer-nurture', poolId: 'offer-nurture', reps: ['on-1', 'on-2'] });
    const route = config.routing.routes[0];
    if (route.offer) route.offer.fallback = 'nurture';
    let now = new Date('2026-03-02T15:00:00.000Z');
    const deps = { config, leads: leads as LeadStore, consents: new DynamoDbConsentLedger(database.client, database.tableName), metrics: new RecordingMetrics(), now: () => now, newId: randomUUID };
    const routeOnOffer = (detail: unknown) => createRouting(() => deps)({ routeId: 'offer-nurture', detail }, lambdaContext);
    const contact = { name: 'Nora', email: 'nora@bigco.example' };
    const intake = webFormIntake(config, { leadId: 'offer-nurture-lead', contact, now });
    await leads.ingestLead(intake);
    await routeOnOffer(intake.events.find((event) => event.type === 'lead.scored')!.detail);
    expect(await leads.getLead('offer-nurture-lead')).toMatchObject({ status: 'new', offer: { fallback: 'nurture' } });
    // Nobody accepts: the offer's nurture fallback parks the lead in its pool.
    await createExpire(() => deps)({ scheduleName: 'expire-lead-offers', time: '2026-03-02T15:06:00.000Z' }, lambdaContext);
    expect(await leads.getLead('offer-nurture-lead')).toMatchObject({ status: 'in_pool', routing: { strategy: 'nurture' } });
    // The person comes back: the touch warms the parked lead back to `new`, and its `lead.scored` routes it again on the offer route.
    now = new Date('2026-03-03T09:00:00.000Z');
    const again = webFormIntake(config, { leadId: 'offer-nurture-touch', contact, now });
    expect(await leads.ingestLead(again)).toEqual({ leadId: 'offer-nurture-lead', outcome: 'touched' });
    const scored = (await database.items()).filter((item) => item.entity === 'outbox' && item.detailType === 'lead.scored' && item.detail.leadId === 'offer-nurture-lead');
    const touchScored = scored.map((item) => item.detail).find((detail) => detail.reason === 'touched');
    expect(touchScored).toBeDefined();
    expect((await leads.getLead('offer-nurture-lead'))?.status).toBe('new');
    await routeOnOffer(touchScored);
    const lead = (await leads.getLead('offer-nurture-lead'))!;
    // A new offer, open until its own expiry and filed in the offer-expiry index, not a `new` lead nobody will ever route.
    expect(lead).toMatchObject({ status: 'new', offer: { offeredAt: now.toISOString(), expiresAt: '2026-03-03T09:05:00.000Z' } });
    expect((await leads.listExpiredOffers('2026-03-03T09:05:00.000Z', { limit: 10 })).leads.map((candidate) => candidate.leadId)).toEqual(['offer-nurture-lead']);
  });
});
