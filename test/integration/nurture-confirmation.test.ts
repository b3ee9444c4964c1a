import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentGivenEntries, erasePersonFromLead, routeFor } from '@leadflow/domain';
import { confirmNurtureConsent, DynamoDbConsentLedger, DynamoDbLeadErasure, sendNurtureConfirmation } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createAssign } from '../../functions/assign-lead/handler';
import { createHandler as createConfirm } from '../../functions/confirm-nurture-consent/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { fakeDependencies } from '../support/fakes';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';
import { webFormIntake } from '../support/intakes';

let database: TestDatabase;

beforeAll(async () => {
  database = await startTestDatabase();
});
afterAll(() => database?.stop());

const t0 = new Date('2026-12-03T09:00:00.000Z');
const later = (hours: number) => new Date(t0.getTime() + hours * 3600_000);

/** Dependencies on DynamoDB Local for the lead and its ledger; mail and the key as in the unit tests. */
function tableDependencies(now: Date, prefix: string) {
  const deps = fakeDependencies(now);
  let counter = 0;
  // Event ids unique in the table the tests share.
  return {
    ...deps,
    newId: () => `${prefix}-${++counter}`,
    config: demoConfiguration(),
    leads: new DynamoDbLeadStoreWithIngestion(database.client, database.tableName),
    consents: new DynamoDbConsentLedger(database.client, database.tableName),
  };
}

/** A cold post to the EMEA form (double opt-in) with marketing consent, stored and routed as capture and assign-lead do. */
async function heldLead(deps: ReturnType<typeof tableDependencies>, leadId: string): Promise<void> {
  const intake = webFormIntake(deps.config, { leadId, formId: 'emea-contact', now: t0, contact: { name: 'Cy', email: `${leadId}@gmail.com` } });
  const consent = { version: '2026-12', text: deps.config.forms[1].consent!.text, purposes: ['contact' as const, 'marketing_email' as const], givenAt: t0.toISOString(), ip: '203.0.113.9', userAgent: 'Firefox' };
  intake.lead.consent = consent;
  intake.consents = consentGivenEntries(leadId, consent, 'form:emea-contact');
  await deps.leads.ingestLead(intake);
  const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
  await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
}

const confirm = (deps: ReturnType<typeof tableDependencies>, token: string) =>
  createConfirm(() => deps)(httpEvent({ method: 'POST', path: `/c/${token}`, pathParameters: { token }, body: '' }), lambdaContext) as Promise<{ statusCode: number }>;

