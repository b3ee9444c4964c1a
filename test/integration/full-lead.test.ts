import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { consentGivenEntries, followUpRulesFor, leaveInPool, planFollowUps, nurtureEntry, planClaim, planNurtureExit, poolSchema, unsubscribeToken, type Configuration, type Pool } from '@leadflow/domain';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConsentLedger, DynamoDbFollowUpStore, DynamoDbOutboxStore, leadsTableKeys, logger } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createTracker } from '../../functions/track-follow-up-due/handler';
import { createHandler as createJob } from '../../functions/run-follow-up-rules/handler';
import { createHandler as createSender } from '../../functions/send-nurture-emails/handler';
import { createHandler as createUnsubscribe } from '../../functions/unsubscribe-lead/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { busEvent, httpEvent, lambdaContext } from '../support/api-gateway-events';
import { fakeDependencies } from '../support/fakes';
import { fillLeadToTheBrim } from '../support/brim-lead';
import { pooledLead } from '../support/pooled-leads';
import { webFormIntake } from '../support/intakes';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let followUps: DynamoDbFollowUpStore;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  followUps = new DynamoDbFollowUpStore(database.client, database.tableName);
});
afterAll(() => database?.stop());

const hour = 3_600_000;
const capturedAt = new Date('2026-03-02T10:00:00.000Z');
const after = (hours: number) => new Date(capturedAt.getTime() + hours * hour);

/** The demo configuration with a pool `poolId` whose member `<poolId>-rep` may hold many leads; first contact within 4 h, reminded 30 min before. */
function world(poolId: string): { config: Configuration; pool: Pool; repId: string } {
  const config = demoConfiguration();
  const repId = `${poolId}-rep`;
  config.reps.push({ ...config.reps[0], id: repId, name: repId, capacity: 50, workingHours: undefined });
  config.pools.push(poolSchema.parse({ id: poolId, name: poolId, teamId: 'americas', members: [repId], claim: { holdingCap: 10 } }));
  config.sla = { firstContactMinutes: { A: 240, B: 240, C: 240, D: 240, ungraded: 240 }, remindBeforeMinutes: 30, nextStepGraceMinutes: 0 };
  return { config, pool: config.pools.at(-1)!, repId };
}

/** A lead of `poolId` claimed by its rep at `capturedAt` plus a minute. */
async function claimedLead(world: { config: Configuration; pool: Pool; repId: string }, leadId: string) {
  const lead = await pooledLead(leads, world.config, { leadId, poolId: world.pool.id, capturedAt });
  const plan = planClaim({ lead, pool: world.pool, rep: world.config.reps.find((rep) => rep.id === world.repId)!, timeZone: 'UTC', now: after(1 / 60), eventId: `${leadId}-claimed` });
  if (!('claim' in plan)) throw new Error(plan.refusal.message);
  expect(await leads.claimLead(plan.claim)).toBe('claimed');
}

// Read by key and from the outbox store: one page of a scan (1 MB) holds only a couple of full leads.
const itemOf = async (leadId: string) => (await database.client.send(new GetCommand({ TableName: database.tableName, Key: leadsTableKeys.lead(leadId), ConsistentRead: true }))).Item;
const outboxOf = async (leadId: string) =>
  (await new DynamoDbOutboxStore(database.client, database.tableName).listUnpublished('9999-01-01T00:00:00.000Z', 1000))
    .filter((event) => (event.detail as { leadId?: string }).leadId === leadId)
    .map((event) => event.detailType)
    .sort();

const nurtureEnteredAt = new Date('2026-04-01T11:00:00.000Z');
const nurtureRunAt = new Date('2026-04-01T12:00:00.000Z');

/** A lead that consented to marketing email, left in the nurture pool by the demo's nurture route and entered in its sequence. */
async function nurturedLead(config: Configuration, leadId: string): Promise<void> {
  const route = config.routing.routes.find((candidate) => candidate.strategy === 'nurture')!;
  const sequence = config.nurture.sequences.find((candidate) => candidate.id === route.sequenceId)!;
  const intake = webFormIntake(config, { leadId, now: nurtureEnteredAt, contact: { name: leadId, email: `${leadId}@gmail.com` } });
  intake.lead.consent = { version: '2026-11', text: 'emails now and then', purposes: ['contact', 'marketing_email'], givenAt: nurtureEnteredAt.toISOString() };
  intake.consents = consentGivenEntries(leadId, intake.lead.consent, 'form:demo');
  await leads.ingestLead(intake);
  const change = leaveInPool({ lead: intake.lead, route, poolId: 'nurture', skipped: [], eventId: `${leadId}-pooled`, now: nurtureEnteredAt });
  expect(await leads.leaveInPool({ leadId, ...change, nurture: nurtureEntry(sequence, route.id, nurtureEnteredAt) })).toBe('pooled');
}

