import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agendaKey,
  assignToOwner,
  changedLead,
  consentGivenEntries,
  erasePersonFromLead,
  leadEvent,
  leaveInPool,
  lifecycleEventFacts,
  nurtureEntry,
  planActivity,
  planClaim,
  planLockChange,
  planOffer,
  planRelease,
  planStatusChange,
  planTagChange,
  poolSchema,
  prepareIntake,
  touchEntriesKept,
  type Configuration,
  type ConversionFeedback,
  type LeadClaim,
  type OutOfOffice,
  type Pool,
} from '@leadflow/domain';
import {
  DeliveryIdReusedError,
  DynamoDbConsentLedger,
  DynamoDbConversionFeedbackQueue,
  DynamoDbLeadErasure,
  DynamoDbOutboxStore,
  type ConsentLedger,
  type ConversionFeedbackQueue,
  type DuePosition,
  type LeadErasures,
  type LeadIngestion,
  type LeadStore,
  type OutboxStore,
} from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { MemoryLeadStore } from '../support/fakes';
import { webFormIntake } from '../support/intakes';
import { pooledLead } from '../support/pooled-leads';

/**
 * One behaviour, two stores: every case runs against the in-memory fake the handler tests use and the
 * DynamoDB store on DynamoDB Local, so the fake cannot drift from what it stands in for. Ids carry the
 * store's name, as both stores of a kind share one database.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
});
afterAll(() => database?.stop());

interface StoreUnderTest {
  /** With the ingestion, which the fake implements beside the store, and which is its own class on DynamoDB. */
  leads: LeadStore & LeadIngestion;
  erasures: LeadErasures;
  outbox: OutboxStore;
  consents: ConsentLedger;
  feedback: ConversionFeedbackQueue;
}

const implementations: Array<[string, () => StoreUnderTest]> = [
  [
    'memory',
    () => {
      const store = new MemoryLeadStore();
      return { leads: store, erasures: store, outbox: store, consents: store.consents, feedback: store.feedback };
    },
  ],
  [
    'dynamodb',
    () => ({
      leads: new DynamoDbLeadStoreWithIngestion(database.client, database.tableName),
      erasures: new DynamoDbLeadErasure(database.client, database.tableName),
      outbox: new DynamoDbOutboxStore(database.client, database.tableName),
      consents: new DynamoDbConsentLedger(database.client, database.tableName),
      feedback: new DynamoDbConversionFeedbackQueue(database.client, database.tableName),
    }),
  ],
];

const config: Configuration = demoConfiguration();
const poolId = 'contract-pool';
const members = ['contract-rep-a', 'contract-rep-b'];
for (const id of [...members, 'contract-rep-routed', 'contract-rep-tags', 'contract-rep-nurture', 'contract-rep-due']) config.reps.push({ ...config.reps[0], id, name: id, capacity: 2, workingHours: undefined });
config.pools.push(poolSchema.parse({ id: poolId, name: poolId, teamId: 'americas', members, claim: { dailyLimit: 2, previousOwnerCooldownDays: 3 } }));
const pool = config.pools.find((candidate) => candidate.id === poolId) as Pool;
const rep = (id: string) => config.reps.find((candidate) => candidate.id === id)!;
const at = (iso: string) => new Date(iso);

