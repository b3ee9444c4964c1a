import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { followUpRulesVersion, type Configuration } from '@leadflow/domain';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbFollowUpStore, leadsTableKeys, refileFollowUpChecks } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createRefile } from '../../functions/refile-follow-up-checks/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let followUps: DynamoDbFollowUpStore;
/** DynamoDB requests sent since the last reset, by command. */
let requests: string[] = [];

beforeAll(async () => {
  database = await startTestDatabase();
  database.client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  followUps = new DynamoDbFollowUpStore(database.client, database.tableName);
}, 120_000);
afterAll(() => database?.stop());
// The re-filing pass reads every owned lead of the table, and its state is one item of it.
beforeEach(() => database.reset());

const claimedAt = new Date('2026-03-02T10:00:00.000Z');
const hour = 3_600_000;

/** The demo configuration with pool `refile` (the americas-inbound members), and no SLA or recycle rule yet. */
function configuration(): Configuration {
  const config = demoConfiguration();
  config.sla = undefined;
  config.pools.push({ ...config.pools[0], id: 'refile', name: 'refile', recycle: undefined });
  return config;
}

/** Leads of pool `refile` claimed at `claimedAt` by each rep named, in order. */
async function claimedLeads(config: Configuration, owners: string[]): Promise<string[]> {
  const deps = { config, leads, followUps, now: () => claimedAt, newId: randomUUID };
  const ids: string[] = [];
  for (const [index, repId] of owners.entries()) {
    const leadId = `refile-${index}-${repId}`;
    await pooledLead(leads, config, { leadId, poolId: 'refile', capturedAt: new Date(claimedAt.getTime() - 60_000) });
    const event = httpEvent({ method: 'POST', path: `/leads/${leadId}/claim`, pathParameters: { leadId }, claims: { sub: repId, 'cognito:groups': '[rep]' } });
    expect(((await createClaim(() => deps)(event, lambdaContext)) as { statusCode: number }).statusCode).toBe(200);
    ids.push(leadId);
  }
  return ids;
}

/** Four leads of pool `refile`, three claimed by Ava and one by Ben, filed under `config`'s rules (no SLA: none is due). */
async function filedLeads(config: Configuration): Promise<string[]> {
  const ids = await claimedLeads(config, ['rep-ava', 'rep-ava', 'rep-ava', 'rep-ben']);
  await refileFollowUpChecks({ config, leads, followUps });
  return ids;
}

const dueAtOf = async (leadIds: string[]) => {
  const items = await database.items();
  return leadIds.map((leadId) => items.find((item) => item.pk === `LEAD#${leadId}`)?.followUpDueAt);
};

