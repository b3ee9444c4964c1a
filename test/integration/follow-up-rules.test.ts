import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { followUpRulesFor, planFollowUps, type Configuration } from '@leadflow/domain';
import { DynamoDbFollowUpStore, DynamoDbLeadStore, leadsTableKeys, outboxItem } from '@leadflow/platform';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createTracker } from '../../functions/track-follow-up-due/handler';
import { createHandler as createJob } from '../../functions/run-follow-up-rules/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { busEvent, httpEvent, lambdaContext } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';
import { countingReads, seedFollowUpHistory } from '../support/follow-up-history';

let database: TestDatabase;
let leads: DynamoDbLeadStore;
let followUps: DynamoDbFollowUpStore;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStore(database.client, database.tableName);
  followUps = new DynamoDbFollowUpStore(database.client, database.tableName);
});
afterAll(() => database?.stop());

const hour = 3_600_000;
/**
 * The tests share one table and the job reads every lead due by its run, so each test lives in its own
 * stretch of time, earlier than the tests before it: no run of one reaches the leads of another.
 */
let claimedAt = new Date('2026-03-02T10:00:00.000Z');
const after = (hours: number) => new Date(claimedAt.getTime() + hours * hour);
const startAt = (at: string) => (claimedAt = new Date(at));

/** A lead of pool `poolId` (the demo's americas-inbound members) claimed by rep-ava at `claimedAt`, filed by the tracker. */
async function claimedLead(config: Configuration, leadId: string, poolId: string) {
  const deps = { config, leads, followUps, now: () => claimedAt, newId: randomUUID };
  await pooledLead(leads, config, { leadId, poolId, capturedAt: new Date(claimedAt.getTime() - 60_000) });
  const event = httpEvent({ method: 'POST', path: `/leads/${leadId}/claim`, pathParameters: { leadId }, claims: { sub: 'rep-ava', 'cognito:groups': '[rep]' } });
  const response = (await createClaim(() => deps)(event, lambdaContext)) as { statusCode: number };
  expect(response.statusCode).toBe(200);
  await track(deps, leadId);
  return deps;
}

const track = (deps: { config: Configuration; leads: DynamoDbLeadStore; followUps: DynamoDbFollowUpStore }, leadId: string) =>
  createTracker(() => deps)(busEvent('lead.claimed', { eventId: `${leadId}-tracked-${randomUUID()}`, leadId }), lambdaContext);

const dueAtOf = async (leadId: string) => (await database.items()).find((item) => item.pk === `LEAD#${leadId}`)?.followUpDueAt;
const outboxOf = async (leadId: string) =>
  (await database.items())
    .filter((item) => item.entity === 'outbox' && item.detail.leadId === leadId)
    .map((item) => item.detailType)
    .sort();
const openLeadsOf = async (repId: string) => (await leads.readRepStates([repId])).openLeads.get(repId) ?? 0;

/** The demo configuration with a pool of its own: first contact within 4 h for every grade, reminder 30 min before, recycle after 3 days without one. */
function world(poolId: string, extra: { secondBreach?: { afterMinutes: number; action: 'reassign' | 'return_to_pool' } } = {}) {
  const config = demoConfiguration();
  config.sla = { firstContactMinutes: { A: 240, B: 240, C: 240, D: 240, ungraded: 240 }, remindBeforeMinutes: 30, nextStepGraceMinutes: 0, secondBreach: extra.secondBreach };
  config.pools.push({ ...config.pools[0], id: poolId, name: poolId, recycle: { when: 'any', noFirstContactHours: 72, warnDaysBefore: 1, protectionDays: 0 } });
  return config;
}