describe('double opt-in on DynamoDB Local', () => {
  it('holds the lead out of the due index, sends one email for concurrent deliveries, and a confirmation files it due', async () => {
    const deps = tableDependencies(t0, 'doi-1');
    await heldLead(deps, 'doi-1');
    const held = await deps.leads.getLead('doi-1');
    expect(held).toMatchObject({ status: 'in_pool', poolId: 'nurture', nurture: { sequenceId: 'welcome', awaitingConfirmation: { emailsSent: 0 } } });
    expect((await deps.leads.listDueNurturedLeads(later(24 * 30).toISOString(), { limit: 100 })).leads.map((lead) => lead.leadId)).not.toContain('doi-1');

    // Five deliveries at once (the pooled event, redelivered, and touches): the conditional write lets one send.
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => sendNurtureConfirmation(deps, 'doi-1', t0)));
    expect(outcomes.filter((outcome) => outcome.outcome === 'emailed')).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
    expect((await deps.leads.getLead('doi-1'))?.nurture?.awaitingConfirmation).toEqual({ since: t0.toISOString(), emailsSent: 1, lastEmailAt: t0.toISOString() });

    const token = /\/c\/(\S+)/.exec(deps.mailer.sent[0].text)![1];
    const confirmedAt = later(2);
    deps.now = () => confirmedAt;
    expect((await confirm(deps, token)).statusCode).toBe(200);
    expect((await confirm(deps, token)).statusCode).toBe(200);
    const ledger = await deps.consents.entriesFor('doi-1');
    expect(ledger.filter((entry) => entry.action === 'confirmed')).toEqual([
      expect.objectContaining({ purpose: 'marketing_email', at: confirmedAt.toISOString(), source: 'confirmation-link', ip: '127.0.0.1', userAgent: 'test' }),
    ]);
    expect((await deps.leads.listDueNurturedLeads(later(3).toISOString(), { limit: 100 })).leads.map((lead) => [lead.leadId, lead.nurture])).toContainEqual([
      'doi-1',
      { sequenceId: 'welcome', enteredAt: confirmedAt.toISOString(), doneStepIds: [], nextStepAt: confirmedAt.toISOString() },
    ]);
  });

  it('an erasure takes the waiting state off the item and the IP and user agent off the ledger', async () => {
    const deps = tableDependencies(t0, 'doi-2');
    await heldLead(deps, 'doi-2');
    await sendNurtureConfirmation(deps, 'doi-2', t0);
    expect((await confirm(deps, /\/c\/(\S+)/.exec(deps.mailer.sent[0].text)![1])).statusCode).toBe(200);
    expect((await deps.consents.entriesFor('doi-2')).map((entry) => [entry.action, entry.ip])).toContainEqual(['confirmed', '127.0.0.1']);
    const erasures = new DynamoDbLeadErasure(database.client, database.tableName);
    expect(await erasures.erasePerson({ leadId: 'doi-2', erase: (lead) => erasePersonFromLead(lead, { at: later(1).toISOString(), eventId: 'doi-2-erased', by: 'admin:ines' }) })).toEqual({
      leadId: 'doi-2',
      erased: true,
    });
    expect((await deps.leads.getLead('doi-2'))?.nurture).toBeUndefined();
    expect((await deps.consents.entriesFor('doi-2')).every((entry) => entry.ip === undefined && entry.userAgent === undefined)).toBe(true);
  });

  it('a confirmation pressed as the person is erased leaves neither IP nor user agent on the ledger', async () => {
    const deps = tableDependencies(t0, 'doi-3');
    await heldLead(deps, 'doi-3');
    await sendNurtureConfirmation(deps, 'doi-3', t0);
    const erasures = new DynamoDbLeadErasure(database.client, database.tableName);
    const eraseNow = () => erasures.erasePerson({ leadId: 'doi-3', erase: (lead) => erasePersonFromLead(lead, { at: later(1).toISOString(), eventId: 'doi-3-erased', by: 'admin:ines' }) });
    // The press read the lead while it waited for its confirmation; the erasure lands before the ledger's own read of the lead.
    const checked = { lead: (await deps.leads.getLead('doi-3'))!, consent: 'awaiting_confirmation' as const };
    expect(await eraseNow()).toEqual({ leadId: 'doi-3', erased: true });
    deps.now = () => later(2);
    expect((await confirmNurtureConsent(deps, checked, { ip: '198.51.100.23', userAgent: 'Mozilla/5.0 (iPhone)' })).statusCode).toBe(200);
    const ledger = await deps.consents.entriesFor('doi-3');
    expect(ledger.filter((entry) => entry.action === 'confirmed')).toEqual([expect.objectContaining({ at: later(2).toISOString(), source: 'confirmation-link' })]);
    expect(JSON.stringify(ledger)).not.toMatch(/198\.51\.100\.23|iPhone|Firefox/);
    expect(await deps.leads.getLead('doi-3')).toMatchObject({ status: 'invalid', contact: {} });
    expect((await deps.leads.getLead('doi-3'))?.nurture).toBeUndefined();
  });

  it("a confirmation whose ledger write comes after an erasure that landed since its read of the lead leaves no IP or user agent, also when the erasure kept the lead's expiry", async () => {
    const deps = tableDependencies(t0, 'doi-4');
    // A test lead expires counted from its capture, so its erasure leaves its expiry as it was.
    const intake = webFormIntake(deps.config, { leadId: 'doi-4', formId: 'emea-contact', now: t0, contact: { name: 'Cy', email: 'doi-4@gmail.com' } });
    await deps.leads.ingestLead({ ...intake, lead: { ...intake.lead, isTest: true } });
    const expiryOfLead = async () => (await database.items()).find((item) => item.pk === 'LEAD#doi-4')?.expiresAt;
    const expiryBefore = await expiryOfLead();
    expect(expiryBefore).toEqual(expect.any(Number));
    const erasures = new DynamoDbLeadErasure(database.client, database.tableName);
    // The ledger's write of the entry is held until the erasure, which the ledger's read of the lead came before, is done.
    const send = database.client.send.bind(database.client);
    let erasedBeforeWrite = false;
    const client = Object.create(database.client) as typeof database.client;
    client.send = (async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'TransactWriteCommand' && !erasedBeforeWrite) {
        erasedBeforeWrite = true;
        expect(await erasures.erasePerson({ leadId: 'doi-4', erase: (lead) => erasePersonFromLead(lead, { at: later(1).toISOString(), eventId: 'doi-4-erased', by: 'admin:ines' }) })).toMatchObject({ erased: true });
      }
      return send(command as never);
    }) as typeof database.client.send;
    await new DynamoDbConsentLedger(client, database.tableName).append({
      leadId: 'doi-4',
      purpose: 'marketing_email',
      action: 'confirmed',
      at: later(2).toISOString(),
      source: 'confirmation-link',
      ip: '198.51.100.23',
      userAgent: 'Mozilla/5.0 (iPhone)',
    });
    expect(erasedBeforeWrite).toBe(true);
    expect(await expiryOfLead()).toBe(expiryBefore);
    const ledger = await deps.consents.entriesFor('doi-4');
    expect(ledger.filter((entry) => entry.action === 'confirmed')).toEqual([expect.objectContaining({ at: later(2).toISOString(), source: 'confirmation-link' })]);
    expect(ledger.some((entry) => entry.ip !== undefined || entry.userAgent !== undefined)).toBe(false);
  });
});
