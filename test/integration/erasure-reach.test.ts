import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { actionLinkToken, erasePersonFromLead, expiresAfterDays, leadEvent, retentionSchema, routedLeadFactsOf, secretRefs, type LeadTransition, type OneTapAction } from '@leadflow/domain';
import { DynamoDbConsentLedger, DynamoDbLeadErasure, DynamoDbOneTapLinkLedger, DynamoDbOutboxStore, routeLead, setAsideOutboxPartition } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler as createAssignHandler } from '../../functions/assign-lead/handler';
import { createHandler as createPerformHandler } from '../../functions/perform-one-tap-action/handler';
import { offerRouteConfiguration } from '../support/demo-configuration';
import { RecordingSecretStore } from '../support/demo-secrets';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { webFormIntake } from '../support/intakes';
import { writeOutboxBacklog } from '../support/outbox-backlog';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';
import { RecordingMetrics } from '../support/fakes';

/** What an erasure reaches beyond the lead item: a large outbox backlog, items set aside as unpublishable, and one-tap links racing it. */

const retention = retentionSchema.parse({ unpublishableEventDays: 6 });
const reps = ['reach-1', 'reach-2'];

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let erasures: DynamoDbLeadErasure;
const config = offerRouteConfiguration({ routeId: 'offer-both', poolId: 'reach', reps });
beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  erasures = new DynamoDbLeadErasure(database.client, database.tableName);
});
afterAll(() => database?.stop());

const erase = (store: DynamoDbLeadErasure, leadId: string, at = '2026-03-09T09:00:00.000Z') =>
  store.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: `${leadId}-erased-${at}`, by: 'admin:ines' }) });