describe('SLA reminders, escalation and recycling against DynamoDB Local', () => {
  it('files a claimed lead, reminds once, breaches once, warns, recycles to the pool; each run repeated changes nothing', { timeout: 120_000 }, async () => {
    const config = world('follow-a');
    const deps = await claimedLead(config, 'follow-a-1', 'follow-a');
    expect(await dueAtOf('follow-a-1')).toBe(after(3.5).toISOString());
    const run = (at: Date) => createJob(() => deps)({ scheduleName: 'follow-up-rules', time: at.toISOString() }, lambdaContext);

    expect(await run(after(3))).toEqual({ checked: 0, acted: 0, rescheduled: 0, changed: 0 });
    expect(await run(after(3.5))).toMatchObject({ checked: 1, acted: 1 });
    expect(await run(after(3.5))).toMatchObject({ checked: 0, acted: 0 });
    expect(await run(after(4))).toMatchObject({ acted: 1 });
    expect(await run(after(48))).toMatchObject({ acted: 1 });
    expect(await dueAtOf('follow-a-1')).toBe(after(72).toISOString());
    const beforeRecycle = await database.items();
    expect(await run(after(72))).toMatchObject({ acted: 1 });
    expect(await run(after(72))).toMatchObject({ checked: 0 });

    const lead = (await leads.getLead('follow-a-1'))!;
    expect(lead).toMatchObject({ status: 'in_pool', previousOwnerId: 'rep-ava', releasedAt: after(72).toISOString() });
    expect(lead.ownerId).toBeUndefined();
    expect(lead.history.map((entry) => entry.action).slice(-5)).toEqual(['claimed', 'reminded', 'escalated', 'recycle_warned', 'recycled']);
    expect(await outboxOf('follow-a-1')).toEqual(['lead.captured', 'lead.claimed', 'lead.pooled', 'lead.recycle_warned', 'lead.recycled', 'lead.reminded', 'lead.scored', 'lead.sla_breached']);
    expect(await dueAtOf('follow-a-1')).toBeUndefined();
    // Back in the pool's waiting index, the owner's open-lead counter down by one.
    expect((await leads.listPoolLeads('follow-a', { limit: 10 })).leads.map((waiting) => waiting.leadId)).toEqual(['follow-a-1']);
    expect(await openLeadsOf('rep-ava')).toBe((beforeRecycle.find((item) => item.pk === 'REP#rep-ava' && item.sk === 'LOAD')?.open ?? 0) - 1);
  });

  it('a lead touched a second before the run is not recycled: the job decides from the lead as it reads it', { timeout: 120_000 }, async () => {
    startAt('2026-02-01T10:00:00.000Z');
    const config = world('follow-b');
    config.pools.at(-1)!.recycle = { when: 'any', noFollowUpDays: 3, warnDaysBefore: 0, protectionDays: 0 };
    const deps = await claimedLead(config, 'follow-b-1', 'follow-b');
    // A follow-up logged one second before the run, whose event has not reached the tracker yet.
    const touched = after(72).getTime() - 1000;
    await database.client.send(
      new UpdateCommand({
        TableName: database.tableName,
        Key: leadsTableKeys.lead('follow-b-1'),
        UpdateExpression: 'SET lastActivityAt = :at, firstContactAt = :at, #status = :contacted, updatedAt = :at, history = list_append(history, :entry)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': new Date(touched).toISOString(), ':contacted': 'contacted', ':entry': [{ at: new Date(touched).toISOString(), action: 'contacted', by: 'rep-ava' }] },
      }),
    );
    await createJob(() => deps)({ scheduleName: 'follow-up-rules', time: after(72).toISOString() }, lambdaContext);
    const lead = (await leads.getLead('follow-b-1'))!;
    expect(lead).toMatchObject({ status: 'contacted', ownerId: 'rep-ava' });
    expect(lead.history.map((entry) => entry.action)).not.toContain('recycled');
    // Re-filed at the new recycle time: three days after the follow-up.
    expect(await dueAtOf('follow-b-1')).toBe(new Date(touched + 72 * hour).toISOString());
  });

  it('writes nothing when the lead changed between the read and the write (conditional on the state decided from)', { timeout: 120_000 }, async () => {
    startAt('2026-01-01T10:00:00.000Z');
    const config = world('follow-c');
    await claimedLead(config, 'follow-c-1', 'follow-c');
    const seen = (await leads.getLead('follow-c-1'))!;
    const plan = planFollowUps({ lead: seen, rules: followUpRulesFor(config, seen), now: after(80) })!;
    expect(plan.events.length).toBeGreaterThan(0);
    await database.client.send(
      new UpdateCommand({ TableName: database.tableName, Key: leadsTableKeys.lead('follow-c-1'), UpdateExpression: 'SET updatedAt = :at', ExpressionAttributeValues: { ':at': after(79).toISOString() } }),
    );
    const before = await database.items();
    expect(await followUps.applyPlan(seen, plan)).toBe('lead_changed');
    expect(await followUps.setNextCheck(seen, undefined)).toBe('lead_changed');
    expect(await database.items()).toEqual(before);
  });

  it('a second breach reassigns the lead to the next pool member, moving both open-lead counters, with lead.assigned for them', { timeout: 120_000 }, async () => {
    startAt('2025-12-01T10:00:00.000Z');
    const config = world('follow-d', { secondBreach: { afterMinutes: 60, action: 'reassign' } });
    const deps = await claimedLead(config, 'follow-d-1', 'follow-d');
    const [avaBefore, benBefore] = [await openLeadsOf('rep-ava'), await openLeadsOf('rep-ben')];
    const run = (at: Date) => createJob(() => deps)({ scheduleName: 'follow-up-rules', time: at.toISOString() }, lambdaContext);
    await run(after(4));
    await run(after(5));
    const lead = (await leads.getLead('follow-d-1'))!;
    expect(lead).toMatchObject({ ownerId: 'rep-ben', previousOwnerId: 'rep-ava', assignment: { rule: 'recycle' } });
    expect([await openLeadsOf('rep-ava'), await openLeadsOf('rep-ben')]).toEqual([avaBefore - 1, benBefore + 1]);
    expect(await outboxOf('follow-d-1')).toEqual(expect.arrayContaining(['lead.assigned', 'lead.recycled', 'lead.sla_breached']));
    // Rep Ben's own first-contact SLA, from the reassignment: reminder 3.5 h later.
    expect(await dueAtOf('follow-d-1')).toBe(after(8.5).toISOString());
  });

  it('a second breach returns the lead to the pool when the next member is at the pool holding cap, though under their capacity', { timeout: 120_000 }, async () => {
    startAt('2025-11-01T10:00:00.000Z');
    const config = world('follow-e', { secondBreach: { afterMinutes: 60, action: 'reassign' } });
    const deps = await claimedLead(config, 'follow-e-1', 'follow-e');
    await database.client.send(
      new UpdateCommand({
        TableName: database.tableName,
        Key: leadsTableKeys.repLoad('rep-ben'),
        UpdateExpression: 'ADD #open :one',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    const benHolds = await openLeadsOf('rep-ben');
    const pool = config.pools.find((candidate) => candidate.id === 'follow-e')!;
    pool.claim = { ...pool.claim, holdingCap: benHolds };
    expect(config.reps.find((rep) => rep.id === 'rep-ben')!.capacity).toBeGreaterThan(benHolds);
    const run = (at: Date) => createJob(() => deps)({ scheduleName: 'follow-up-rules', time: at.toISOString() }, lambdaContext);
    await run(after(4));
    await run(after(5));
    expect(await leads.getLead('follow-e-1')).toMatchObject({ status: 'in_pool', previousOwnerId: 'rep-ava' });
    expect(await openLeadsOf('rep-ben')).toBe(benHolds);
  });

  it('an event of the plan already in the outbox means the plan was written before, whether it moves the lead to the pool or not at all', { timeout: 120_000 }, async () => {
    startAt('2025-10-01T10:00:00.000Z');
    const config = world('follow-f');
    config.pools.at(-1)!.recycle = { when: 'any', noFirstContactHours: 72, warnDaysBefore: 0, protectionDays: 0 };
    await claimedLead(config, 'follow-f-1', 'follow-f');
    const seen = (await leads.getLead('follow-f-1'))!;
    // A reminder moves nobody, so its events come right after the lead in the transaction; the breach and recycle at 72 h
    // move the lead to the pool, so the owner's counter comes between.
    const reminder = planFollowUps({ lead: seen, rules: followUpRulesFor(config, seen), now: after(3.5) })!;
    const recycle = planFollowUps({ lead: seen, rules: followUpRulesFor(config, seen), now: after(72) })!;
    expect([reminder.move, recycle.move]).toEqual([undefined, { to: 'pool', previousOwnerId: 'rep-ava' }]);
    for (const plan of [reminder, recycle]) {
      await database.client.send(new PutCommand({ TableName: database.tableName, Item: outboxItem(plan.events[0]) }));
      const before = await database.items();
      expect(await followUps.applyPlan(seen, plan)).toBe('lead_changed');
      expect(await database.items()).toEqual(before);
    }
  });
});

describe('the follow-up job costs what is due, not what is stored', () => {
  it('reads the same number of items with ten times the history and the same number of due leads', { timeout: 300_000 }, async () => {
    const config = demoConfiguration();
    const now = new Date('2025-06-01T12:00:00.000Z');
    const counting = countingReads(database.client);
    const deps = { config, leads: new DynamoDbLeadStore(counting.client, database.tableName), followUps: new DynamoDbFollowUpStore(counting.client, database.tableName) };
    const job = createJob(() => deps);

    await seedFollowUpHistory(database.client, database.tableName, config, { prefix: 'cost-n', history: 40, due: 8, now });
    counting.reset();
    const atN = await job({ scheduleName: 'follow-up-rules', time: now.toISOString() }, lambdaContext);
    const readsAtN = counting.itemsRead();

    await seedFollowUpHistory(database.client, database.tableName, config, { prefix: 'cost-10n', history: 400, due: 8, now });
    counting.reset();
    const at10N = await job({ scheduleName: 'follow-up-rules', time: now.toISOString() }, lambdaContext);
    const readsAt10N = counting.itemsRead();

    expect(atN).toEqual({ checked: 8, acted: 8, rescheduled: 0, changed: 0 });
    expect(at10N).toEqual(atN);
    // One index entry and one lead read per due lead, however many leads the table holds.
    expect(readsAtN).toBe(16);
    expect(readsAt10N).toBe(readsAtN);
  });
});
