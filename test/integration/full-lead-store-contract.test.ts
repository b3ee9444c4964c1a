import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignToOwner,
  consentGivenEntries,
  leaveInPool,
  nurtureEntry,
  planAcceptance,
  planClaim,
  planOffer,
  planOfferAcceptance,
  planNurtureExit,
  planRelease,
  poolSchema,
  prepareIntake,
  type Configuration,
  type Lead,
  type LeadOffer,
  type Pool,
} from '@leadflow/domain';
import { DynamoDbConsentLedger, DynamoDbOneTapLinkLedger, DynamoDbOutboxStore, type ConsentLedger, type LeadIngestion, type LeadStore, type OneTapLinkLedger, type OutboxStore } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { MemoryLeadStore, MemoryOneTapLinkLedger } from '../support/fakes';
import { fillLeadToTheBrim, fillMemoryLeadToTheBrim } from '../support/brim-lead';
import { pooledLead } from '../support/pooled-leads';
import { webFormIntake } from '../support/intakes';

/**
 * The lead store's contract on a lead filled to its item limit (DynamoDB's 400 KB; the fake's `leadBytes` against
 * 400 KB): every write of the lead answers `lead_full` and writes nothing, rather than throwing, and a repeat post is
 * still a touch. Each case runs against the in-memory fake and the DynamoDB store, as `lead-store-contract.test.ts`.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
});
afterAll(() => database?.stop());

interface StoreUnderTest {
  /** With the ingestion, which the fake implements beside the store, and which is its own class on DynamoDB. */
  leads: LeadStore & LeadIngestion;
  links: OneTapLinkLedger;
  outbox: OutboxStore;
  consents: ConsentLedger;
  /** Fills a stored lead so that no step fits any more. */
  fill(leadId: string): Promise<void>;
}

const implementations: Array<[string, () => StoreUnderTest]> = [
  [
    'memory',
    () => {
      const store = new MemoryLeadStore();
      return { leads: store, links: new MemoryOneTapLinkLedger(store), outbox: store, consents: store.consents, fill: async (leadId) => fillMemoryLeadToTheBrim(store, leadId) };
    },
  ],
  [
    'dynamodb',
    () => ({
      leads: new DynamoDbLeadStoreWithIngestion(database.client, database.tableName),
      links: new DynamoDbOneTapLinkLedger(database.client, database.tableName),
      outbox: new DynamoDbOutboxStore(database.client, database.tableName),
      consents: new DynamoDbConsentLedger(database.client, database.tableName),
      fill: (leadId) => fillLeadToTheBrim(database, leadId),
    }),
  ],
];

const config: Configuration = demoConfiguration();
const poolId = 'full-contract-pool';
const repId = 'full-contract-rep';
config.reps.push({ ...config.reps[0], id: repId, name: repId, capacity: 20, workingHours: undefined });
config.pools.push(poolSchema.parse({ id: poolId, name: poolId, teamId: 'americas', members: [repId], claim: { holdingCap: 20 } }));
const pool = config.pools.find((candidate) => candidate.id === poolId) as Pool;
const rep = config.reps.find((candidate) => candidate.id === repId)!;
const route = config.routing.routes.find((candidate) => candidate.strategy === 'round_robin')!;
const offerRoute = { ...route, strategy: 'offer' as const, offer: { reps: [repId], windowMinutes: 5, fallback: 'pool' as const } };
const at = (iso: string) => new Date(iso);
const linkExpiresAt = Math.floor(Date.parse('2026-03-09T00:00:00.000Z') / 1000);