/** The lead's outbox items, every page of them (`database.items()` reads one page, which the backlog below fills). */
async function outboxOf(leadId: string): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await database.client.send(
      new ScanCommand({
        TableName: database.tableName,
        FilterExpression: 'entity = :outbox AND detail.leadId = :leadId',
        ExpressionAttributeValues: { ':outbox': 'outbox', ':leadId': leadId },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A status change of the lead with a note typed about the person, an hour after `capturedAt`: its event carries the note as `reason`. */
async function contactedWithNote(leadId: string, note: string) {
  const captured = (await leads.getLead(leadId))!;
  const at = new Date(Date.parse(captured.capturedAt) + 3600_000).toISOString();
  const facts = { leadId, poolId: captured.poolId, channel: captured.channel, capturedAt: captured.capturedAt, ownerId: 'rep-ava' };
  const transition: LeadTransition = {
    before: captured,
    after: { ...captured, status: 'contacted', updatedAt: at, history: [...captured.history, { at, action: 'contacted', by: 'rep-ava', detail: `contacted: ${note}` }] },
    openLeads: [],
    event: leadEvent('lead.status_changed', { ...facts, eventId: `${leadId}-contacted`, by: 'rep-ava', from: 'new', to: 'contacted', reason: note, changedAt: at }, at),
  };
  expect(await leads.applyTransition(transition)).toBe('applied');
}

describe('an erasure and the outbox items set aside as unpublishable, on DynamoDB Local', () => {
  it('gives a set-aside item an expiry from its time, keeps it where the erasure of its lead finds it, and the erasure deletes it', async () => {
    const capturedAt = new Date('2026-01-05T10:00:00.000Z');
    await leads.ingestLead(webFormIntake(config, { leadId: 'aside', answers: { company_size: '1000+' }, now: capturedAt }));
    const createdAt = '2026-01-05T10:00:01.000Z';
    // An event an older version wrote with the person's answers, which the bus may not carry.
    const bad = {
      pk: 'OUTBOX#aside-bad',
      sk: 'OUTBOX',
      entity: 'outbox',
      eventId: 'aside-bad',
      source: 'leadflow.leads',
      detailType: 'lead.teleported',
      detail: { leadId: 'aside', answers: { company_size: '1000+' } },
      time: createdAt,
      createdAt,
      outboxPartition: 'unpublished#3',
    };
    await database.client.send(new PutCommand({ TableName: database.tableName, Item: bad }));
    const outbox = new DynamoDbOutboxStore(database.client, database.tableName, retention);
    expect((await outbox.listUnpublished('2026-01-06T00:00:00.000Z', 10)).map((event) => event.eventId).sort()).toEqual(['aside-captured', 'aside-captured.scored']);
    const setAside = (await database.client.send(new GetCommand({ TableName: database.tableName, Key: { pk: 'OUTBOX#aside-bad', sk: 'OUTBOX' } }))).Item;
    expect(setAside).toMatchObject({ unpublishable: expect.stringMatching(/unknown lead event type/), outboxPartition: setAsideOutboxPartition, expiresAt: expiresAfterDays(createdAt, 6) });
    // Out of the partitions the relay reads: it holds up nothing behind it.
    expect((await outbox.listUnpublished('2026-01-06T00:00:00.000Z', 10)).map((event) => event.eventId)).not.toContain('aside-bad');

    expect(await erase(erasures, 'aside')).toEqual({ leadId: 'aside', erased: true });
    expect((await database.client.send(new GetCommand({ TableName: database.tableName, Key: { pk: 'OUTBOX#aside-bad', sk: 'OUTBOX' } }))).Item).toBeUndefined();
    expect(JSON.stringify(await outboxOf('aside'))).not.toContain('1000+');
  });
});

describe('one-tap links to a lead erased after the link was checked, on DynamoDB Local', () => {
  let now = new Date('2026-03-02T15:00:00.000Z');
  const secrets = new RecordingSecretStore();

  /** The dependencies of the one-tap handler, whose first read of `leadId` is followed by its erasure: the erasure lands between the link's check and its write. */
  function racedBy(leadId: string) {
    let erased = false;
    const racing = Object.create(leads) as DynamoDbLeadStoreWithIngestion;
    racing.getLead = async (id: string) => {
      const lead = await leads.getLead(id);
      if (id === leadId && !erased) {
        erased = true;
        expect(await erase(erasures, leadId, now.toISOString())).toMatchObject({ erased: true });
      }
      return lead;
    };
    return {
      config,
      secrets,
      leads: racing,
      links: new DynamoDbOneTapLinkLedger(database.client, database.tableName),
      consents: new DynamoDbConsentLedger(database.client, database.tableName),
      metrics: new RecordingMetrics(),
      now: () => now,
      newId: randomUUID,
    };
  }
  const tokenFor = async (leadId: string, repId: string, action: OneTapAction = 'accept') =>
    actionLinkToken({ leadId, repId, action, expiresAt: Math.floor(now.getTime() / 1000) + 3600 }, await secrets.get(secretRefs.actionLinkKey));
  const post = (deps: ReturnType<typeof racedBy>, token: string) =>
    createPerformHandler(() => deps)(httpEvent({ method: 'POST', path: `/a/${token}`, pathParameters: { token } }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;

  async function offered(leadId: string) {
    const intake = webFormIntake(config, { leadId, contact: { name: 'Celine', email: `${leadId}@bigco.example` }, now });
    await leads.ingestLead(intake);
    const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
    await createAssignHandler(() => ({ ...racedBy('none'), leads }))({ routeId: 'offer-both', detail }, lambdaContext);
    return (await leads.getLead(leadId))!;
  }

  async function expectNothingWrittenAfterErasure(leadId: string, token: string) {
    const lead = (await leads.getLead(leadId))!;
    expect(lead.history.at(-1)?.action).toBe('erased');
    expect(lead.history.map((entry) => entry.action)).not.toContain('accepted');
    expect((await outboxOf(leadId)).map((item) => item.detailType)).not.toContain('lead.accepted');
    // The link's use is not written either (it is written with the action).
    expect(await new DynamoDbOneTapLinkLedger(database.client, database.tableName).usedAt(token.split('.')[4])).toBeUndefined();
    return lead;
  }

  it("refuses the accept of the lead's owner, writing nothing, and says the lead was erased", async () => {
    now = new Date('2026-03-02T15:00:00.000Z');
    const lead = await offered('owned-then-erased');
    // Taken by a round-robin route instead of the offer: the rep owns the lead, and an accept link acknowledges it.
    const pool = config.pools.find((candidate) => candidate.id === 'reach')!;
    await routeLead({ ...racedBy('none'), leads }, { lead: routedLeadFactsOf(lead), route: { id: 'rr', name: 'rr', strategy: 'round_robin', poolId: 'reach' }, pool, now, closesOffer: true });
    const owner = (await leads.getLead('owned-then-erased'))!.ownerId!;
    expect(reps).toContain(owner);
    now = new Date('2026-03-02T15:01:00.000Z');
    const token = await tokenFor('owned-then-erased', owner);

    const page = await post(racedBy('owned-then-erased'), token);

    expect(page.statusCode).toBe(409);
    expect(page.body).toMatch(/erased at the person(&#39;|&#x27;|')s request/);
    const erased = await expectNothingWrittenAfterErasure('owned-then-erased', token);
    expect(erased.ownerId).toBe(owner);
  });

  it('refuses the accept of an open offer, writing nothing, and says the lead was erased rather than taken by another rep', async () => {
    now = new Date('2026-03-02T16:00:00.000Z');
    expect(await offered('offered-then-erased')).toMatchObject({ status: 'new', offer: { repIds: reps } });
    now = new Date('2026-03-02T16:01:00.000Z');
    const token = await tokenFor('offered-then-erased', reps[0]);

    const page = await post(racedBy('offered-then-erased'), token);

    expect(page.statusCode).toBe(409);
    expect(page.body).not.toContain('another rep');
    expect(page.body).toMatch(/erased at the person(&#39;|&#x27;|')s request/);
    const erased = await expectNothingWrittenAfterErasure('offered-then-erased', token);
    expect(erased).not.toHaveProperty('ownerId');
    expect(erased.history.map((entry) => entry.action)).not.toContain('assigned');
  });
});

describe('an erasure behind a large outbox backlog, on DynamoDB Local', () => {
  const backlog = 10_050;
  beforeAll(async () => {
    for (const leadId of ['behind', 'behind-refused']) await leads.ingestLead(webFormIntake(config, { leadId, now: new Date('2026-04-01T10:00:00.000Z') }));
    // The relay down: other leads' events pile up after the capture, ahead of the lead's status change an hour later.
    await writeOutboxBacklog(database, backlog, {
      from: new Date('2026-04-01T10:01:00.000Z'),
      spacingMs: 100,
      eventAt: (index) => ({ eventId: `backlog-${index}`, detailType: 'lead.touched', detail: { leadId: `other-${index}` } }),
    });
    for (const leadId of ['behind', 'behind-refused']) await contactedWithNote(leadId, 'Ada is on leave until May');
  }, 120_000);

  it('refuses, writing nothing, an erasure that would read more of the outbox than it may', async () => {
    const limited = new DynamoDbLeadErasure(database.client, database.tableName, retentionSchema.parse({}), 1_000);
    await expect(erase(limited, 'behind-refused', '2026-04-02T09:00:00.000Z')).rejects.toMatchObject({ name: 'WriteContentionError', message: expect.stringMatching(/not erased.*more than 1000 outbox items/) });
    expect(await leads.getLead('behind-refused')).toMatchObject({ status: 'contacted', contact: { email: 'behind-refused@example.com' } });
    const outbox = await outboxOf('behind-refused');
    expect(outbox.map((item) => item.detailType).sort()).toEqual(['lead.captured', 'lead.scored', 'lead.status_changed']);
    expect(JSON.stringify(outbox)).toContain('on leave until May');
  });

  it("takes the person out of the lead's events behind more than 10,000 others", { timeout: 60_000 }, async () => {
    expect(await erase(erasures, 'behind', '2026-04-02T09:00:00.000Z')).toEqual({ leadId: 'behind', erased: true });
    const events = await outboxOf('behind');
    expect(events.map((item) => item.detailType).sort()).toEqual(['lead.captured', 'lead.erased', 'lead.scored', 'lead.status_changed']);
    const outbox = JSON.stringify(events);
    expect(outbox).not.toContain('on leave until May');
  });
});

describe('an erasure of a lead with more unpublished events than one transaction holds, on DynamoDB Local', () => {
  it('takes the person out of all 150 of them (the relay down) and erases the lead and its ledger', { timeout: 60_000 }, async () => {
    await leads.ingestLead(webFormIntake(config, { leadId: 'busy', now: new Date('2026-04-01T10:00:00.000Z') }));
    const ledger = new DynamoDbConsentLedger(database.client, database.tableName);
    await ledger.append({ leadId: 'busy', purpose: 'contact', action: 'given', at: '2026-04-01T10:00:00.000Z', source: 'form:demo', version: 'v1', text: 'I agree.', ip: '198.51.100.4', userAgent: 'Firefox' });
    // 150 follow-ups logged while the relay was down, each event carrying the outcome typed about the person.
    await writeOutboxBacklog(database, 150, {
      from: new Date('2026-04-01T10:01:00.000Z'),
      spacingMs: 1000,
      eventAt: (index) => ({ eventId: `busy-activity-${index}`, detailType: 'lead.activity_logged', detail: { leadId: 'busy', outcome: `call ${index}: Ada is on leave until May` } }),
    });
    expect(await erase(erasures, 'busy', '2026-04-02T09:00:00.000Z')).toEqual({ leadId: 'busy', erased: true });
    const events = await outboxOf('busy');
    expect(events.filter((item) => item.detailType === 'lead.activity_logged')).toHaveLength(150);
    expect(events.filter((item) => item.detailType === 'lead.erased')).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('on leave until May');
    expect(await leads.getLead('busy')).toMatchObject({ status: 'invalid', contact: {}, answers: {} });
    expect((await ledger.entriesFor('busy')).map((entry) => [entry.action, entry.ip, entry.userAgent])).toEqual([['given', undefined, undefined]]);
  });
});