describe('re-filing owned leads when the follow-up rules change, against DynamoDB Local', () => {
  it('files every owned lead under new rules, a share a run, then reads one item a run until the rules change again', { timeout: 120_000 }, async () => {
    const config = configuration();
    // Filed under rules with nothing due: none is in the due-time index.
    const ids = await filedLeads(config);
    expect(await dueAtOf(ids)).toEqual([undefined, undefined, undefined, undefined]);

    // A deployment adds a first-contact SLA of 4 h with a reminder 30 min before: every lead now has a check due.
    config.sla = { firstContactMinutes: { A: 240, B: 240, C: 240, D: 240, ungraded: 240 }, remindBeforeMinutes: 30, nextStepGraceMinutes: 0 };
    expect(await refileFollowUpChecks({ config, leads, followUps }, 2)).toMatchObject({ read: 2, refiled: 2, done: false });
    expect(await followUps.refileState()).toMatchObject({ pass: { version: followUpRulesVersion(config), repId: 'rep-ava' } });
    // The last lead filled the run's share: the next run finds no lead after it and closes the pass.
    expect(await refileFollowUpChecks({ config, leads, followUps }, 2)).toMatchObject({ read: 2, refiled: 2, done: false });
    expect(await refileFollowUpChecks({ config, leads, followUps }, 2)).toMatchObject({ read: 0, refiled: 0, done: true });
    const reminderAt = new Date(claimedAt.getTime() + 3.5 * hour).toISOString();
    expect(await dueAtOf(ids)).toEqual([reminderAt, reminderAt, reminderAt, reminderAt]);

    // Filed: the schedule's run reads the state item and nothing else.
    requests = [];
    expect(await createRefile(() => ({ config, leads, followUps }))({ scheduleName: 'follow-up-refiling', time: new Date().toISOString() })).toMatchObject({ read: 0, refiled: 0, done: true });
    expect(requests).toEqual(['GetItemCommand']);

    // A due time already right is not written again; one that moved is.
    config.sla = { ...config.sla, remindBeforeMinutes: 60 };
    expect(await refileFollowUpChecks({ config, leads, followUps })).toMatchObject({ read: 4, refiled: 4, done: true });
    expect(await dueAtOf(ids)).toEqual(Array(4).fill(new Date(claimedAt.getTime() + 3 * hour).toISOString()));
    config.pools = config.pools.map((pool) => (pool.id === 'americas-inbound' ? { ...pool, name: 'renamed' } : pool));
    expect(await refileFollowUpChecks({ config, leads, followUps })).toMatchObject({ read: 0, refiled: 0, done: true });
  });

  it('starts over when the rules change again while a pass is under way', { timeout: 120_000 }, async () => {
    const config = configuration();
    await filedLeads(config);
    config.sla = { firstContactMinutes: { A: 60, B: 60, C: 60, D: 60, ungraded: 60 }, remindBeforeMinutes: 0, nextStepGraceMinutes: 0 };
    expect((await refileFollowUpChecks({ config, leads, followUps }, 1)).done).toBe(false);
    config.sla = { ...config.sla, remindBeforeMinutes: 10 };
    // Every owned lead of the table is read again under the newest rules.
    expect(await refileFollowUpChecks({ config, leads, followUps })).toMatchObject({ read: 4, refiled: 4, done: true });
    expect(await followUps.refileState()).toEqual({ filedVersion: followUpRulesVersion(config) });
  });

  it('reads a lead changed under its write again and files it; one that keeps changing leaves the version unrecorded, and the next run starts over', { timeout: 120_000 }, async () => {
    const config = configuration();
    const ids = await filedLeads(config);
    config.sla = { firstContactMinutes: { A: 120, B: 120, C: 120, D: 120, ungraded: 120 }, remindBeforeMinutes: 0, nextStepGraceMinutes: 0 };
    // Each refused write first changes the lead as a tag does: a change with no event the tracker hears.
    let refusals = 0;
    const changing = Object.create(followUps) as DynamoDbFollowUpStore;
    changing.setNextCheck = async (seen, nextCheckAt) => {
      if (refusals === 0) return followUps.setNextCheck(seen, nextCheckAt);
      refusals -= 1;
      const lead = (await leads.getLead(seen.leadId))!;
      await database.client.send(
        new UpdateCommand({ TableName: database.tableName, Key: leadsTableKeys.lead(lead.leadId), UpdateExpression: 'SET updatedAt = :at', ExpressionAttributeValues: { ':at': new Date().toISOString() } }),
      );
      return followUps.setNextCheck(seen, nextCheckAt);
    };
    refusals = 1;
    expect(await refileFollowUpChecks({ config, leads, followUps: changing })).toMatchObject({ read: 4, refiled: 4, done: true, changing: [] });
    const dueAt = new Date(claimedAt.getTime() + 2 * hour).toISOString();
    expect(await dueAtOf([ids[0], ids[3]])).toEqual([dueAt, dueAt]);

    config.sla = { ...config.sla, firstContactMinutes: { A: 90, B: 90, C: 90, D: 90, ungraded: 90 } };
    refusals = 3;
    const first = await refileFollowUpChecks({ config, leads, followUps: changing });
    expect(first).toMatchObject({ read: 4, refiled: 3, done: false, changing: [ids[0]] });
    expect((await followUps.refileState())?.filedVersion).not.toBe(followUpRulesVersion(config));
    expect(await refileFollowUpChecks({ config, leads, followUps: changing })).toMatchObject({ read: 4, refiled: 1, done: true, changing: [] });
    expect(await followUps.refileState()).toEqual({ filedVersion: followUpRulesVersion(config) });
  });

  it('starts over at the end of a pass in which a lead kept changing in a run that did not finish it', { timeout: 120_000 }, async () => {
    const config = configuration();
    const ids = await filedLeads(config);
    config.sla = { firstContactMinutes: { A: 120, B: 120, C: 120, D: 120, ungraded: 120 }, remindBeforeMinutes: 0, nextStepGraceMinutes: 0 };
    // Ava's first lead changes under each of the three writes, as a tag does: a change with no event the tracker hears.
    const changing = Object.create(followUps) as DynamoDbFollowUpStore;
    changing.setNextCheck = async (seen, nextCheckAt) => {
      if (seen.leadId === ids[0]) {
        await database.client.send(
          new UpdateCommand({ TableName: database.tableName, Key: leadsTableKeys.lead(seen.leadId), UpdateExpression: 'SET updatedAt = :at', ExpressionAttributeValues: { ':at': new Date().toISOString() } }),
        );
      }
      return followUps.setNextCheck(seen, nextCheckAt);
    };
    // A share of 3 a run spreads the pass over runs, as 1,000 a run does with more leads: Ava's three first.
    expect(await refileFollowUpChecks({ config, leads, followUps: changing }, 3)).toMatchObject({ read: 3, refiled: 2, done: false, changing: [ids[0]] });
    // The lead is quiet again. The run that reaches the end of the pass (Ben's lead) goes back to the start instead of recording the version.
    expect(await refileFollowUpChecks({ config, leads, followUps }, 3)).toMatchObject({ read: 1, refiled: 1, done: false, changing: [] });
    expect((await followUps.refileState())?.filedVersion).not.toBe(followUpRulesVersion(config));
    expect(await refileFollowUpChecks({ config, leads, followUps })).toMatchObject({ read: 4, refiled: 1, done: true, changing: [] });
    expect(await followUps.refileState()).toEqual({ filedVersion: followUpRulesVersion(config) });
    expect(await dueAtOf(ids)).toEqual(Array(4).fill(new Date(claimedAt.getTime() + 2 * hour).toISOString()));
  });

  it('files the other leads past one that no longer reads as a lead, records the version, and fails the run naming it', { timeout: 120_000 }, async () => {
    const config = configuration();
    const ids = await filedLeads(config);
    config.sla = { firstContactMinutes: { A: 30, B: 30, C: 30, D: 30, ungraded: 30 }, remindBeforeMinutes: 0, nextStepGraceMinutes: 0 };
    // Stored by an older version: a next step an offset carried into the year 10000, first on Ava's agenda.
    await database.client.send(
      new UpdateCommand({
        TableName: database.tableName,
        Key: leadsTableKeys.lead(ids[1]),
        UpdateExpression: 'SET nextStepAt = :bad, ownerAgenda = :agenda',
        ExpressionAttributeValues: { ':bad': '+010000-01-01T00:30:00.000Z', ':agenda': '+010000#0B' },
      }),
    );
    const run = createRefile(() => ({ config, leads, followUps }));
    await expect(run({ scheduleName: 'follow-up-refiling', time: new Date().toISOString() })).rejects.toThrow(`Follow-up re-filing could not read lead ${ids[1]}`);
    const dueAt = new Date(claimedAt.getTime() + 0.5 * hour).toISOString();
    expect(await dueAtOf([ids[0], ids[2], ids[3]])).toEqual([dueAt, dueAt, dueAt]);
    expect(await followUps.refileState()).toEqual({ filedVersion: followUpRulesVersion(config) });
    expect(await run({ scheduleName: 'follow-up-refiling', time: new Date().toISOString() })).toMatchObject({ read: 0, done: true });
  });
});
