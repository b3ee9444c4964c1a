import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLead, assignByRoundRobin } from '@leadflow/domain';
import { DynamoDbLeadStore, DynamoDbNotificationLog, DynamoDbOutboxStore } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';

const config = demoConfiguration();
const form = config.forms[0]!;
let database: TestDatabase;
let leads: DynamoDbLeadStore;
let outbox: DynamoDbOutboxStore;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStore(database.client, database.tableName);
  outbox = new DynamoDbOutboxStore(database.client, database.tableName);
});
afterAll(() => database?.stop());

function newLead(leadId: string, now = new Date('2026-03-02T10:00:00.000Z')) {
  return captureLead({ leadId, eventId: `${leadId}-captured`, form, contact: { name: 'Ada', email: 'ada@example.com' }, answers: {}, now });
}

describe('DynamoDbLeadStore against DynamoDB Local', () => {
  it('stores a lead together with its outbox event, and reads it back', async () => {
    const { lead, event } = newLead('lead-a');
    await leads.saveCapturedLead(lead, event);
    expect(await leads.getLead('lead-a')).toEqual(lead);
    const items = await database.items();
    expect(items.find((item) => item.pk === 'OUTBOX#lead-a-captured')).toMatchObject({ entity: 'outbox', detailType: 'lead.captured', detail: event.detail });
  });

  it('refuses to overwrite an existing lead and writes nothing of the second attempt', async () => {
    const { lead, event } = newLead('lead-b');
    await leads.saveCapturedLead(lead, event);
    const again = newLead('lead-b');
    const retried = { ...again.event, detail: { ...again.event.detail, eventId: 'other-event' } } as typeof again.event;
    await expect(leads.saveCapturedLead({ ...again.lead, contact: { name: 'Mallory' } }, retried)).rejects.toThrow();
    expect((await leads.getLead('lead-b'))?.contact.name).toBe('Ada');
    expect((await database.items()).some((item) => item.pk === 'OUTBOX#other-event')).toBe(false);
  });

  it('hands out distinct round-robin turns under concurrency', async () => {
    const turns = await Promise.all(Array.from({ length: 40 }, () => leads.takeRoundRobinTurn('americas-inbound')));
    expect([...turns].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
  });

  it('gives a lead exactly one owner when assignments race', async () => {
    const { lead, event } = newLead('lead-c');
    await leads.saveCapturedLead(lead, event);
    const outcomes = await Promise.all(
      config.reps.slice(0, 4).map((owner, index) => leads.assignOwner({ leadId: 'lead-c', ...assignByRoundRobin({ lead, owner, eventId: `assign-${index}`, now: new Date() }) })),
    );
    expect(outcomes.filter((outcome) => outcome === 'assigned')).toHaveLength(1);
    const stored = await leads.getLead('lead-c');
    expect(stored?.status).toBe('assigned');
    expect(stored?.history.map((entry) => entry.action)).toEqual(['captured', 'assigned']);
    const assignedEvents = (await database.items()).filter((item) => item.pk.startsWith('OUTBOX#assign-'));
    expect(assignedEvents).toHaveLength(1);
    expect(assignedEvents[0]!.detail.ownerId).toBe(stored?.ownerId);
  });
});

describe('DynamoDbOutboxStore against DynamoDB Local', () => {
  it('lists unpublished events older than a moment, oldest first, and forgets published ones', async () => {
    const old = newLead('lead-old', new Date('2026-03-01T08:00:00.000Z'));
    const fresh = newLead('lead-fresh', new Date('2026-03-01T09:59:00.000Z'));
    await leads.saveCapturedLead(old.lead, old.event);
    await leads.saveCapturedLead(fresh.lead, fresh.event);
    const stale = await outbox.listUnpublished('2026-03-01T09:00:00.000Z', 10);
    expect(stale.map((event) => event.eventId)).toEqual(['lead-old-captured']);
    expect(stale[0]).toMatchObject({ source: 'leadflow.leads', detailType: 'lead.captured', detail: old.event.detail });

    await outbox.markPublished(['lead-old-captured']);
    expect(await outbox.listUnpublished('2026-03-01T09:00:00.000Z', 10)).toEqual([]);
    expect((await outbox.listUnpublished('2026-03-01T10:00:00.000Z', 10)).map((event) => event.eventId)).toEqual(['lead-fresh-captured']);
  });
});

describe('DynamoDbNotificationLog against DynamoDB Local', () => {
  it('remembers a sent notification with an expiry', async () => {
    const log = new DynamoDbNotificationLog(database.client, database.tableName);
    expect(await log.wasSent('n-1')).toBe(false);
    await log.recordSent('n-1', 'lead-a', '2026-03-02T10:00:00.000Z');
    expect(await log.wasSent('n-1')).toBe(true);
    const item = (await database.items()).find((candidate) => candidate.pk === 'NOTIFICATION#n-1');
    expect(item?.expiresAt).toBe(Date.parse('2026-03-02T10:00:00.000Z') / 1000 + 90 * 24 * 3600);
  });
});
