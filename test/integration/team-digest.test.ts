import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbTeamActivityStore } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createCounter } from '../../functions/count-team-activity/handler';
import { createHandler as createDigest } from '../../functions/send-team-digests/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { busEvent } from '../support/api-gateway-events';
import { RecordingMailer } from '../support/fakes';
import { pooledLead } from '../support/pooled-leads';

let database: TestDatabase;
let teamActivity: DynamoDbTeamActivityStore;

beforeAll(async () => {
  database = await startTestDatabase();
  teamActivity = new DynamoDbTeamActivityStore(database.client, database.tableName);
});
afterAll(() => database?.stop());

const config = demoConfiguration();
const facts = { leadId: 'l1', poolId: 'americas-inbound', channel: 'website', capturedAt: '2026-03-02T10:00:00.000Z', by: 'system' };
const count = (type: string, detail: Record<string, unknown>) => createCounter(() => ({ config, teamActivity }))(busEvent(type, detail));

describe("the managers' morning digest against DynamoDB Local", () => {
  it('counts each event once per rep and local day, and emails each recipient one digest with the counts and the pool backlogs', { timeout: 120_000 }, async () => {
    await count('lead.claimed', { eventId: 'c1', leadId: 'l1', ownerId: 'rep-ava', poolId: 'americas-inbound', claimedAt: '2026-03-02T15:00:00.000Z' });
    await count('lead.claimed', { eventId: 'c1', leadId: 'l1', ownerId: 'rep-ava', poolId: 'americas-inbound', claimedAt: '2026-03-02T15:00:00.000Z' });
    await count('lead.claimed', { eventId: 'c2', leadId: 'l2', ownerId: 'rep-ava', poolId: 'nurture', claimedAt: '2026-03-02T16:00:00.000Z' });
    await count('lead.recycled', { ...facts, eventId: 'r1', ownerId: undefined, previousOwnerId: 'rep-ben', trigger: 'recycle_rule', rule: 'r', to: 'pool', recycledAt: '2026-03-02T17:00:00.000Z' });
    await count('lead.converted', { ...facts, eventId: 'v1', ownerId: 'rep-ben', revenue: 5000, currency: 'USD', wonAt: '2026-03-02T18:00:00.000Z', convertedAt: '2026-03-02T18:00:00.000Z' });
    // The next local day in New York: not in the digest of the 2nd.
    await count('lead.claimed', { eventId: 'c3', leadId: 'l3', ownerId: 'rep-ben', poolId: 'americas-inbound', claimedAt: '2026-03-03T06:00:00.000Z' });
    expect(await teamActivity.readDay('americas', '2026-03-02')).toEqual(
      new Map([
        ['rep-ava', { new: 2 }],
        ['rep-ben', { recycled: 1, converted: 1 }],
      ]),
    );
    // An item per rep, so a busy team's counting does not queue on one item.
    const dayItems = (await database.items()).filter((item) => item.pk === 'TEAM#americas' && String(item.sk).startsWith('DAY#2026-03-02'));
    expect(dayItems.map((item) => item.sk).sort()).toEqual(['DAY#2026-03-02#rep-ava', 'DAY#2026-03-02#rep-ben']);
    const leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
    await pooledLead(leads, config, { leadId: 'waiting-1', poolId: 'nurture', capturedAt: new Date('2026-03-01T13:30:00.000Z') });
    await pooledLead(leads, config, { leadId: 'waiting-2', poolId: 'nurture', capturedAt: new Date('2026-03-02T13:30:00.000Z') });

    const mailer = new RecordingMailer();
    const digest = createDigest(() => ({ config, mailer, teamActivity, now: () => new Date('2026-03-03T13:30:05Z') }));
    // 08:15 in New York; EMEA's digest (08:30 in London) is owed since 08:30 UTC and no tick sent it yet, so this one makes it up.
    expect(await digest({ scheduleName: 'team-digests', time: '2026-03-03T13:15:00Z' })).toEqual({ sent: 1 });
    expect(await digest({ scheduleName: 'team-digests', time: '2026-03-03T13:30:00Z' })).toEqual({ sent: 1 });
    expect(await digest({ scheduleName: 'team-digests', time: '2026-03-03T13:30:00Z' })).toEqual({ sent: 0 });
    expect(mailer.sent.map((sent) => sent.subject)).toEqual(['EMEA inside sales: leads on 2026-03-02', 'Americas inside sales: leads on 2026-03-02']);
    const email = mailer.sent[1];
    expect(email).toMatchObject({ to: 'maya.goldberg@northwind.example', subject: 'Americas inside sales: leads on 2026-03-02' });
    expect(email.text).toContain('Ava Chen | 2 | 0 | 0 | 0 | 0');
    expect(email.text).toContain('Ben Okafor | 0 | 0 | 0 | 1 | 1');
    expect(email.text).toContain('Nurture (cold leads): 2 waiting, oldest waiting 48 h (since 2026-03-01T13:30:00.000Z)');
    expect(email.text).toContain('Americas inbound: 0 waiting');
  });

  it('reads a day counted into the one team item of before 2026-12-03 together with the per-rep items', { timeout: 120_000 }, async () => {
    await database.client.send(new PutCommand({ TableName: database.tableName, Item: { pk: 'TEAM#emea', sk: 'DAY#2026-04-01', entity: 'team-day', 'new#rep-ava': 3, 'contacted#rep-ben': 1 } }));
    await count('lead.claimed', { eventId: 'e1', leadId: 'l9', ownerId: 'rep-ava', poolId: 'emea-inbound', claimedAt: '2026-04-01T09:00:00.000Z' });
    expect(await teamActivity.readDay('emea', '2026-04-01')).toEqual(
      new Map([
        ['rep-ava', { new: 4 }],
        ['rep-ben', { contacted: 1 }],
      ]),
    );
  });
});