describe.each(implementations)('the %s lead store on a lead at its item limit', (name, open) => {
  let store: StoreUnderTest;
  beforeAll(() => {
    store = open();
  });
  const id = (suffix: string) => `full-${name}-${suffix}`;
  const outboxTypes = async (leadId: string) =>
    (await store.outbox.listUnpublished('9999-01-01T00:00:00.000Z', 1000))
      .filter((event) => (event.detail as { leadId?: string }).leadId === leadId)
      .map((event) => event.detailType)
      .sort();
  /** What a refused write must leave as it was. */
  const state = async (leadId: string) => ({ lead: await store.leads.getLead(leadId), events: await outboxTypes(leadId), open: (await store.leads.readRepStates([repId])).openLeads.get(repId) });
  /** A `new` lead, filled. */
  const newLead = async (suffix: string): Promise<Lead> => {
    const intake = webFormIntake(config, { leadId: id(suffix) });
    await store.leads.ingestLead(intake);
    await store.fill(id(suffix));
    return intake.lead;
  };
  const claimed = async (suffix: string): Promise<Lead> => {
    const lead = await pooledLead(store.leads, config, { leadId: id(suffix), poolId });
    const plan = planClaim({ lead, pool, rep, timeZone: 'UTC', now: at('2026-03-02T10:05:00.000Z'), eventId: `${id(suffix)}-claimed` });
    if (!('claim' in plan)) throw new Error(plan.refusal.message);
    expect(await store.leads.claimLead(plan.claim)).toBe('claimed');
    return (await store.leads.getLead(id(suffix)))!;
  };

  it('answers a claim and a release lead_full, writing nothing', async () => {
    const waiting = await pooledLead(store.leads, config, { leadId: id('claim'), poolId });
    const claim = planClaim({ lead: waiting, pool, rep, timeZone: 'UTC', now: at('2026-03-02T10:05:00.000Z'), eventId: `${id('claim')}-claimed` });
    if (!('claim' in claim)) throw new Error(claim.refusal.message);
    await store.fill(id('claim'));
    const beforeClaim = await state(id('claim'));
    expect(await store.leads.claimLead(claim.claim)).toBe('lead_full');
    expect(await state(id('claim'))).toEqual(beforeClaim);

    // Planned before the lead fills up: a planner may refuse a lead this full, and the store must refuse it too.
    const held = await claimed('release');
    const release = planRelease({ lead: held, pool, repId, reason: pool.releaseReasons[0], now: at('2026-03-02T11:00:00.000Z'), eventId: `${id('release')}-released` });
    if (!('release' in release)) throw new Error(release.refusal.message);
    await store.fill(id('release'));
    const beforeRelease = await state(id('release'));
    expect(await store.leads.releaseLead(release.release)).toBe('lead_full');
    expect(await state(id('release'))).toEqual(beforeRelease);
  });

  it('answers the routing writes lead_full, writing nothing', async () => {
    const lead = await newLead('routed');
    const before = await state(id('routed'));
    const decidedAt = at('2026-03-02T10:01:00.000Z');
    const assignment = assignToOwner({ lead, route, poolId, owner: rep, passedOver: [], skipped: [], eventId: `${id('routed')}-assigned`, now: decidedAt });
    expect(await store.leads.assignOwner({ ...assignment, leadId: id('routed'), capacity: 20 })).toBe('lead_full');
    expect(await store.leads.leaveInPool({ ...leaveInPool({ lead, route, poolId, skipped: [], eventId: `${id('routed')}-pooled`, now: decidedAt }), leadId: id('routed') })).toBe('lead_full');
    expect(await store.leads.offerLead(planOffer({ lead, route: offerRoute, poolId, offered: [rep], skipped: [], now: decidedAt, eventId: `${id('routed')}-offered` }))).toBe('lead_full');
    expect(await state(id('routed'))).toEqual(before);
  });

  it('answers one-tap acceptances lead_full, writing nothing and leaving the link unused', async () => {
    const owned = await claimed('accept');
    await store.fill(id('accept'));
    const beforeAccept = await state(id('accept'));
    const acceptance = planAcceptance({ lead: (await store.leads.getLead(id('accept')))!, repId, now: at('2026-03-02T11:00:00.000Z'), eventId: `${id('accept')}-accepted` });
    expect(owned.ownerId).toBe(repId);
    expect(await store.links.recordAcceptance(id('accept-link'), acceptance, linkExpiresAt)).toBe('lead_full');
    expect(await state(id('accept'))).toEqual(beforeAccept);
    expect(await store.links.usedAt(id('accept-link'))).toBeUndefined();

    const lead = webFormIntake(config, { leadId: id('offer') }).lead;
    await store.leads.ingestLead(webFormIntake(config, { leadId: id('offer') }));
    expect(await store.leads.offerLead(planOffer({ lead, route: offerRoute, poolId, offered: [rep], skipped: [], now: at('2026-03-02T10:01:00.000Z'), eventId: `${id('offer')}-offered` }))).toBe('offered');
    await store.fill(id('offer'));
    const offered = (await store.leads.getLead(id('offer'))) as Lead & { offer: LeadOffer };
    const beforeOffer = await state(id('offer'));
    const offerAcceptance = planOfferAcceptance({ lead: offered, repId, now: at('2026-03-02T10:02:00.000Z'), eventId: `${id('offer')}-assigned` });
    expect(await store.links.recordOfferAcceptance(id('offer-link'), offerAcceptance, linkExpiresAt, 20)).toBe('lead_full');
    expect(await state(id('offer'))).toEqual(beforeOffer);
    expect(await store.links.usedAt(id('offer-link'))).toBeUndefined();
  });

  it('refuses a lead at its limit a new unsubscribe secret, and still reads back one it has', async () => {
    await newLead('no-secret');
    expect(await store.leads.unsubscribeSecretFor(id('no-secret'), 'first-secret-000000000')).toEqual({ refused: 'lead_full' });
    expect(await store.leads.unsubscribeSecretOf(id('no-secret'))).toBeUndefined();
    await store.leads.ingestLead(webFormIntake(config, { leadId: id('secret') }));
    expect(await store.leads.unsubscribeSecretFor(id('secret'), 'kept-secret-0000000000')).toBe('kept-secret-0000000000');
    await store.fill(id('secret'));
    expect(await store.leads.unsubscribeSecretFor(id('secret'), 'other-secret-000000000')).toBe('kept-secret-0000000000');
  });

  it('counts a repeat post on a lead at its limit, with its consent and lead.touched only', async () => {
    const lead = await newLead('touched');
    const before = (await store.leads.getLead(id('touched')))!;
    const events = await outboxTypes(id('touched'));
    const form = config.forms.find((candidate) => candidate.id === 'demo')!;
    const consent = { version: '2026-11', text: 'emails now and then', purposes: ['contact' as const, 'marketing_email' as const], givenAt: '2026-03-02T10:30:00.000Z' };
    const again = prepareIntake(
      {
        sourceKind: 'web_form',
        channel: form.channel,
        formId: form.id,
        poolId: form.poolId,
        defaultCountry: form.defaultCountry,
        contact: { name: 'Ada', email: lead.contact.email, phone: '+14155550199' },
        answers: { company_size: '1000+' },
        attribution: { lastTouch: { utm_source: 'newsletter' } },
        consent,
        isTest: false,
      },
      { leadId: id('touched-again'), eventId: `${id('touched-again')}-captured`, touchEventId: `${id('touched-again')}-touched` },
      at('2026-03-02T10:30:00.000Z'),
      config,
    );
    expect(await store.leads.ingestLead(again, id('touch-request'))).toEqual({ leadId: id('touched'), outcome: 'touched' });
    expect(await store.leads.getLead(id('touched'))).toEqual({ ...before, touches: before.touches + 1, updatedAt: '2026-03-02T10:30:00.000Z' });
    expect(await outboxTypes(id('touched'))).toEqual([...events, 'lead.touched'].sort());
    expect((await store.consents.entriesFor(id('touched'))).map((entry) => entry.purpose)).toEqual(consentGivenEntries(id('touched'), consent, 'form:demo').map((entry) => entry.purpose));
    // The phone it brought was not taken with the touch: the lead did not take it.
    expect(await store.leads.findLeadIdByPersonKey('phone#+14155550199')).toBeUndefined();
    expect(await store.leads.ingestLead(again, id('touch-request'))).toEqual({ leadId: id('touched'), outcome: 'replayed' });
  });

  it('takes a lead out of the nurture due index only while it is as read', async () => {
    const nurture = config.routing.routes.find((candidate) => candidate.strategy === 'nurture')!;
    const sequence = config.nurture.sequences.find((candidate) => candidate.id === nurture.sequenceId)!;
    const enteredAt = at('2026-03-02T10:00:00.000Z');
    for (const suffix of ['due-left', 'due-changed']) {
      const intake = webFormIntake(config, { leadId: id(suffix), now: enteredAt });
      await store.leads.ingestLead(intake);
      const change = leaveInPool({ lead: intake.lead, route: nurture, poolId: 'nurture', skipped: [], eventId: `${id(suffix)}-pooled`, now: enteredAt });
      expect(await store.leads.leaveInPool({ leadId: id(suffix), ...change, nurture: nurtureEntry(sequence, nurture.id, enteredAt) })).toBe('pooled');
    }
    const due = async () => (await store.leads.listDueNurturedLeads('2026-03-02T11:00:00.000Z', { limit: 100 })).leads.map((lead) => lead.leadId).filter((leadId) => leadId.startsWith(id('due')));
    expect(await due()).toEqual([id('due-changed'), id('due-left')]);
    const left = (await store.leads.getLead(id('due-left')))!;
    expect(await store.leads.leaveDueIndex(left, 'nurture')).toBe('left');
    expect(await store.leads.getLead(id('due-left'))).toEqual(left);
    // Read before its last step, or before a touch counted since: either is a lead that changed.
    const current = (await store.leads.getLead(id('due-changed')))!;
    expect(await store.leads.leaveDueIndex({ ...current, history: current.history.slice(0, -1) }, 'nurture')).toBe('lead_changed');
    expect(await store.leads.leaveDueIndex({ ...current, touches: current.touches - 1 }, 'nurture')).toBe('lead_changed');
    expect(await due()).toEqual([id('due-changed')]);
  });

  it('takes a lead too full for its nurture exit out of its sequence and the due index, with the exit event and no timeline entry, only while it is as read', async () => {
    const nurture = config.routing.routes.find((candidate) => candidate.strategy === 'nurture')!;
    const sequence = config.nurture.sequences.find((candidate) => candidate.id === nurture.sequenceId)!;
    const enteredAt = at('2026-03-02T10:00:00.000Z');
    const intake = webFormIntake(config, { leadId: id('exit'), now: enteredAt });
    await store.leads.ingestLead(intake);
    const change = leaveInPool({ lead: intake.lead, route: nurture, poolId: 'nurture', skipped: [], eventId: `${id('exit')}-pooled`, now: enteredAt });
    expect(await store.leads.leaveInPool({ leadId: id('exit'), ...change, nurture: nurtureEntry(sequence, nurture.id, enteredAt) })).toBe('pooled');
    await store.fill(id('exit'));
    const full = (await store.leads.getLead(id('exit')))!;
    const before = await outboxTypes(id('exit'));
    const exit = planNurtureExit({ lead: full, reason: 'unsubscribed', by: 'unsubscribe', now: at('2026-03-02T11:00:00.000Z'), eventId: `${id('exit')}-left` });

    // As the unsubscribe writes it when the exit's timeline entry does not fit: the same transition, the timeline as it was.
    const withoutEntry = { ...exit, after: { ...exit.after, history: full.history } };
    expect(await store.leads.applyTransition({ ...withoutEntry, before: { ...full, touches: full.touches - 1 } })).toBe('lead_changed');
    expect(await store.leads.getLead(id('exit'))).toEqual(full);
    expect(await store.leads.applyTransition(withoutEntry)).toBe('applied');
    const { nurture: left, ...rest } = full;
    expect(left).toBeDefined();
    expect(await store.leads.getLead(id('exit'))).toEqual({ ...rest, updatedAt: exit.after.updatedAt });
    expect(await outboxTypes(id('exit'))).toEqual([...before, 'lead.nurtured'].sort());
    expect((await store.leads.listDueNurturedLeads('2027-01-01T00:00:00.000Z', { limit: 100 })).leads.map((lead) => lead.leadId)).not.toContain(id('exit'));
  });
});
