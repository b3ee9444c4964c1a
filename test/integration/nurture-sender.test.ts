import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { consentGivenEntries, leaveInPool, nurtureEntry, type Configuration, type Lead } from '@leadflow/domain';
import { DynamoDbConsentLedger, leadsTableKeys, poolWaitingPartition } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createSender } from '../../functions/send-nurture-emails/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { fakeDependencies } from '../support/fakes';
import { lambdaContext } from '../support/api-gateway-events';
import { countingReads } from '../support/follow-up-history';
import { webFormIntake } from '../support/intakes';

let database: TestDatabase;

beforeAll(async () => {
  database = await startTestDatabase();
});
afterAll(() => database?.stop());

const hour = 3_600_000;
const marketingConsent = (at: Date) => ({ version: '2026-11', text: 'emails now and then', purposes: ['contact' as const, 'marketing_email' as const], givenAt: at.toISOString() });
const nurtureRoute = (config: Configuration) => config.routing.routes.find((route) => route.strategy === 'nurture')!;

/** A cold lead with marketing consent, left in the nurture pool in the welcome sequence through the lead store, as assign-lead does. */
async function nurturedLead(store: DynamoDbLeadStoreWithIngestion, config: Configuration, leadId: string, enteredAt: Date): Promise<void> {
  const intake = webFormIntake(config, { leadId, now: enteredAt, contact: { name: leadId, email: `${leadId}@gmail.com` } });
  intake.lead.consent = marketingConsent(enteredAt);
  intake.consents = consentGivenEntries(leadId, intake.lead.consent, 'form:demo');
  await store.ingestLead(intake);
  const route = nurtureRoute(config);
  const sequence = config.nurture.sequences.find((candidate) => candidate.id === route.sequenceId)!;
  const change = leaveInPool({ lead: intake.lead, route, poolId: 'nurture', skipped: [], eventId: `${leadId}-pooled`, now: enteredAt });
  expect(await store.leaveInPool({ leadId, ...change, nurture: nurtureEntry(sequence, route.id, enteredAt) })).toBe('pooled');
}

/**
 * `count` leads of a table's history in the nurture pool, written in batches: half waiting without a
 * sequence, half in the sequence with their first step sent and the next days ahead. None is due.
 */
async function seedNurtureHistory(config: Configuration, prefix: string, count: number, now: Date): Promise<void> {
  const sequenceId = nurtureRoute(config).sequenceId!;
  const items = Array.from({ length: count }, (_, index) => {
    const leadId = `${prefix}-history-${index}`;
    const enteredAt = new Date(now.getTime() - (index + 1) * hour);
    const lead: Lead = { ...webFormIntake(config, { leadId, now: enteredAt }).lead, status: 'in_pool', poolId: 'nurture' };
    const nextStepAt = new Date(enteredAt.getTime() + 3 * 24 * hour).toISOString();
    const nurtured = index % 2 === 0;
    return {
      ...leadsTableKeys.lead(leadId),
      entity: 'lead',
      ...lead,
      ...(nurtured ? { nurture: { sequenceId, enteredAt: enteredAt.toISOString(), doneStepIds: ['hello'], nextStepAt } } : {}),
      poolWaiting: poolWaitingPartition('nurture'),
    };
  });
  for (let start = 0; start < items.length; start += 25) {
    await database.client.send(new BatchWriteCommand({ RequestItems: { [database.tableName]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

describe('the nurture sender costs what is due, not what waits', () => {
  it('reads the same number of items with ten times the waiting history and the same due leads', { timeout: 300_000 }, async () => {
    const config = demoConfiguration();
    const now = new Date('2026-04-01T12:00:00.000Z');
    const store = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
    const counting = countingReads(database.client);
    const deps = { ...fakeDependencies(now), config, leads: new DynamoDbLeadStoreWithIngestion(counting.client, database.tableName), consents: new DynamoDbConsentLedger(counting.client, database.tableName) };
    const run = () => createSender(() => deps)({ scheduleName: 'nurture-emails', time: now.toISOString() }, lambdaContext);

    await seedNurtureHistory(config, 'n', 40, now);
    for (let index = 0; index < 4; index += 1) await nurturedLead(store, config, `n-due-${index}`, new Date(now.getTime() - hour));
    counting.reset();
    const atN = await run();
    const readsAtN = counting.itemsRead();

    await seedNurtureHistory(config, 'ten-n', 400, now);
    for (let index = 0; index < 4; index += 1) await nurturedLead(store, config, `ten-n-due-${index}`, new Date(now.getTime() - hour));
    counting.reset();
    const at10N = await run();
    const readsAt10N = counting.itemsRead();

    // Each run emails its own four due leads their first step, and nothing else.
    expect(atN.outcomes.map((outcome) => [outcome.leadId, outcome.outcome, outcome.stepId]).sort()).toEqual([0, 1, 2, 3].map((index) => [`n-due-${index}`, 'emailed', 'hello']));
    expect(at10N.outcomes.map((outcome) => [outcome.leadId, outcome.outcome]).sort()).toEqual([0, 1, 2, 3].map((index) => [`ten-n-due-${index}`, 'emailed']));
    // Per due lead, its index entry and its two consent-ledger entries (contact, marketing email), however many leads wait:
    // 4 × 3 = 12. Listing the pool would read every waiting lead (over 20, then over 220).
    expect(readsAtN).toBe(12);
    expect(readsAt10N).toBe(readsAtN);
    // A lead emailed leaves the due part of the index until its next step's day.
    expect((await store.getLead('n-due-0'))?.nurture).toMatchObject({ doneStepIds: ['hello'], nextStepAt: new Date(now.getTime() - hour + 3 * 24 * hour).toISOString() });
  });
});