/**
 * A lead filled to DynamoDB's 400 KB item limit (`fillLeadToTheBrim`): no step can add to its timeline. What writes
 * to it must say so (`lead_full`) rather than throw, and what a schedule reads every run must stop reading it. The
 * store's own writes (claims, releases, routing, touches, one-tap acceptances) are `full-lead-store-contract.test.ts`'s.
 */
describe('a lead filled to the brim', () => {
  it('is taken out of the follow-up due index by the rules, with no step written; a second run finds nothing due and both succeed', { timeout: 300_000 }, async () => {
    const here = world('full-follow');
    await claimedLead(here, 'full-follow-1');
    const deps = { config: here.config, leads, followUps, now: () => after(1 / 60), newId: randomUUID };
    await createTracker(() => deps)(busEvent('lead.claimed', { eventId: 'full-follow-1-tracked', leadId: 'full-follow-1' }), lambdaContext);
    expect((await itemOf('full-follow-1'))?.followUpDueAt).toBe(new Date(after(1 / 60).getTime() + 3.5 * hour).toISOString());
    await fillLeadToTheBrim(database, 'full-follow-1');
    const brim = await leads.getLead('full-follow-1');
    const events = await outboxOf('full-follow-1');

    const run = () => createJob(() => deps)({ scheduleName: 'follow-up-rules', time: after(5).toISOString() }, lambdaContext);
    expect(await run()).toEqual({ checked: 1, acted: 0, rescheduled: 0, changed: 0, full: 1 });
    expect(await run()).toEqual({ checked: 0, acted: 0, rescheduled: 0, changed: 0 });
    expect((await itemOf('full-follow-1'))?.followUpDueAt).toBeUndefined();
    expect((await followUps.listDue(after(100).toISOString(), { limit: 100 })).due.map(({ leadId }) => leadId)).not.toContain('full-follow-1');
    expect(await leads.getLead('full-follow-1')).toEqual(brim);
    expect(await outboxOf('full-follow-1')).toEqual(events);
  });

  it('is not filed in the follow-up due index when it has no room left for a due time: the tracker logs it by id and does not fail', { timeout: 300_000 }, async () => {
    const here = world('full-file');
    await claimedLead(here, 'full-file-1');
    await fillLeadToTheBrim(database, 'full-file-1');
    const brim = await leads.getLead('full-file-1');
    const deps = { config: here.config, leads, followUps, now: () => after(1 / 60), newId: randomUUID };
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      // Every retry would meet the same refusal: the event is handled, not failed into the dead-letter queue.
      await createTracker(() => deps)(busEvent('lead.claimed', { eventId: 'full-file-1-tracked', leadId: 'full-file-1' }), lambdaContext);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('no room left for its follow-up due time'), { leadId: 'full-file-1' });
    } finally {
      logged.mockRestore();
    }
    expect((await itemOf('full-file-1'))?.followUpDueAt).toBeUndefined();
    expect(await leads.getLead('full-file-1')).toEqual(brim);
  });

  it('answers a follow-up plan with lead_full, writing nothing', { timeout: 300_000 }, async () => {
    const here = world('full-plan');
    await claimedLead(here, 'full-plan-1');
    await fillLeadToTheBrim(database, 'full-plan-1');
    const brim = (await leads.getLead('full-plan-1'))!;
    const plan = planFollowUps({ lead: brim, rules: followUpRulesFor(here.config, brim), now: after(5) })!;
    expect(plan.lead.history.length).toBeGreaterThan(brim.history.length);
    expect(await followUps.applyPlan(brim, plan)).toBe('lead_full');
    expect(await leads.getLead('full-plan-1')).toEqual(brim);
  });

  it('is taken out of the nurture due index by the sender, as lead_full, whether its unsubscribe secret or its step does not fit', { timeout: 300_000 }, async () => {
    const config = demoConfiguration();
    for (const leadId of ['full-nurture-new', 'full-nurture-secret']) await nurturedLead(config, leadId);
    // One lead has its unsubscribe secret already (an email went out before it filled up): its step's own write is the one refused.
    expect(await leads.unsubscribeSecretFor('full-nurture-secret', 'kept-secret-0000000000')).toBe('kept-secret-0000000000');
    for (const leadId of ['full-nurture-new', 'full-nurture-secret']) await fillLeadToTheBrim(database, leadId, 'system');
    const now = nurtureRunAt;
    const deps = { ...fakeDependencies(now), config, leads, consents: new DynamoDbConsentLedger(database.client, database.tableName) };
    const run = () => createSender(() => deps)({ scheduleName: 'nurture-emails', time: now.toISOString() }, lambdaContext);

    expect((await run()).outcomes).toEqual([
      { leadId: 'full-nurture-new', outcome: 'lead_full' },
      { leadId: 'full-nurture-secret', outcome: 'lead_full' },
    ]);
    expect((await leads.listDueNurturedLeads(now.toISOString(), { limit: 100 })).leads.map((lead) => lead.leadId)).toEqual([]);
    expect((await run()).outcomes).toEqual([]);
    expect(deps.mailer.sent).toEqual([]);
    expect(await leads.unsubscribeSecretOf('full-nurture-new')).toBeUndefined();
    // Still in its sequence, and still waiting in its pool: only the schedule stopped reading it.
    expect(await leads.getLead('full-nurture-new')).toMatchObject({ status: 'in_pool', nurture: { doneStepIds: [] } });
    expect((await leads.listPoolLeads('nurture', { limit: 100 })).leads.map((lead) => lead.leadId)).toEqual(expect.arrayContaining(['full-nurture-new', 'full-nurture-secret']));
  });

  it('is taken out of its nurture sequence and the due index by an unsubscribe, which records the withdrawal once', { timeout: 300_000 }, async () => {
    const config = demoConfiguration();
    const consents = new DynamoDbConsentLedger(database.client, database.tableName);
    const deps = { ...fakeDependencies(nurtureRunAt), config, leads, consents };
    const secret = 'unsubscribe-secret-000';
    const unsubscribe = async (leadId: string) => {
      const token = unsubscribeToken(leadId, secret);
      const event = httpEvent({ method: 'POST', path: `/u/${token}`, pathParameters: { token }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      return ((await createUnsubscribe(() => deps)(event, lambdaContext)) as { statusCode: number }).statusCode;
    };
    const withdrawals = async (leadId: string) => (await consents.entriesFor(leadId)).filter((entry) => entry.action === 'withdrawn');
    for (const leadId of ['full-unsubscribe-filed', 'full-unsubscribe-set-aside']) {
      await nurturedLead(config, leadId);
      expect(await leads.unsubscribeSecretFor(leadId, secret)).toBe(secret);
    }
    // Set aside by the sender (out of the due index, still in its sequence) before it filled: the exit's entry needs more room than removing its sequence frees.
    expect(await leads.leaveDueIndex((await leads.getLead('full-unsubscribe-set-aside'))!, 'nurture')).toBe('left');
    for (const leadId of ['full-unsubscribe-filed', 'full-unsubscribe-set-aside']) await fillLeadToTheBrim(database, leadId, 'system');
    const [filed, setAside] = [(await leads.getLead('full-unsubscribe-filed'))!, (await leads.getLead('full-unsubscribe-set-aside'))!];
    expect(await leads.applyTransition(planNurtureExit({ lead: setAside, reason: 'unsubscribed', by: 'unsubscribe', now: nurtureRunAt, eventId: 'probe' }))).toBe('lead_full');

    for (const leadId of ['full-unsubscribe-filed', 'full-unsubscribe-set-aside']) {
      expect(await unsubscribe(leadId)).toBe(200);
      expect(await unsubscribe(leadId)).toBe(200);
      expect(await withdrawals(leadId)).toEqual([{ leadId, purpose: 'marketing_email', action: 'withdrawn', at: nurtureRunAt.toISOString(), source: 'unsubscribe' }]);
      expect(await leads.getLead(leadId)).not.toHaveProperty('nurture');
      expect(await itemOf(leadId)).not.toHaveProperty('nurtureDueAt');
      expect((await outboxOf(leadId)).filter((type) => type === 'lead.nurtured')).toEqual(['lead.nurtured']);
    }
    expect((await leads.listDueNurturedLeads('2027-01-01T00:00:00.000Z', { limit: 100 })).leads.map((lead) => lead.leadId)).toEqual([]);
    // Filed in the due index, the lead had room for the exit's entry: removing its sequence and due time freed more than the entry takes.
    expect((await leads.getLead('full-unsubscribe-filed'))!.history).toEqual([...filed.history, expect.objectContaining({ action: 'nurture_left', by: 'unsubscribe' })]);
    // Set aside, it leaves without the entry: its timeline as it was, the time of the change its only other change.
    const { nurture, ...rest } = setAside;
    expect(nurture).toBeDefined();
    expect(await leads.getLead('full-unsubscribe-set-aside')).toEqual({ ...rest, updatedAt: nurtureRunAt.toISOString() });
  });
});
