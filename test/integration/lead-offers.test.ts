import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { actionLinkToken, routedLeadFactsOf, secretRefs } from '@leadflow/domain';
import { DynamoDbConsentLedger, DynamoDbOneTapLinkLedger, routeLead } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler as createAssignHandler } from '../../functions/assign-lead/handler';
import { createHandler as createPerformHandler } from '../../functions/perform-one-tap-action/handler';
import { createHandler as createExpireHandler } from '../../functions/expire-lead-offers/handler';
import { offerRouteConfiguration } from '../support/demo-configuration';
import { RecordingSecretStore } from '../support/demo-secrets';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { webFormIntake } from '../support/intakes';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';
import { RecordingMetrics } from '../support/fakes';

let database: TestDatabase;
let deps: ReturnType<typeof dependencies>;
const offeredAt = new Date('2026-03-02T15:00:00.000Z');
const reps = ['offer-1', 'offer-2', 'offer-3'];

function dependencies(database: TestDatabase) {
  let clock = offeredAt;
  return {
    config: offerRouteConfiguration({ routeId: 'offer-all', poolId: 'offers', reps }),
    leads: new DynamoDbLeadStoreWithIngestion(database.client, database.tableName),
    consents: new DynamoDbConsentLedger(database.client, database.tableName),
    links: new DynamoDbOneTapLinkLedger(database.client, database.tableName),
    secrets: new RecordingSecretStore(),
    metrics: new RecordingMetrics(),
    now: () => clock,
    setNow: (at: Date) => (clock = at),
    newId: randomUUID,
  };
}

beforeAll(async () => {
  database = await startTestDatabase();
  deps = dependencies(database);
});
afterAll(() => database?.stop());

async function offer(leadId: string) {
  const intake = webFormIntake(deps.config, { leadId, contact: { name: 'Celine', email: `${leadId}@bigco.example` }, now: offeredAt });
  await deps.leads.ingestLead(intake);
  const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
  await createAssignHandler(() => ({ ...deps, now: () => offeredAt }))({ routeId: 'offer-all', detail }, lambdaContext);
  return (await deps.leads.getLead(leadId))!;
}

async function acceptLink(leadId: string, repId: string) {
  return actionLinkToken({ leadId, repId, action: 'accept', expiresAt: Math.floor(offeredAt.getTime() / 1000) + 300 }, await deps.secrets.get(secretRefs.actionLinkKey));
}

const post = (token: string) => createPerformHandler(() => deps)(httpEvent({ method: 'POST', path: `/a/${token}`, pathParameters: { token } }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;

describe('first to accept, against DynamoDB Local', () => {
  it('three reps accepting at once: exactly one owner, two "already taken"', { timeout: 60_000 }, async () => {
    const lead = await offer('race');
    expect(lead).toMatchObject({ status: 'new', offer: { repIds: reps } });
    deps.setNow(new Date('2026-03-02T15:01:00.000Z'));
    const tokens = await Promise.all(reps.map((repId) => acceptLink('race', repId)));
    const pages = await Promise.all(tokens.map(post));
    const winners = pages.flatMap((page, index) => (page.statusCode === 200 ? [reps[index]] : []));
    expect(winners).toHaveLength(1);
    const losers = pages.filter((page) => page.statusCode !== 200);
    expect(losers.map((page) => page.statusCode)).toEqual([409, 409]);
    for (const page of losers) expect(page.body).toContain('already taken by another rep');

    const owned = (await deps.leads.getLead('race'))!;
    // The lead joins the offer's pool, not the form's.
    expect(lead.poolId).not.toBe('offers');
    expect(owned).toMatchObject({ ownerId: winners[0], status: 'assigned', poolId: 'offers', assignment: { rule: 'offer', poolId: 'offers' } });
    expect(owned.history.filter((entry) => entry.action === 'assigned')).toHaveLength(1);
    const states = await deps.leads.readRepStates(reps);
    expect(Object.fromEntries(states.openLeads)).toEqual({ [winners[0]]: 1 });
    const items = await database.items();
    const assignedEvents = items.filter((item) => item.entity === 'outbox' && item.detailType === 'lead.assigned' && item.detail?.leadId === 'race');
    expect(assignedEvents.map((item) => item.detail.ownerId)).toEqual(winners);
    // Accepting closed the offer: the lead left the sparse offer-expiry index.
    expect(items.find((item) => item.pk === 'LEAD#race')).not.toHaveProperty('offerExpiryPartition');
  });

  it('reads expired offers from the sparse index only, and the schedule run falls back once', { timeout: 60_000 }, async () => {
    await offer('lapse-1');
    await offer('lapse-2');
    expect((await deps.leads.listExpiredOffers('2026-03-02T15:04:59.000Z', { limit: 10 })).leads.map((lead) => lead.leadId)).toEqual([]);
    expect((await deps.leads.listExpiredOffers('2026-03-02T15:05:00.000Z', { limit: 10 })).leads.map((lead) => lead.leadId).sort()).toEqual(['lapse-1', 'lapse-2']);
    const expire = createExpireHandler(() => deps);
    expect((await expire({ scheduleName: 'expire-lead-offers', time: '2026-03-02T15:06:00.000Z' }, lambdaContext)).expired.sort()).toEqual(['lapse-1', 'lapse-2']);
    for (const leadId of ['lapse-1', 'lapse-2']) {
      expect(await deps.leads.getLead(leadId)).toMatchObject({ status: 'in_pool', poolId: 'offers', routing: { strategy: 'pool', outcome: 'pooled' } });
    }
    expect(await deps.leads.listExpiredOffers('2026-03-02T16:00:00.000Z', { limit: 10 })).toEqual({ leads: [] });
    expect(await expire({ scheduleName: 'expire-lead-offers', time: '2026-03-02T16:00:00.000Z' }, lambdaContext)).toEqual({ expired: [] });
  });
  it('a routing write from another route leaves a lead on offer alone; the fallback closes the offer', { timeout: 60_000 }, async () => {
    const lead = await offer('guarded');
    const pool = deps.config.pools.find((candidate) => candidate.id === 'offers')!;
    const facts = routedLeadFactsOf(lead);
    const roundRobin = { id: 'other', name: 'another route', strategy: 'round_robin' as const, poolId: 'offers' };
    await routeLead(deps, { lead: facts, route: roundRobin, pool, now: offeredAt });
    await routeLead(deps, { lead: facts, route: { ...roundRobin, strategy: 'pool' as const }, pool, now: offeredAt });
    expect(await deps.leads.getLead('guarded')).toMatchObject({ status: 'new', offer: { routeId: 'offer-all' } });
    await routeLead(deps, { lead: facts, route: roundRobin, pool, now: offeredAt, closesOffer: true });
    expect((await deps.leads.getLead('guarded'))?.status).toBe('assigned');
    expect(await deps.leads.listExpiredOffers('2026-03-02T16:00:00.000Z', { limit: 10 })).toEqual({ leads: [] });
  });
});
