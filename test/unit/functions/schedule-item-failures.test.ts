import { afterEach, describe, expect, it, vi } from 'vitest';
import { consentGivenEntries, newIntakeRecord, routeFor, type PlatformLeadRequest } from '@leadflow/domain';
import { logger } from '@leadflow/platform';
import { createHandler as createAssign } from '../../../functions/assign-lead/handler';
import { createHandler as createRetry } from '../../../functions/retry-pending-fetches/handler';
import { createHandler as createSender } from '../../../functions/send-nurture-emails/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { lambdaContext } from '../../support/api-gateway-events';

type Deps = ReturnType<typeof fakeDependencies>;
const capturedAt = new Date('2026-03-02T10:00:00.000Z');
const marketingConsent = { version: '2026-11', text: 'emails now and then', purposes: ['contact' as const, 'marketing_email' as const], givenAt: capturedAt.toISOString() };

/** A cold lead with marketing consent, routed into the demo's nurture pool and its welcome sequence. */
async function nurturedLead(deps: Deps, leadId: string) {
  const intake = webFormIntake(deps.config, { leadId, now: capturedAt, contact: { name: 'Ada Lovelace', email: `${leadId}@gmail.com`, company: 'Analytical & Co' } });
  intake.lead.consent = marketingConsent;
  intake.consents = consentGivenEntries(leadId, marketingConsent, 'form:demo');
  await deps.store.ingestLead(intake);
  const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
  await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
  expect(deps.store.leads.get(leadId)).toMatchObject({ status: 'in_pool', nurture: { sequenceId: 'welcome', doneStepIds: [] } });
}

const runSender = (deps: Deps, at: Date) => createSender(() => deps)({ time: at.toISOString() } as never, lambdaContext);

afterEach(() => vi.restoreAllMocks());

describe('send-nurture-emails: one lead that fails', () => {
  it('does not keep the emails of the other leads from going out; the run fails naming it, and the next run sends its step', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const deps = fakeDependencies(capturedAt);
    for (const leadId of ['n-a', 'n-b', 'n-c']) await nurturedLead(deps, leadId);
    const entriesFor = deps.consents.entriesFor.bind(deps.consents);
    deps.consents.entriesFor = async (leadId) => {
      if (leadId === 'n-a') throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      return entriesFor(leadId);
    };

    await expect(runSender(deps, new Date('2026-03-02T11:00:00.000Z'))).rejects.toThrow('Nurture steps failed for lead n-a: Throughput exceeds the current capacity');
    expect(deps.mailer.sent.map((email) => email.to).sort()).toEqual(['n-b@gmail.com', 'n-c@gmail.com']);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('A nurture step could not be taken for a lead'), expect.objectContaining({ leadId: 'n-a' }));
    expect(deps.store.leads.get('n-a')!.nurture).toMatchObject({ doneStepIds: [] });

    deps.consents.entriesFor = entriesFor;
    const next = await runSender(deps, new Date('2026-03-02T12:00:00.000Z'));
    expect(next.outcomes).toEqual([{ leadId: 'n-a', outcome: 'emailed', stepId: 'hello' }]);
    expect(deps.mailer.sent.map((email) => email.to).sort()).toEqual(['n-a@gmail.com', 'n-b@gmail.com', 'n-c@gmail.com']);
  });
});

describe('retry-pending-fetches: records it cannot settle', () => {
  const received = new Date('2026-03-02T10:00:00.000Z');
  const metaRequest = (leadgenId: string): PlatformLeadRequest => ({ platform: 'meta', leadgenId, formId: '172036835026334', pageId: '138124712925158' });
  const runRetry = (deps: Deps, at: string) => createRetry(() => deps)({ scheduleName: 'retry-pending-fetches', time: at }, lambdaContext);

  /** Pending meta records due a second apart from `first`, in the order given. */
  async function pending(deps: Deps, ids: string[], first = '2026-03-02T10:01:00.000Z') {
    for (const [index, id] of ids.entries()) await deps.intakes.recordDelivery({ ...newIntakeRecord(metaRequest(id), received), nextAttemptAt: new Date(Date.parse(first) + index * 1000).toISOString() });
  }

  it('reads back the other records when one cannot be read from the table, and leaves that one due', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(received);
    await pending(deps, ['r-a', 'r-b', 'r-c']);
    const getRecord = deps.intakes.getRecord.bind(deps.intakes);
    deps.intakes.getRecord = async (platform, platformLeadId) => {
      if (platformLeadId === 'r-a') throw new Error('Throughput exceeds the current capacity');
      return getRecord(platform, platformLeadId);
    };

    expect(await runRetry(deps, '2026-03-02T10:05:00.000Z')).toEqual({ due: 2, fetched: 2, skipped: 0, stillPending: 0, unrecorded: 0, unread: 1 });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('Could not read a pending platform lead'), expect.objectContaining({ platform: 'meta', platformLeadId: 'r-a' }));
    expect(deps.intakes.records.get('INTAKE#meta#r-a')).toMatchObject({ status: 'pending_fetch', nextAttemptAt: '2026-03-02T10:01:00.000Z' });
    expect(['r-b', 'r-c'].map((id) => deps.intakes.records.get(`INTAKE#meta#${id}`)?.status)).toEqual(['fetched', 'fetched']);
  });

  it('pages past the records whose outcome cannot be recorded, so they do not starve the ones due after them', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const deps = fakeDependencies(received);
    // More stuck records than a page holds: their platform read fails and the failure cannot be stored, so each keeps its due time.
    const stuck = Array.from({ length: 40 }, (_, index) => `stuck-${String(index).padStart(2, '0')}`);
    await pending(deps, stuck);
    await pending(deps, ['fresh'], '2026-03-02T10:02:00.000Z');
    const readLead = deps.platformLeads.meta.readLead.bind(deps.platformLeads.meta);
    deps.platformLeads.meta.readLead = async (query) => {
      if (query.leadgenId.startsWith('stuck-')) throw new Error('The meta API answered HTTP 503: Service temporarily unavailable');
      return readLead(query);
    };
    deps.intakes.recordFailure = async () => {
      throw new Error('DynamoDB is down');
    };

    expect(await runRetry(deps, '2026-03-02T10:05:00.000Z')).toEqual({ due: 41, fetched: 1, skipped: 0, stillPending: 0, unrecorded: 40 });
    expect(deps.intakes.records.get('INTAKE#meta#fresh')).toMatchObject({ status: 'fetched', leadId: expect.any(String) });
    for (const id of stuck) expect(deps.intakes.records.get(`INTAKE#meta#${id}`)?.status).toBe('pending_fetch');
  });

  it('starts no group of records once the run’s time runs low, and says how many it left', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const deps = fakeDependencies(received);
    const ids = Array.from({ length: 12 }, (_, index) => `late-${String(index).padStart(2, '0')}`);
    await pending(deps, ids);
    // Time for one group of five, not a second.
    const remaining = [60_000, 10_000];
    const run = await createRetry(() => deps)({ scheduleName: 'retry-pending-fetches', time: '2026-03-02T10:05:00.000Z' }, { getRemainingTimeInMillis: () => remaining.shift() ?? 0 });
    expect(run).toEqual({ due: 5, fetched: 5, skipped: 0, stillPending: 0, unrecorded: 0, left: 7 });
    expect(ids.filter((id) => deps.intakes.records.get(`INTAKE#meta#${id}`)?.status === 'pending_fetch')).toEqual(ids.slice(5));
  });
});