describe.each(implementations)('the %s lead store', (name, open) => {
  let store: StoreUnderTest;
  beforeAll(() => {
    store = open();
  });
  const id = (suffix: string) => `${name}-${suffix}`;
  const outboxTypes = async (leadId: string) =>
    (await store.outbox.listUnpublished('9999-01-01T00:00:00.000Z', 1000))
      .filter((event) => (event.detail as { leadId?: string }).leadId === leadId)
      .map((event) => event.detailType)
      .sort();
  const claimOf = async (leadId: string, repId: string, now: Date): Promise<LeadClaim> => {
    const lead = await store.leads.getLead(leadId);
    const plan = planClaim({ lead: lead!, pool, rep: rep(repId), timeZone: 'UTC', now, eventId: `${leadId}-claimed-${now.getTime()}` });
    if (!('claim' in plan)) throw new Error(plan.refusal.message);
    return plan.claim;
  };

  it('creates a lead with its events, and reads it back as stored', async () => {
    const intake = webFormIntake(config, { leadId: id('created') });
    expect(await store.leads.ingestLead(intake)).toEqual({ leadId: id('created'), outcome: 'created' });
    expect(await store.leads.getLead(id('created'))).toEqual(intake.lead);
    expect(await outboxTypes(id('created'))).toEqual(['lead.captured', 'lead.scored']);
    expect(await store.leads.getLead(id('never-stored'))).toBeUndefined();
  });

  it('turns the same person into a touch on the first lead, and finds the lead by their email key', async () => {
    await store.leads.ingestLead(webFormIntake(config, { leadId: id('first'), contact: { name: 'Bo', email: `bo-${name}@example.com` } }));
    const repeat = webFormIntake(config, { leadId: id('repeat'), contact: { name: 'Bo', email: ` BO-${name}@Example.com` }, utmSource: 'newsletter' });
    expect(await store.leads.ingestLead(repeat)).toEqual({ leadId: id('first'), outcome: 'touched' });
    const lead = await store.leads.getLead(id('first'));
    expect(lead).toMatchObject({ touches: 2, attribution: { lastTouch: { utm_source: 'newsletter' } } });
    expect(lead?.history.map((entry) => entry.action)).toEqual(['captured', 'touched']);
    expect(await store.leads.getLead(id('repeat'))).toBeUndefined();
    expect(await store.leads.findLeadIdByPersonKey(`email#bo-${name}@example.com`)).toBe(id('first'));
    expect(await store.leads.findLeadIdByPersonKey(`email#nobody-${name}@example.com`)).toBeUndefined();
  });

  it('keeps someone else on a phone another lead holds as a lead of their own, and the phone with its holder', async () => {
    const [shared, landline] = name === 'memory' ? ['+14155550141', '+14155550143'] : ['+14155550142', '+14155550144'];
    const post = (suffix: string, contact: { name: string; email?: string; phone: string }) => store.leads.ingestLead(webFormIntake(config, { leadId: id(suffix), contact }));
    expect(await post('anna', { name: 'Anna', email: `anna-${name}@alpha.example`, phone: shared })).toEqual({ leadId: id('anna'), outcome: 'created' });
    // A colleague behind the same switchboard: another email, so another person.
    expect(await post('bernd', { name: 'Bernd', email: `bernd-${name}@beta.example`, phone: shared })).toEqual({ leadId: id('bernd'), outcome: 'created' });
    expect(await store.leads.getLead(id('bernd'))).toMatchObject({ contact: { name: 'Bernd', phone: shared } });
    expect(await store.leads.findLeadIdByPersonKey(`phone#${shared}`)).toBe(id('anna'));
    expect(await store.leads.findLeadIdByPersonKey(`email#bernd-${name}@beta.example`)).toBe(id('bernd'));
    // The phone alone, or with the holder's own email, is the holder again.
    expect(await post('anna-again', { name: 'Anna', phone: shared })).toEqual({ leadId: id('anna'), outcome: 'touched' });
    expect(await post('anna-both', { name: 'Anna', email: `anna-${name}@alpha.example`, phone: shared })).toEqual({ leadId: id('anna'), outcome: 'touched' });
    expect(await store.leads.getLead(id('anna'))).toMatchObject({ touches: 3 });
    // A holder who gave no email: the post adding one is the holder's.
    expect(await post('carl', { name: 'Carl', phone: landline })).toEqual({ leadId: id('carl'), outcome: 'created' });
    expect(await post('carl-email', { name: 'Carl', email: `carl-${name}@gamma.example`, phone: landline })).toEqual({ leadId: id('carl'), outcome: 'touched' });
    expect(await store.leads.getLead(id('carl'))).toMatchObject({ contact: { email: `carl-${name}@gamma.example`, phone: landline } });
    expect(await store.leads.findLeadIdByPersonKey(`email#carl-${name}@gamma.example`)).toBe(id('carl'));
  });

  it('gives a lead the phone a touch brings when it had none, so the phone alone finds it later; a phone it has, or another lead holds, stays where it is', async () => {
    const [phone, otherPhone, heldPhone] = name === 'memory' ? ['+14155550151', '+14155550153', '+14155550155'] : ['+14155550152', '+14155550154', '+14155550156'];
    const post = (suffix: string, contact: { name: string; email?: string; phone?: string }) => store.leads.ingestLead(webFormIntake(config, { leadId: id(suffix), contact }));
    const email = `dora-${name}@delta.example`;
    expect(await post('dora', { name: 'Dora', email })).toEqual({ leadId: id('dora'), outcome: 'created' });
    expect(await post('dora-phone', { name: 'Dora', email, phone: ` ${phone.slice(0, 5)} ${phone.slice(5)}` })).toEqual({ leadId: id('dora'), outcome: 'touched' });
    const dora = await store.leads.getLead(id('dora'));
    expect(dora).toMatchObject({ contact: { name: 'Dora', email, phone, phoneCountry: 'US' }, touches: 2 });
    expect(dora?.history.at(-1)?.detail).toContain('phone added');
    expect(await store.leads.findLeadIdByPersonKey(`phone#${phone}`)).toBe(id('dora'));
    expect(await post('dora-phone-only', { name: 'Dora', phone })).toEqual({ leadId: id('dora'), outcome: 'touched' });
    // A phone the lead already has is not replaced, and its key is not taken.
    expect(await post('dora-new-phone', { name: 'Dora', email, phone: otherPhone })).toEqual({ leadId: id('dora'), outcome: 'touched' });
    expect(await store.leads.getLead(id('dora'))).toMatchObject({ contact: { phone }, touches: 4 });
    expect(await store.leads.findLeadIdByPersonKey(`phone#${otherPhone}`)).toBeUndefined();
    // Another lead's phone stays theirs: the touch of Erik's email does not give Erik Fay's phone.
    const erik = `erik-${name}@epsilon.example`;
    expect(await post('erik', { name: 'Erik', email: erik })).toEqual({ leadId: id('erik'), outcome: 'created' });
    expect(await post('fay', { name: 'Fay', phone: heldPhone })).toEqual({ leadId: id('fay'), outcome: 'created' });
    expect(await post('erik-phone', { name: 'Erik', email: erik, phone: heldPhone })).toEqual({ leadId: id('erik'), outcome: 'touched' });
    expect((await store.leads.getLead(id('erik')))?.contact.phone).toBeUndefined();
    expect(await store.leads.findLeadIdByPersonKey(`phone#${heldPhone}`)).toBe(id('fay'));
  });

  it('stores the title and answers a touch brings that the lead lacked, and scores the lead on them', async () => {
    const email = `gus-${name}@bigco.example`;
    await store.leads.ingestLead(webFormIntake(config, { leadId: id('gus'), formId: 'emea-contact', contact: { name: 'Gus', email } }));
    const demo = webFormIntake(config, { leadId: id('gus-demo'), contact: { name: 'Gus', email, title: 'VP Operations' }, answers: { company_size: '1000+' } });
    expect(await store.leads.ingestLead(demo)).toEqual({ leadId: id('gus'), outcome: 'touched' });
    const gus = await store.leads.getLead(id('gus'));
    expect(gus).toMatchObject({ contact: { name: 'Gus', email, title: 'VP Operations' }, answers: { company_size: '1000+' }, score: { temperature: 'hot' } });
    expect(gus?.score?.contributions.map((contribution) => contribution.ruleId)).toEqual(expect.arrayContaining(['asked-for-demo', 'large-company', 'decision-maker-title']));
  });

  it('answers a retried request with its first outcome, whatever the retry carries', async () => {
    const key = id('request-1');
    expect(await store.leads.ingestLead(webFormIntake(config, { leadId: id('idem') }), key)).toEqual({ leadId: id('idem'), outcome: 'created' });
    expect(await store.leads.ingestLead(webFormIntake(config, { leadId: id('idem-retry') }), key)).toEqual({ leadId: id('idem'), outcome: 'replayed' });
    expect(await store.leads.getLead(id('idem-retry'))).toBeUndefined();
    expect(await store.leads.replayOfIdempotencyKey(key, '2026-03-02T10:00:01.000Z')).toEqual({ leadId: id('idem'), outcome: 'replayed' });
    expect(await store.leads.replayOfIdempotencyKey(id('request-never-sent'), '2026-03-02T10:00:01.000Z')).toBeUndefined();
  });

  it('stops replaying an Idempotency-Key a day after it was stored, before the TTL deletes it: the request is then a new one', async () => {
    const key = id('request-a-day-old');
    const stored = at('2026-03-10T10:00:00.000Z');
    expect(await store.leads.ingestLead(webFormIntake(config, { leadId: id('day-old'), now: stored }), key)).toEqual({ leadId: id('day-old'), outcome: 'created' });
    expect(await store.leads.replayOfIdempotencyKey(key, '2026-03-11T09:59:59.000Z')).toEqual({ leadId: id('day-old'), outcome: 'replayed' });
    expect(await store.leads.replayOfIdempotencyKey(key, '2026-03-11T10:00:00.000Z')).toBeUndefined();
    const nextDay = at('2026-03-11T10:00:00.000Z');
    expect(await store.leads.ingestLead(webFormIntake(config, { leadId: id('day-old-again'), now: nextDay }), key)).toEqual({ leadId: id('day-old-again'), outcome: 'created' });
    // The key now replays the request that took it anew.
    expect(await store.leads.ingestLead(webFormIntake(config, { leadId: id('day-old-third'), now: nextDay }), key)).toEqual({ leadId: id('day-old-again'), outcome: 'replayed' });
  });

  it('gives the person of an invalid lead past its retention a new lead, before the TTL deletes the old one, and touches it until then', async () => {
    const [repA] = members;
    const leadId = id('lapsed');
    const email = `${leadId}@example.com`;
    await pooledLead(store.leads, config, { leadId, poolId });
    expect(await store.leads.claimLead(await claimOf(leadId, repA, at('2026-03-02T11:00:00.000Z')))).toBe('claimed');
    const invalid = planStatusChange({
      lead: (await store.leads.getLead(leadId))!,
      pool,
      principal: { id: repA, roles: ['rep'] },
      body: { status: 'invalid', reason: pool.invalidReasons[0] },
      now: at('2026-03-02T12:00:00.000Z'),
      eventId: id('lapsed-invalid'),
    });
    if (!('transition' in invalid)) throw new Error(invalid.refusal.message);
    expect(await store.leads.applyTransition(invalid.transition)).toBe('applied');
    // Invalid leads are kept 365 days (the default retention) from becoming invalid.
    const repeat = (suffix: string, now: string) => store.leads.ingestLead(webFormIntake(config, { leadId: id(suffix), contact: { name: 'Ada', email }, now: at(now) }));
    expect(await repeat('lapsed-within', '2027-03-02T11:59:59.000Z')).toEqual({ leadId, outcome: 'touched' });
    expect(await repeat('lapsed-after', '2027-03-02T12:00:00.000Z')).toEqual({ leadId: id('lapsed-after'), outcome: 'created' });
    expect(await store.leads.findLeadIdByPersonKey(`email#${email}`)).toBe(id('lapsed-after'));
    expect(await repeat('lapsed-later', '2027-03-02T12:00:01.000Z')).toEqual({ leadId: id('lapsed-after'), outcome: 'touched' });
  });

  it('recognises a redelivered platform lead as a replay, not a touch', async () => {
    const delivery = (leadId: string) =>
      prepareIntake(
        {
          sourceKind: 'google',
          channel: 'google-ads',
          poolId: 'americas-inbound',
          defaultCountry: 'US',
          contact: { email: `di-${name}@example.com` },
          answers: {},
          attribution: {},
          isTest: false,
          platformLeadId: `${name}-9007199254740993`,
        },
        { leadId, eventId: `${leadId}-captured`, touchEventId: `${leadId}-touched` },
        at('2026-03-02T10:00:00.000Z'),
        config,
      );
    await store.leads.ingestLead(delivery(id('platform')));
    expect(await store.leads.ingestLead(delivery(id('platform-again')))).toEqual({ leadId: id('platform'), outcome: 'replayed' });
    expect((await store.leads.getLead(id('platform')))?.touches).toBe(1);
  });

  it("replays a redelivery that says the same, refuses the sender's id taken with other content (touch included), and forgets the fingerprint when the person is erased", async () => {
    const delivery = (leadId: string, email: string, fingerprint: string) =>
      prepareIntake(
        {
          sourceKind: 'webhook',
          channel: 'partner-webhook',
          poolId: 'americas-inbound',
          defaultCountry: 'US',
          contact: { email },
          answers: {},
          attribution: {},
          isTest: false,
          sourceId: 'partner-acme',
          platformLeadId: `${name}-evt-1`,
          deliveryFingerprint: fingerprint,
        },
        { leadId, eventId: `${leadId}-captured`, touchEventId: `${leadId}-touched` },
        at('2026-03-02T10:00:00.000Z'),
        config,
      );
    const ann = `ann-fp-${name}@example.com`;
    await store.leads.ingestLead(delivery(id('fp-ann'), ann, 'fingerprint-ann'));
    expect(await store.leads.ingestLead(delivery(id('fp-ann-again'), ann, 'fingerprint-ann'))).toEqual({ leadId: id('fp-ann'), outcome: 'replayed' });
    await expect(store.leads.ingestLead(delivery(id('fp-bob'), `bob-fp-${name}@example.com`, 'fingerprint-bob'))).rejects.toThrow(DeliveryIdReusedError);
    expect(await store.leads.getLead(id('fp-bob'))).toBeUndefined();
    expect(await store.leads.findLeadIdByPersonKey(`email#bob-fp-${name}@example.com`)).toBeUndefined();

    // Taken by a touch of the person's lead, the id keeps its fingerprint too.
    const cy = `cy-fp-${name}@example.com`;
    await store.leads.ingestLead(webFormIntake(config, { leadId: id('fp-cy'), contact: { name: 'Cy', email: cy } }));
    const touch = (leadId: string, fingerprint: string) => ({
      ...delivery(leadId, cy, fingerprint),
      dedupKeys: delivery(leadId, cy, fingerprint).dedupKeys.map((key) => (key.kind === 'delivery' ? { ...key, key: `${key.key}-cy` } : key)),
    });
    expect(await store.leads.ingestLead(touch(id('fp-cy-touch'), 'fingerprint-cy'))).toEqual({ leadId: id('fp-cy'), outcome: 'touched' });
    await expect(store.leads.ingestLead(touch(id('fp-cy-other'), 'fingerprint-other'))).rejects.toThrow(DeliveryIdReusedError);

    const erase = (lead: Parameters<typeof erasePersonFromLead>[0]) => erasePersonFromLead(lead, { at: '2026-03-05T10:00:00.000Z', eventId: id('fp-erased') });
    expect(await store.erasures.erasePerson({ leadId: id('fp-ann'), erase })).toEqual({ leadId: id('fp-ann'), erased: true });
    // Erased, the person's fingerprint is gone with them: the id sent again is a replay, whatever it says, and brings no one back.
    expect(await store.leads.ingestLead(delivery(id('fp-bob-after'), `bob-fp-${name}@example.com`, 'fingerprint-bob'))).toEqual({ leadId: id('fp-ann'), outcome: 'replayed' });
  });

  it('counts turns per counter, from one', async () => {
    expect([await store.leads.takeTurn(id('turn-a')), await store.leads.takeTurn(id('turn-a')), await store.leads.takeTurn(id('turn-b'))]).toEqual([1, 2, 1]);
    // A turn given back while it is the last is taken again; one given back after another was taken is not.
    await store.leads.giveBackTurn(id('turn-a'), 2);
    expect(await store.leads.takeTurn(id('turn-a'))).toBe(2);
    await store.leads.giveBackTurn(id('turn-a'), 1);
    expect(await store.leads.takeTurn(id('turn-a'))).toBe(3);
    await store.leads.giveBackTurn(id('turn-never-taken'), 1);
    expect(await store.leads.takeTurn(id('turn-never-taken'))).toBe(1);
  });

  it("gives back a failed decision's turn only while its lead is still routable under the decision's guard", async () => {
    const intake = webFormIntake(config, { leadId: id('turn-lead') });
    await store.leads.ingestLead(intake);
    const guard = { leadId: id('turn-lead'), scoredAt: intake.lead.score?.scoredAt };
    const turns = id('turn-guarded');
    expect(await store.leads.takeTurn(turns)).toBe(1);
    await store.leads.giveBackTurn(turns, 1, guard);
    expect(await store.leads.takeTurn(turns)).toBe(1);
    // Re-scored since, or never stored: not this decision's lead to route, so the turn is not given back for it.
    await store.leads.giveBackTurn(turns, 1, { ...guard, scoredAt: '2026-03-02T09:00:00.000Z' });
    await store.leads.giveBackTurn(turns, 1, { leadId: id('turn-never-stored') });
    expect(await store.leads.takeTurn(turns)).toBe(2);
    // Routed (a write that committed, its answer lost): the turn was used and stays taken.
    const route = config.routing.routes.find((candidate) => candidate.strategy === 'round_robin')!;
    const pooled = leaveInPool({ lead: intake.lead, route, poolId, skipped: [], eventId: `${id('turn-lead')}-pooled`, now: at('2026-03-02T10:01:00.000Z') });
    expect(await store.leads.leaveInPool({ ...guard, ...pooled })).toBe('pooled');
    await store.leads.giveBackTurn(turns, 2, guard);
    expect(await store.leads.takeTurn(turns)).toBe(3);
  });

  it('assigns a new lead once, within the owner capacity, and counts it among their open leads', async () => {
    const route = config.routing.routes.find((candidate) => candidate.strategy === 'round_robin')!;
    const owner = rep('contract-rep-routed');
    const assign = async (leadId: string, capacity: number) => {
      const intake = webFormIntake(config, { leadId });
      await store.leads.ingestLead(intake);
      // The route's pool is not the form's: the lead joins it.
      expect(intake.lead.poolId).not.toBe('key-accounts');
      const change = assignToOwner({ lead: intake.lead, route, poolId: 'key-accounts', owner, passedOver: [], skipped: [], eventId: `${leadId}-assigned`, now: at('2026-03-02T10:01:00.000Z') });
      return store.leads.assignOwner({ ...change, leadId, capacity });
    };
    const ownerBefore = (await store.leads.readRepStates([owner.id])).openLeads.get(owner.id) ?? 0;
    expect(await assign(id('assigned'), ownerBefore + 1)).toBe('assigned');
    expect(await assign(id('over-capacity'), ownerBefore + 1)).toBe('at_capacity');
    const again = assignToOwner({
      lead: (await store.leads.getLead(id('assigned')))!,
      route,
      poolId: 'americas-inbound',
      owner: rep(members[1]),
      passedOver: [],
      skipped: [],
      eventId: 'again',
      now: at('2026-03-02T10:02:00.000Z'),
    });
    expect(await store.leads.assignOwner({ ...again, leadId: id('assigned'), capacity: 10 })).toBe('already_assigned');
    expect(await store.leads.getLead(id('assigned'))).toMatchObject({ ownerId: owner.id, status: 'assigned', poolId: 'key-accounts', assignment: { rule: 'round_robin', poolId: 'key-accounts' } });
    expect(await store.leads.getLead(id('over-capacity'))).toMatchObject({ status: 'new' });
    expect((await store.leads.readRepStates([owner.id])).openLeads.get(owner.id)).toBe(ownerBefore + 1);
    expect(await outboxTypes(id('assigned'))).toContain('lead.assigned');
  });

  it('assigns a least busy choice only while its rep holds the open leads it was ranked on, none counting as 0', async () => {
    const route = config.routing.routes.find((candidate) => candidate.strategy === 'least_busy')!;
    const owner = { ...rep('contract-rep-routed'), id: id('least-busy-rep') };
    const assign = async (leadId: string, seenOpenLeads: number, capacity = 10) => {
      await store.leads.ingestLead(webFormIntake(config, { leadId }));
      const change = assignToOwner({
        lead: { leadId },
        route,
        poolId,
        owner,
        passedOver: [],
        skipped: [],
        openLeads: new Map([[owner.id, seenOpenLeads]]),
        eventId: `${leadId}-assigned`,
        now: at('2026-03-02T10:01:00.000Z'),
      });
      return store.leads.assignOwner({ ...change, leadId, capacity, seenOpenLeads });
    };
    expect(await assign(id('least-busy-stale'), 1)).toBe('load_changed');
    expect(await assign(id('least-busy-first'), 0)).toBe('assigned');
    expect(await assign(id('least-busy-raced'), 0)).toBe('load_changed');
    expect(await assign(id('least-busy-second'), 1)).toBe('assigned');
    // Ranked on a load at the cap, the write is refused as the cap alone would refuse it.
    expect(await assign(id('least-busy-full'), 2, 2)).toBe('load_changed');
    for (const refused of ['least-busy-stale', 'least-busy-raced', 'least-busy-full']) {
      expect(await store.leads.getLead(id(refused))).toMatchObject({ status: 'new' });
      expect(await outboxTypes(id(refused))).not.toContain('lead.assigned');
    }
    expect((await store.leads.readRepStates([owner.id])).openLeads.get(owner.id)).toBe(2);
    expect(await store.leads.getLead(id('least-busy-second'))).toMatchObject({ status: 'assigned', ownerId: owner.id, assignment: { rule: 'least_busy' } });

    // Both leads released, the rep's counter is still there, at 0: a ranking on 0 holds, one on 1 does not.
    for (const [index, released] of ['least-busy-first', 'least-busy-second'].entries()) {
      const plan = planRelease({
        lead: (await store.leads.getLead(id(released)))!,
        pool,
        repId: owner.id,
        reason: pool.releaseReasons[0],
        now: at('2026-03-02T10:02:00.000Z'),
        eventId: `${id(released)}-released-${index}`,
      });
      if (!('release' in plan)) throw new Error(plan.refusal.message);
      expect(await store.leads.releaseLead(plan.release)).toBe('released');
    }
    expect((await store.leads.readRepStates([owner.id])).openLeads.get(owner.id)).toBe(0);
    expect(await assign(id('least-busy-stale-at-zero'), 1)).toBe('load_changed');
    expect(await assign(id('least-busy-at-zero'), 0)).toBe('assigned');
    expect((await store.leads.readRepStates([owner.id])).openLeads.get(owner.id)).toBe(1);
  });

  it('refuses to route a lead on a score it no longer has, and routes it on the score a touch gave it', async () => {
    const route = config.routing.routes.find((candidate) => candidate.strategy === 'round_robin')!;
    const offerRoute = { ...route, strategy: 'offer' as const, offer: { reps: members, windowMinutes: 5, fallback: 'pool' as const } };
    const owner = rep('contract-rep-routed');
    const contact = { name: 'Rey', email: `rey-${name}@example.com` };
    const first = webFormIntake(config, { leadId: id('rescored'), contact, now: at('2026-03-02T10:00:00.000Z') });
    await store.leads.ingestLead(first);
    // The same person again, before the lead was routed: a touch re-scores it.
    await store.leads.ingestLead(webFormIntake(config, { leadId: id('rescored-again'), contact, now: at('2026-03-02T10:00:05.000Z') }));
    const stale = first.lead.score!.scoredAt;
    const current = (await store.leads.getLead(id('rescored')))!.score!.scoredAt;
    expect(current).not.toBe(stale);

    const decidedAt = at('2026-03-02T10:00:06.000Z');
    const assignment = (scoredAt: string) => ({
      ...assignToOwner({ lead: first.lead, route, poolId, owner, passedOver: [], skipped: [], eventId: `${id('rescored')}-${scoredAt}`, now: decidedAt }),
      leadId: id('rescored'),
      capacity: 10,
      scoredAt,
    });
    const pooling = (scoredAt: string) => ({ ...leaveInPool({ lead: first.lead, route, poolId, skipped: [], eventId: `${id('rescored')}-pooled`, now: decidedAt }), leadId: id('rescored'), scoredAt });
    const offering = (scoredAt: string) => ({ ...planOffer({ lead: first.lead, route: offerRoute, poolId, offered: [rep(members[0])], skipped: [], now: decidedAt, eventId: `${id('rescored')}-offered` }), scoredAt });
    expect(await store.leads.assignOwner(assignment(stale))).toBe('already_assigned');
    expect(await store.leads.leaveInPool(pooling(stale))).toBe('already_routed');
    expect(await store.leads.offerLead(offering(stale))).toBe('already_routed');
    expect(await store.leads.getLead(id('rescored'))).toMatchObject({ status: 'new' });
    expect((await store.leads.getLead(id('rescored')))?.ownerId).toBeUndefined();
    expect(await store.leads.assignOwner(assignment(current))).toBe('assigned');
    expect(await store.leads.getLead(id('rescored'))).toMatchObject({ status: 'assigned', ownerId: owner.id });
  });

  it('reports only the reps asked for, with their out-of-office records', async () => {
    const record: OutOfOffice = { repId: id('away'), outOfOffice: true, until: '2026-03-09T00:00:00.000Z', setBy: id('away'), setAt: '2026-03-01T12:00:00.000Z' };
    await store.leads.setOutOfOffice(record);
    const states = await store.leads.readRepStates([id('away'), id('nobody')]);
    expect(states.outOfOffice.get(id('away'))).toEqual(record);
    expect(states.outOfOffice.has(id('nobody'))).toBe(false);
  });

  it('lists the leads waiting in a pool, oldest first, a page at a time', async () => {
    const listPool = `${poolId}-${name}-listing`;
    for (const [suffix, capturedAt] of [
      ['wait-2', '2026-03-02T11:00:00.000Z'],
      ['wait-1', '2026-03-02T09:00:00.000Z'],
      ['wait-3', '2026-03-02T12:00:00.000Z'],
    ] as const)
      await pooledLead(store.leads, config, { leadId: id(suffix), poolId: listPool, capturedAt: at(capturedAt) });
    const first = await store.leads.listPoolLeads(listPool, { limit: 2 });
    expect(first.leads.map((lead) => lead.leadId)).toEqual([id('wait-1'), id('wait-2')]);
    expect(first.next).toBeDefined();
    const second = await store.leads.listPoolLeads(listPool, { limit: 2, after: first.next });
    expect(second.leads.map((lead) => lead.leadId)).toEqual([id('wait-3')]);
    expect(second.next).toBeUndefined();

    // A cursor outside the capture window asked for now (a page read under another filter, or one aged out of it).
    const fromWait2 = { capturedFrom: '2026-03-02T10:00:00.000Z' };
    expect((await store.leads.listPoolLeads(listPool, { limit: 10, after: first.next }, { capturedTo: '2026-03-02T10:30:00.000Z' })).leads).toEqual([]);
    const before = { capturedAt: '2026-03-02T09:00:00.000Z', leadId: id('wait-1') };
    expect((await store.leads.listPoolLeads(listPool, { limit: 10, after: before }, fromWait2)).leads.map((lead) => lead.leadId)).toEqual([id('wait-2'), id('wait-3')]);
  });

  it("answers a rep's list with a cursor past its due bound with no leads, as the cursor has nothing after it in range", async () => {
    const owner = 'contract-rep-due';
    const route = config.routing.routes.find((candidate) => candidate.strategy === 'round_robin')!;
    const intake = webFormIntake(config, { leadId: id('due-owned') });
    await store.leads.ingestLead(intake);
    const change = assignToOwner({ lead: intake.lead, route, poolId: 'americas-inbound', owner: rep(owner), passedOver: [], skipped: [], eventId: id('due-owned-assigned'), now: at('2026-03-02T12:00:00.000Z') });
    expect(await store.leads.assignOwner({ ...change, leadId: id('due-owned'), capacity: 10 })).toBe('assigned');
    const all = await store.leads.listOwnedLeads(owner, { statuses: ['assigned'] }, { limit: 10 });
    expect(all.leads.map((lead) => lead.leadId)).toEqual([id('due-owned')]);
    const cursor = { agenda: agendaKey(all.leads[0]), leadId: id('due-owned') };
    expect((await store.leads.listOwnedLeads(owner, { statuses: ['assigned'], dueBefore: '2026-03-03T00:00:00.000Z' }, { limit: 10, after: cursor })).leads).toEqual([]);
  });

  it('keeps only the leads carrying a tag in the pool listing and the owner list, and stores the rule tags a touch adds', async () => {
    const tagPool = `${poolId}-${name}-tags`;
    const manager = { id: 'mgr-maya', roles: ['manager'] as const };
    const route = config.routing.routes.find((candidate) => candidate.strategy === 'round_robin')!;
    for (const suffix of ['plain', 'vip']) await pooledLead(store.leads, config, { leadId: id(`tag-${suffix}`), poolId: tagPool });
    for (const suffix of ['owned-plain', 'owned-vip']) {
      const intake = webFormIntake(config, { leadId: id(`tag-${suffix}`) });
      await store.leads.ingestLead(intake);
      const change = assignToOwner({
        lead: intake.lead,
        route,
        poolId: 'americas-inbound',
        owner: rep('contract-rep-tags'),
        passedOver: [],
        skipped: [],
        eventId: id(`tag-${suffix}-assigned`),
        now: at('2026-03-02T12:00:00.000Z'),
      });
      expect(await store.leads.assignOwner({ ...change, leadId: id(`tag-${suffix}`), capacity: 10 })).toBe('assigned');
    }
    for (const suffix of ['vip', 'owned-vip']) {
      const plan = planTagChange({
        lead: (await store.leads.getLead(id(`tag-${suffix}`)))!,
        principal: manager,
        tag: 'vip',
        add: true,
        tags: config.tags,
        now: at('2026-03-02T12:30:00.000Z'),
        eventId: id(`tag-${suffix}-tagged`),
      });
      if (!('transition' in plan)) throw new Error(plan.refusal.message);
      expect(await store.leads.applyTransition(plan.transition)).toBe('applied');
    }
    expect((await store.leads.listPoolLeads(tagPool, { limit: 10 }, { tag: 'vip' })).leads.map((lead) => lead.leadId)).toEqual([id('tag-vip')]);
    expect((await store.leads.listPoolLeads(tagPool, { limit: 10 }, { tag: 'needs-follow-up' })).leads).toEqual([]);
    const owned = await store.leads.listOwnedLeads('contract-rep-tags', { statuses: ['assigned'], tag: 'vip' }, { limit: 10 });
    expect(owned.leads.map((lead) => lead.leadId)).toEqual([id('tag-owned-vip')]);
    expect(await outboxTypes(id('tag-vip'))).toContain('lead.tagged');

    // A manager title, a mid-size company and the demo form make the lead warm; coming back makes it hot.
    const warm = (leadId: string) => webFormIntake(config, { leadId, contact: { name: 'Di', email: `di-tags-${name}@example.com`, title: 'Sales manager' }, answers: { company_size: '51-200' } });
    await store.leads.ingestLead(warm(id('tag-warm')));
    expect((await store.leads.getLead(id('tag-warm')))?.tags).toBeUndefined();
    expect(await store.leads.ingestLead(warm(id('tag-warm-again')))).toEqual({ leadId: id('tag-warm'), outcome: 'touched' });
    expect(await store.leads.getLead(id('tag-warm'))).toMatchObject({ score: { temperature: 'hot' }, tags: ['high-intent'] });
  });

  it('refuses a change decided before a touch that kept no timeline entry, so the rule tag the touch added stays', async () => {
    const repeat = (leadId: string) => webFormIntake(config, { leadId, contact: { name: 'Flo', email: `flo-touch-race-${name}@example.com`, title: 'Sales manager' }, answers: { company_size: '51-200' } });
    // A lead submitted again touchEntriesKept times already: one more touch is counted but adds nothing to its timeline.
    const first = repeat(id('touch-race'));
    const repeats = Array.from({ length: touchEntriesKept }, () => ({ at: '2026-03-02T10:00:00.000Z', action: 'touched' as const, by: 'form:demo' }));
    await store.leads.ingestLead({ ...first, lead: { ...first.lead, touches: touchEntriesKept + 1, history: [...first.lead.history, ...repeats] } });
    const plan = planTagChange({
      lead: (await store.leads.getLead(id('touch-race')))!,
      principal: { id: 'mgr-maya', roles: ['manager'] },
      tag: 'vip',
      add: true,
      tags: config.tags,
      now: at('2026-03-02T12:30:00.000Z'),
      eventId: id('touch-race-tagged'),
    });
    if (!('transition' in plan)) throw new Error(plan.refusal.message);
    expect(await store.leads.ingestLead(repeat(id('touch-race-again')))).toEqual({ leadId: id('touch-race'), outcome: 'touched' });
    expect(await store.leads.applyTransition(plan.transition)).toBe('lead_changed');
    expect(await store.leads.getLead(id('touch-race'))).toMatchObject({ touches: touchEntriesKept + 2, tags: ['high-intent'] });
  });

  it('pools a lead into a nurture sequence, lists only nurtured leads when asked, ends the sequence on a claim and on a warming touch', async () => {
    const nurturePool = `${poolId}-${name}-nurture`;
    const route = { ...config.routing.routes.find((candidate) => candidate.strategy === 'nurture')!, poolId: nurturePool };
    const sequence = config.nurture.sequences[0];
    const pool = async (leadId: string, contact: { name: string; email: string }, nurtured: boolean) => {
      const intake = webFormIntake(config, { leadId, contact });
      await store.leads.ingestLead(intake);
      const change = leaveInPool({ lead: intake.lead, route, poolId: nurturePool, skipped: [], eventId: `${leadId}-pooled`, now: at('2026-03-02T10:00:00.000Z') });
      expect(await store.leads.leaveInPool({ leadId, ...change, ...(nurtured ? { nurture: nurtureEntry(sequence, route.id, at('2026-03-02T10:00:00.000Z')) } : {}) })).toBe('pooled');
    };
    await pool(id('nurture-plain'), { name: 'Pat', email: `pat-${name}@example.com` }, false);
    // Free mail on the demo form: 20 points, cold; coming back twice makes it warm.
    await pool(id('nurture-warming'), { name: 'Wes', email: `wes-${name}@gmail.com` }, true);
    await pool(id('nurture-claimed'), { name: 'Cal', email: `cal-${name}@gmail.com` }, true);
    expect(await store.leads.getLead(id('nurture-warming'))).toMatchObject({ status: 'in_pool', nurture: { sequenceId: sequence.id, doneStepIds: [] } });
    expect((await store.leads.getLead(id('nurture-warming')))?.history.map((entry) => entry.action)).toEqual(['captured', 'pooled', 'nurture_entered']);
    expect((await store.leads.listPoolLeads(nurturePool, { limit: 10 }, { nurturing: true })).leads.map((lead) => lead.leadId).sort()).toEqual([id('nurture-claimed'), id('nurture-warming')]);

    const claimPool = poolSchema.parse({ id: nurturePool, name: nurturePool, teamId: 'americas', members: ['contract-rep-nurture'] });
    const claimed = planClaim({
      lead: (await store.leads.getLead(id('nurture-claimed')))!,
      pool: claimPool,
      rep: rep('contract-rep-nurture'),
      timeZone: 'UTC',
      now: at('2026-03-09T12:00:00.000Z'),
      eventId: id('nurture-claim'),
    });
    if (!('claim' in claimed)) throw new Error(claimed.refusal.message);
    expect(await store.leads.claimLead(claimed.claim)).toBe('claimed');
    const claimedLead = await store.leads.getLead(id('nurture-claimed'));
    expect(claimedLead?.nurture).toBeUndefined();
    expect(claimedLead?.history.slice(-2).map((entry) => [entry.action, entry.detail])).toEqual([
      ['claimed', expect.any(String)],
      ['nurture_left', `left nurture sequence ${sequence.id}: claimed`],
    ]);

    const again = (suffix: string) => webFormIntake(config, { leadId: id(`nurture-warming-${suffix}`), contact: { name: 'Wes', email: `wes-${name}@gmail.com` } });
    await store.leads.ingestLead(again('2'));
    expect(await store.leads.getLead(id('nurture-warming'))).toMatchObject({ status: 'in_pool', score: { temperature: 'cold' }, nurture: { doneStepIds: [] } });
    await store.leads.ingestLead(again('3'));
    const warmed = await store.leads.getLead(id('nurture-warming'));
    expect(warmed).toMatchObject({ status: 'new', score: { temperature: 'warm' } });
    expect(warmed?.nurture).toBeUndefined();
    expect(warmed?.history.map((entry) => entry.action).slice(-2)).toEqual(['touched', 'nurture_left']);
    expect((await store.leads.listPoolLeads(nurturePool, { limit: 10 })).leads.map((lead) => lead.leadId)).toEqual([id('nurture-plain')]);
    expect(await outboxTypes(id('nurture-warming'))).toContain('lead.nurtured');
    // Left by the nurture route without a sequence (no marketing consent), Pat is routed again as a touch warms him too,
    // and a lock an earlier version let a manager put on him while he waited is lifted, not to exempt his next owner from recycling.
    const plain = (await store.leads.getLead(id('nurture-plain')))!;
    const lockedAt = '2026-03-05T10:00:00.000Z';
    const locked = changedLead(plain, { set: { lock: { by: 'mgr-maya', at: lockedAt } }, entry: { at: lockedAt, action: 'locked', by: 'mgr-maya' } });
    expect(
      await store.leads.applyTransition({ before: plain, after: locked, openLeads: [], event: leadEvent('lead.locked', { ...lifecycleEventFacts(plain, 'mgr-maya', id('plain-lock')), changedAt: lockedAt }, lockedAt) }),
    ).toBe('applied');
    await store.leads.ingestLead(webFormIntake(config, { leadId: id('nurture-plain-again'), contact: { name: 'Pat', email: `pat-${name}@example.com` } }));
    const rerouted = await store.leads.getLead(id('nurture-plain'));
    expect(rerouted).toMatchObject({ status: 'new', touches: 2 });
    expect(rerouted?.lock).toBeUndefined();
    expect(rerouted?.history.at(-1)?.detail).toContain('the lock mgr-maya put on it is lifted');
    expect(await outboxTypes(id('nurture-plain'))).toContain('lead.unlocked');
    expect((await store.leads.listPoolLeads(nurturePool, { limit: 10 })).leads).toEqual([]);
  });

  it('pages through a due-time index from where the last page ended, leads due at the same time in lead id order', async () => {
    const duePool = `${poolId}-${name}-due`;
    const route = { ...config.routing.routes.find((candidate) => candidate.strategy === 'nurture')!, poolId: duePool };
    // Due in 2031, after every other lead of these tests: a page starting there holds only these.
    for (const [suffix, enteredAt] of [
      ['due-b', '2031-01-01T01:00:00.000Z'],
      ['due-a', '2031-01-01T01:00:00.000Z'],
      ['due-c', '2031-01-01T02:00:00.000Z'],
    ] as const) {
      const intake = webFormIntake(config, { leadId: id(suffix), contact: { name: suffix, email: `${suffix}-${name}@example.com` } });
      await store.leads.ingestLead(intake);
      const change = leaveInPool({ lead: intake.lead, route, poolId: duePool, skipped: [], eventId: `${id(suffix)}-pooled`, now: at(enteredAt) });
      expect(await store.leads.leaveInPool({ leadId: id(suffix), ...change, nurture: nurtureEntry(config.nurture.sequences[0], route.id, at(enteredAt)) })).toBe('pooled');
    }
    const list = async (page: { limit: number; after?: DuePosition }) => {
      const { leads, next } = await store.leads.listDueNurturedLeads('2031-01-01T02:00:00.000Z', page);
      return { leadIds: leads.map((lead) => lead.leadId), next };
    };
    const first = await list({ limit: 2, after: { at: '2031-01-01T00:00:00.000Z', leadId: '' } });
    expect(first).toEqual({ leadIds: [id('due-a'), id('due-b')], next: { at: '2031-01-01T01:00:00.000Z', leadId: id('due-b') } });
    expect(await list({ limit: 2, after: first.next })).toEqual({ leadIds: [id('due-c')] });
    // A page that ends inside a tie: the next starts at the tie's next lead.
    expect((await list({ limit: 1, after: { at: '2031-01-01T01:00:00.000Z', leadId: id('due-a') } })).leadIds).toEqual([id('due-b')]);
  });

  it('claims under the daily limit and holding cap, releases, and refuses the previous owner inside the cooldown', async () => {
    const [repA, repB] = members;
    for (const suffix of ['claim-1', 'claim-2', 'claim-3']) await pooledLead(store.leads, config, { leadId: id(suffix), poolId });
    const now = at('2026-03-03T10:00:00.000Z');
    // Both planned on the same unowned lead: the store lets one through.
    const [claimByA, claimByB] = [await claimOf(id('claim-1'), repA, now), await claimOf(id('claim-1'), repB, now)];
    expect(await store.leads.claimLead(claimByA)).toBe('claimed');
    expect(await store.leads.claimLead(claimByB)).toBe('lead_changed');
    // Rep A holds 1 of 2 (their capacity); a claim that would take them past a cap of 1 is refused.
    expect(await store.leads.claimLead({ ...(await claimOf(id('claim-2'), repA, now)), holdingCap: 1 })).toBe('holding_cap');
    expect(await store.leads.claimLead(await claimOf(id('claim-2'), repA, now))).toBe('claimed');
    expect(await store.leads.claimLead({ ...(await claimOf(id('claim-3'), repA, now)), holdingCap: 5 })).toBe('daily_limit');
    expect((await store.leads.readRepStates([repA])).openLeads.get(repA)).toBe(2);

    // A next step rep A promised is theirs: the release takes it away with the lead.
    const called = planActivity({
      lead: (await store.leads.getLead(id('claim-1')))!,
      principal: { id: repA, roles: ['rep'] },
      activity: { kind: 'call', nextStepAt: '2026-03-05T10:00:00.000Z' },
      now: at('2026-03-03T10:30:00.000Z'),
      eventId: id('called'),
    });
    if (!('transition' in called)) throw new Error(called.refusal.message);
    expect(await store.leads.applyTransition(called.transition)).toBe('applied');
    expect(await store.leads.getLead(id('claim-1'))).toMatchObject({ nextStepAt: '2026-03-05T10:00:00.000Z', lastContactAt: '2026-03-03T10:30:00.000Z' });
    // A manager's lock kept the lead with rep A; released, the lead leaves it behind. A release planned before the lock came is refused.
    const unlockedPlan = planRelease({ lead: (await store.leads.getLead(id('claim-1')))!, pool, repId: repA, reason: pool.releaseReasons[0], now: at('2026-03-03T10:40:00.000Z'), eventId: id('released-early') });
    const locked = planLockChange({
      lead: (await store.leads.getLead(id('claim-1')))!,
      principal: { id: 'mgr-maya', roles: ['manager'] },
      lock: true,
      reason: 'key account',
      now: at('2026-03-03T10:45:00.000Z'),
      eventId: id('locked'),
    });
    if (!('transition' in locked)) throw new Error(locked.refusal.message);
    expect(await store.leads.applyTransition(locked.transition)).toBe('applied');
    if (!('release' in unlockedPlan)) throw new Error(unlockedPlan.refusal.message);
    expect(await store.leads.releaseLead(unlockedPlan.release)).toBe('lead_changed');
    const releasePlan = planRelease({ lead: (await store.leads.getLead(id('claim-1')))!, pool, repId: repA, reason: pool.releaseReasons[0], now: at('2026-03-03T11:00:00.000Z'), eventId: id('released') });
    if (!('release' in releasePlan)) throw new Error(releasePlan.refusal.message);
    expect(await store.leads.releaseLead(releasePlan.release)).toBe('released');
    expect(await store.leads.releaseLead(releasePlan.release)).toBe('lead_changed');
    expect(await store.leads.getLead(id('claim-1'))).toMatchObject({ status: 'in_pool', previousOwnerId: repA, releasedAt: '2026-03-03T11:00:00.000Z' });
    expect(await store.leads.getLead(id('claim-1'))).not.toHaveProperty('ownerId');
    expect(await store.leads.getLead(id('claim-1'))).not.toHaveProperty('nextStepAt');
    expect(await store.leads.getLead(id('claim-1'))).not.toHaveProperty('lock');
    expect((await store.leads.getLead(id('claim-1')))!.history.at(-1)?.detail).toMatch(/the lock mgr-maya put on it is lifted$/);
    expect((await store.leads.readRepStates([repA])).openLeads.get(repA)).toBe(1);
    // Inside the cooldown the store itself refuses the previous owner, whatever the caller planned.
    const nextDay = at('2026-03-04T10:00:00.000Z');
    expect(await store.leads.claimLead({ ...(await claimOf(id('claim-1'), repB, nextDay)), ownerId: repA, cooldownCutoff: '2026-03-01T10:00:00.000Z' })).toBe('lead_changed');
    expect(await outboxTypes(id('claim-1'))).toEqual(['lead.activity_logged', 'lead.captured', 'lead.claimed', 'lead.locked', 'lead.pooled', 'lead.released', 'lead.scored', 'lead.unlocked']);
  });

  it("stores lead.unlocked beside lead.status_changed when invalid lifts a manager's lock, and refuses an invalid planned before the lock came", async () => {
    const [, repB] = members;
    await pooledLead(store.leads, config, { leadId: id('invalid-locked'), poolId });
    expect(await store.leads.claimLead(await claimOf(id('invalid-locked'), repB, at('2026-03-06T10:00:00.000Z')))).toBe('claimed');
    const invalid = async (now: Date) => {
      const plan = planStatusChange({
        lead: (await store.leads.getLead(id('invalid-locked')))!,
        pool,
        principal: { id: repB, roles: ['rep'] },
        body: { status: 'invalid', reason: pool.invalidReasons[0] },
        now,
        eventId: id(`invalid-${now.getTime()}`),
      });
      if (!('transition' in plan)) throw new Error(plan.refusal.message);
      return plan.transition;
    };
    const plannedUnlocked = await invalid(at('2026-03-06T10:10:00.000Z'));
    const locked = planLockChange({
      lead: (await store.leads.getLead(id('invalid-locked')))!,
      principal: { id: 'mgr-maya', roles: ['manager'] },
      lock: true,
      now: at('2026-03-06T10:15:00.000Z'),
      eventId: id('invalid-lock'),
    });
    if (!('transition' in locked)) throw new Error(locked.refusal.message);
    expect(await store.leads.applyTransition(locked.transition)).toBe('applied');
    expect(await store.leads.applyTransition(plannedUnlocked)).toBe('lead_changed');
    expect(await store.leads.applyTransition(await invalid(at('2026-03-06T10:20:00.000Z')))).toBe('applied');
    expect(await store.leads.getLead(id('invalid-locked'))).not.toHaveProperty('lock');
    expect(await outboxTypes(id('invalid-locked'))).toEqual(['lead.captured', 'lead.claimed', 'lead.locked', 'lead.pooled', 'lead.scored', 'lead.status_changed', 'lead.unlocked']);
  });

  it('lifts with a claim a lock an earlier version left on a waiting lead, storing lead.unlocked beside lead.claimed, and refuses a claim planned before the lock came or went', async () => {
    const [repA] = members;
    const leadId = id('claim-locked');
    const waiting = await pooledLead(store.leads, config, { leadId, poolId });
    const plannedUnlocked = await claimOf(leadId, repA, at('2026-03-07T10:05:00.000Z'));
    // As an earlier version wrote it: a manager's lock on the lead while it waits with no owner.
    const lockedAt = '2026-03-07T10:00:00.000Z';
    const lock = { by: 'mgr-maya', at: lockedAt, reason: 'key account' };
    const legacyLock = {
      before: waiting,
      after: changedLead(waiting, { set: { lock }, entry: { at: lockedAt, action: 'locked', by: 'mgr-maya', detail: 'key account' } }),
      openLeads: [],
      event: leadEvent('lead.locked', { ...lifecycleEventFacts(waiting, 'mgr-maya', id('legacy-lock')), reason: 'key account', changedAt: lockedAt }, lockedAt),
    };
    expect(await store.leads.applyTransition(legacyLock)).toBe('applied');
    expect(await store.leads.claimLead(plannedUnlocked)).toBe('lead_changed');
    const claim = await claimOf(leadId, repA, at('2026-03-07T10:10:00.000Z'));
    expect(claim).toMatchObject({ lockedAt, unlockedEvent: { type: 'lead.unlocked' } });
    // A claim planned with the lock is refused once the lock is gone (unlocked by hand meanwhile): it would name a lock it did not lift.
    expect(await store.leads.claimLead({ ...claim, lockedAt: '2026-03-07T09:00:00.000Z' })).toBe('lead_changed');
    expect(await store.leads.claimLead(claim)).toBe('claimed');
    const claimed = await store.leads.getLead(leadId);
    expect(claimed).toMatchObject({ ownerId: repA, status: 'assigned' });
    expect(claimed).not.toHaveProperty('lock');
    expect(claimed!.history.at(-1)).toMatchObject({ action: 'claimed', by: repA, detail: expect.stringMatching(/; the lock mgr-maya put on it is lifted$/) });
    expect(await outboxTypes(leadId)).toEqual(['lead.captured', 'lead.claimed', 'lead.locked', 'lead.pooled', 'lead.scored', 'lead.unlocked']);
  });

  it("keeps a lead's unsubscribe secret beside the lead, the first one stored for good, and out of the lead it reads", async () => {
    const intake = webFormIntake(config, { leadId: id('unsubscribe'), contact: { name: 'Uma', email: `uma-${name}@example.com` } });
    await store.leads.ingestLead(intake);
    expect(await store.leads.unsubscribeSecretOf(id('unsubscribe'))).toBeUndefined();
    expect(await store.leads.unsubscribeSecretFor(id('unsubscribe'), 'first-secret-000000000')).toBe('first-secret-000000000');
    expect(await store.leads.unsubscribeSecretFor(id('unsubscribe'), 'other-secret-000000000')).toBe('first-secret-000000000');
    const plan = planTagChange({
      lead: (await store.leads.getLead(id('unsubscribe')))!,
      principal: { id: 'mgr-maya', roles: ['manager'] },
      tag: 'vip',
      add: true,
      tags: config.tags,
      now: at('2026-03-02T12:30:00.000Z'),
      eventId: id('unsubscribe-tagged'),
    });
    if (!('transition' in plan)) throw new Error(plan.refusal.message);
    expect(await store.leads.applyTransition(plan.transition)).toBe('applied');
    expect(await store.leads.unsubscribeSecretOf(id('unsubscribe'))).toBe('first-secret-000000000');
    expect(await store.leads.getLead(id('unsubscribe'))).toEqual(plan.transition.after);
    expect(await store.leads.unsubscribeSecretFor(id('unsubscribe-never-stored'), 'first-secret-000000000')).toBeUndefined();
    expect(await store.leads.unsubscribeSecretOf(id('unsubscribe-never-stored'))).toBeUndefined();
    expect(await store.leads.getLead(id('unsubscribe-never-stored'))).toBeUndefined();
  });

  it('erases the person from the lead holding a key, frees their keys, and does it once', async () => {
    const intake = webFormIntake(config, { leadId: id('erase'), contact: { name: 'Eve', email: `eve-${name}@example.com` } });
    await store.leads.ingestLead(intake);
    const erase = (lead: Parameters<typeof erasePersonFromLead>[0]) => erasePersonFromLead(lead, { at: '2026-03-05T10:00:00.000Z', eventId: id('erased') });
    expect(await store.erasures.erasePerson({ dedupKey: `email#eve-${name}@example.com`, erase })).toEqual({ leadId: id('erase'), erased: true });
    expect(await store.leads.getLead(id('erase'))).toMatchObject({ status: 'invalid', contact: {}, answers: {} });
    expect(await store.leads.findLeadIdByPersonKey(`email#eve-${name}@example.com`)).toBeUndefined();
    expect(await store.erasures.erasePerson({ dedupKey: `email#eve-${name}@example.com`, erase })).toBeUndefined();
    expect((await outboxTypes(id('erase'))).filter((type) => type === 'lead.erased')).toHaveLength(1);
  });

  it('writes the consent a capture gave to the ledger with the lead, and erases by lead id, keeping the fact of consent without the IP', async () => {
    const consent = { version: 'v1', text: 'Yes', purposes: ['contact' as const, 'marketing_email' as const], givenAt: '2026-03-02T10:00:00.000Z', ip: '198.51.100.7', userAgent: 'Safari' };
    const intake = webFormIntake(config, { leadId: id('consent'), contact: { name: 'Cy', email: `cy-${name}@example.com` } });
    await store.leads.ingestLead({ ...intake, consents: consentGivenEntries(id('consent'), consent, 'form:demo') });
    expect((await store.consents.entriesFor(id('consent'))).map((entry) => [entry.purpose, entry.action, entry.ip])).toEqual([
      ['contact', 'given', '198.51.100.7'],
      ['marketing_email', 'given', '198.51.100.7'],
    ]);
    const erase = (lead: Parameters<typeof erasePersonFromLead>[0]) => erasePersonFromLead(lead, { at: '2026-03-05T10:00:00.000Z', eventId: id('consent-erased'), by: 'admin:ines' });
    expect(await store.erasures.erasePerson({ leadId: id('consent'), erase })).toEqual({ leadId: id('consent'), erased: true });
    expect(await store.leads.findLeadIdByPersonKey(`email#cy-${name}@example.com`)).toBeUndefined();
    const entries = await store.consents.entriesFor(id('consent'));
    expect(entries.map((entry) => [entry.purpose, entry.action, entry.version, entry.ip, entry.userAgent])).toEqual([
      ['contact', 'given', 'v1', undefined, undefined],
      ['marketing_email', 'given', 'v1', undefined, undefined],
    ]);
    // A confirmation pressed as the person was erased is kept as a fact, without the IP and user agent of the press.
    await store.consents.append({ leadId: id('consent'), purpose: 'marketing_email', action: 'confirmed', at: '2026-03-05T10:00:01.000Z', source: 'confirmation-link', ip: '203.0.113.7', userAgent: 'Mozilla/5.0' });
    expect((await store.consents.entriesFor(id('consent'))).at(-1)).toEqual({ leadId: id('consent'), purpose: 'marketing_email', action: 'confirmed', at: '2026-03-05T10:00:01.000Z', source: 'confirmation-link' });
    expect(await store.erasures.erasePerson({ leadId: id('consent'), erase })).toEqual({ leadId: id('consent'), erased: false });
    expect(await store.erasures.erasePerson({ leadId: id('never-stored'), erase })).toBeUndefined();
  });

  it("deletes the lead's queued conversions with the person, whatever their state, queues none for it after, and writes none back from a send under way", async () => {
    const conversion = (leadId: string, stage: ConversionFeedback['stage'], platform: ConversionFeedback['platform'] = 'google'): ConversionFeedback => ({
      platform,
      feedbackId: `${leadId}:${stage}`,
      leadId,
      stage,
      occurredAt: '2026-03-03T09:00:00.000Z',
      ...(platform === 'google' ? { gclid: `click-${leadId}` } : { metaLeadId: '9007199254740993' }),
      attempts: 0,
      dueAt: '2026-03-03T09:00:00.000Z',
    });
    for (const suffix of ['feedback', 'feedback-other']) await store.leads.ingestLead(webFormIntake(config, { leadId: id(suffix), contact: { name: 'Gil', email: `gil-${suffix}-${name}@example.com` } }));
    const [lead, other] = [id('feedback'), id('feedback-other')];
    for (const item of [conversion(lead, 'lead', 'meta'), conversion(lead, 'qualified'), conversion(lead, 'converted'), conversion(other, 'qualified')]) expect(await store.feedback.enqueue(item)).toBe(true);
    expect(await store.feedback.enqueue(conversion(id('never-stored'), 'qualified'))).toBe(false);
    await store.feedback.markSent([conversion(lead, 'lead', 'meta')], '2026-03-03T09:01:00.000Z');
    await store.feedback.deadLetter(conversion(lead, 'converted'), '2026-03-03T09:02:00.000Z');
    expect((await store.feedback.feedbackFor(lead)).map((item) => [item.platform, item.stage, item.state])).toEqual([
      ['meta', 'lead', 'sent'],
      ['google', 'qualified', 'pending'],
      ['google', 'converted', 'dead'],
    ]);
    expect(await store.feedback.feedbackFor(lead)).toContainEqual({ ...conversion(lead, 'lead', 'meta'), state: 'sent', sentAt: '2026-03-03T09:01:00.000Z' });

    // The sender read the pending conversion before the erasure and hears back from the platform after it.
    const underWay = (await store.feedback.due('google', '2026-03-03T10:00:00.000Z', 1000)).find((item) => item.leadId === lead)!;
    const erase = (toErase: Parameters<typeof erasePersonFromLead>[0]) => erasePersonFromLead(toErase, { at: '2026-03-05T10:00:00.000Z', eventId: id('feedback-erased') });
    expect(await store.erasures.erasePerson({ leadId: lead, erase })).toEqual({ leadId: lead, erased: true });
    expect(await store.feedback.feedbackFor(lead)).toEqual([]);
    await store.feedback.reschedule({ ...underWay, attempts: 1, dueAt: '2026-03-05T10:01:00.000Z' });
    await store.feedback.markSent([underWay], '2026-03-05T10:00:01.000Z');
    await store.feedback.deadLetter(underWay, '2026-03-05T10:00:01.000Z');
    expect(await store.feedback.enqueue(conversion(lead, 'qualified'))).toBe(false);
    expect(await store.feedback.feedbackFor(lead)).toEqual([]);
    expect(await store.feedback.feedbackFor(other)).toEqual([{ ...conversion(other, 'qualified'), state: 'pending' }]);
  });
});
