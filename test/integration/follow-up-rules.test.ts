import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { followUpRulesFor, planFollowUps, type Configuration } from '@leadflow/domain';
import { DynamoDbFollowUpStore, leadsTableKeys, outboxItem } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createRelease } from '../../functions/release-lead/handler';
import { createHandler as createAssign } from '../../functions/assign-lead-manually/handler';
import { createHandler as createActivity } from '../../functions/log-lead-activity/handler';
import { createHandler as createStatus } from '../../functions/change-lead-status/handler';
import { createHandler as createTracker } from '../../functions/track-follow-up-due/handler';
import { createHandler as createJob } from '../../functions/run-follow-up-rules/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { busEvent, httpEvent, lambdaContext, leadStepEvent } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';
import { countingReads, seedFollowUpHistory } from '../support/follow-up-history';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let followUps: DynamoDbFollowUpStore;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  followUps = new DynamoDbFollowUpStore(database.client, database.tableName);
});
afterAll(() => database?.stop());
// The job reads every lead of the table due by its run: a case must not reach the leads another left.
beforeEach(() => database.reset());

const hour = 3_600_000;
/** When the case's lead is claimed (each case sets it with `startAt`); its runs are hours `after` it. */
let claimedAt: Date;
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

const track = (deps: { config: Configuration; leads: DynamoDbLeadStoreWithIngestion; followUps: DynamoDbFollowUpStore }, leadId: string) =>
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
    startAt('2026-03-02T10:00:00.000Z');
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

  it("an event id of the plan already in the outbox, the lead as read, is another step's: the plan fails loudly and writes nothing, whether it moves the lead or not", { timeout: 120_000 }, async () => {
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
      await expect(followUps.applyPlan(seen, plan)).rejects.toThrow(`Follow-up plan for lead follow-f-1 reuses event ids already in the outbox: ${plan.events[0].detail.eventId}`);
      expect(await database.items()).toEqual(before);
    }
  });

  /** A clock the test moves, and the lead's handlers (each change filed by the tracker, as its event would). */
  function office(config: Configuration) {
    let clock = claimedAt;
    const deps = { config, leads, followUps, now: () => clock, newId: randomUUID };
    const handlers = { claim: createClaim, release: createRelease, assign: createAssign, activities: createActivity, status: createStatus };
    return {
      at: (hours: number) => (clock = after(hours)),
      post: async (step: keyof typeof handlers, leadId: string, sub: string, body?: unknown) => {
        const event = leadStepEvent(step, leadId, { sub, 'cognito:groups': sub.startsWith('mgr-') ? '[manager]' : '[rep]' }, body);
        const response = (await handlers[step](() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
        expect(response, response.body).toMatchObject({ statusCode: 200 });
        await track(deps, leadId);
      },
      run: (hours: number) => createJob(() => deps)({ scheduleName: 'follow-up-rules', time: after(hours).toISOString() }, lambdaContext),
    };
  }

  const remindersOf = async (leadId: string) =>
    (await database.items())
      .filter((item) => item.entity === 'outbox' && item.detailType === 'lead.reminded' && item.detail.leadId === leadId)
      .map((item) => [item.detail.ownerId, item.detail.remindedAt])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));

  it('reminds the new owner of a next step promised for the time the previous owner was reminded of', { timeout: 120_000 }, async () => {
    startAt('2025-09-01T10:00:00.000Z');
    const config = world('follow-g');
    await claimedLead(config, 'follow-g-1', 'follow-g');
    const { at, post, run } = office(config);
    at(1);
    await post('status', 'follow-g-1', 'rep-ava', { status: 'contacted' });
    await post('activities', 'follow-g-1', 'rep-ava', { kind: 'call', nextStepAt: after(5).toISOString() });
    expect(await run(4.5)).toEqual({ checked: 1, acted: 1, rescheduled: 0, changed: 0 });
    at(4.6);
    await post('assign', 'follow-g-1', 'mgr-maya', { repId: 'rep-ben' });
    at(4.65);
    await post('activities', 'follow-g-1', 'rep-ben', { kind: 'note', nextStepAt: after(5).toISOString() });

    expect(await run(4.7)).toEqual({ checked: 1, acted: 1, rescheduled: 0, changed: 0 });
    expect(await run(4.8)).toEqual({ checked: 0, acted: 0, rescheduled: 0, changed: 0 });
    expect(await remindersOf('follow-g-1')).toEqual([
      ['rep-ava', after(4.5).toISOString()],
      ['rep-ben', after(4.7).toISOString()],
    ]);
    // Rep Ben's step is his own from here on: breached at its time, once.
    expect(await run(5)).toMatchObject({ checked: 1, acted: 1, changed: 0 });
    expect((await leads.getLead('follow-g-1'))!.history.map((entry) => entry.detail).filter((detail) => detail?.includes('SLA breached'))).toEqual([
      `next step SLA breached (breach 1, due at ${after(5).toISOString()}); managers told`,
    ]);
  });

  it('reminds an owner again of a next step moved away and back once the reminder of the step between went out', { timeout: 120_000 }, async () => {
    startAt('2025-08-01T10:00:00.000Z');
    const config = world('follow-h');
    await claimedLead(config, 'follow-h-1', 'follow-h');
    const { at, post, run } = office(config);
    at(1);
    await post('activities', 'follow-h-1', 'rep-ava', { kind: 'call', nextStepAt: after(5).toISOString() });
    expect(await run(4.5)).toMatchObject({ checked: 1, acted: 1, changed: 0 });
    at(4.52);
    await post('activities', 'follow-h-1', 'rep-ava', { kind: 'note', nextStepAt: after(4.75).toISOString() });
    expect(await run(4.55)).toMatchObject({ checked: 1, acted: 1, changed: 0 });
    at(4.6);
    await post('activities', 'follow-h-1', 'rep-ava', { kind: 'note', nextStepAt: after(5).toISOString() });

    expect(await run(4.65)).toEqual({ checked: 1, acted: 1, rescheduled: 0, changed: 0 });
    expect((await remindersOf('follow-h-1')).map(([, remindedAt]) => remindedAt)).toEqual([after(4.5), after(4.55), after(4.65)].map((instant) => instant.toISOString()));
    expect(await dueAtOf('follow-h-1')).toBe(after(5).toISOString());
  });

  it('warns the rep who claims a released lead of a recycle at the time its previous owner was warned of, and recycles it after', { timeout: 120_000 }, async () => {
    startAt('2025-07-01T10:00:00.000Z');
    const config = world('follow-i');
    config.sla = undefined;
    // After Ava's contact at T+1h: no follow-up for 3 days, T+73h. Ben, claiming at T+61h, has not contacted: 12 hours, T+73h too.
    config.pools.at(-1)!.recycle = { when: 'any', noFollowUpDays: 3, noFirstContactHours: 12, warnDaysBefore: 1, protectionDays: 0 };
    await claimedLead(config, 'follow-i-1', 'follow-i');
    const { at, post, run } = office(config);
    at(1);
    await post('activities', 'follow-i-1', 'rep-ava', { kind: 'call' });
    expect(await run(49)).toMatchObject({ checked: 1, acted: 1, changed: 0 });
    at(50);
    await post('release', 'follow-i-1', 'rep-ava', { reason: 'no_need_now' });
    at(61);
    await post('claim', 'follow-i-1', 'rep-ben');

    expect(await run(61.5)).toEqual({ checked: 1, acted: 1, rescheduled: 0, changed: 0 });
    const warnings = (await database.items()).filter((item) => item.entity === 'outbox' && item.detailType === 'lead.recycle_warned' && item.detail.leadId === 'follow-i-1');
    expect(warnings.map((item) => [item.detail.ownerId, item.detail.recycleAt])).toEqual(
      expect.arrayContaining([
        ['rep-ava', after(73).toISOString()],
        ['rep-ben', after(85.5).toISOString()],
      ]),
    );
    expect(await dueAtOf('follow-i-1')).toBe(after(85.5).toISOString());
    expect(await run(85.5)).toMatchObject({ checked: 1, acted: 1, changed: 0 });
    expect(await leads.getLead('follow-i-1')).toMatchObject({ status: 'in_pool', previousOwnerId: 'rep-ben' });
  });
});

describe('the follow-up job costs what is due, not what is stored', () => {
  it('reads the same number of items with ten times the history and the same number of due leads', { timeout: 300_000 }, async () => {
    const config = demoConfiguration();
    const now = new Date('2025-06-01T12:00:00.000Z');
    const counting = countingReads(database.client);
    const deps = { config, leads: new DynamoDbLeadStoreWithIngestion(counting.client, database.tableName), followUps: new DynamoDbFollowUpStore(counting.client, database.tableName) };
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
