import { randomUUID } from 'node:crypto';
import { localClientSettings } from '@leadflow/local-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { assignToOwner, erasePersonFromLead, feedbackIdOf, leaveInPool, personDedupKey, nurtureEntry, planClaim, planTagChange, poolSchema, prepareIntake, touchEntriesKept } from '@leadflow/domain';
import { createDynamoDbClient, DynamoDbLeadErasure, DynamoDbNotificationLog, DynamoDbOutboxStore, leadsTableKeys } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { webFormIntake } from '../support/intakes';

const config = demoConfiguration();
let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let erasures: DynamoDbLeadErasure;
let outbox: DynamoDbOutboxStore;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  erasures = new DynamoDbLeadErasure(database.client, database.tableName);
  outbox = new DynamoDbOutboxStore(database.client, database.tableName);
});
afterAll(() => database?.stop());

function newLead(leadId: string, now = new Date('2026-03-02T10:00:00.000Z')) {
  return webFormIntake(config, { leadId, now });
}

describe('DynamoDbLeadStore and DynamoDbLeadIngestion against DynamoDB Local', () => {
  it('stores a lead together with its dedup keys and outbox event, and reads it back', async () => {
    const intake = newLead('lead-a');
    expect(await leads.ingestLead(intake)).toEqual({ leadId: 'lead-a', outcome: 'created' });
    expect(await leads.getLead('lead-a')).toEqual(intake.lead);
    const items = await database.items();
    expect(items.find((item) => item.pk === 'OUTBOX#lead-a-captured')).toMatchObject({ entity: 'outbox', detailType: 'lead.captured', detail: intake.events[0].detail });
    expect(items.find((item) => item.pk === 'OUTBOX#lead-a-captured.scored')).toMatchObject({ entity: 'outbox', detailType: 'lead.scored', detail: JSON.parse(JSON.stringify(intake.events[1].detail)) });
    expect(items.find((item) => item.pk === 'DEDUP#email#lead-a@example.com')).toMatchObject({ leadId: 'lead-a', kind: 'person' });
  });

  it('turns a repeat by the same person into a touch on the first lead, with its new last touch', async () => {
    await leads.ingestLead(webFormIntake(config, { leadId: 'first', contact: { name: 'Bo', email: 'bo@example.com' }, utmSource: 'google' }));
    const repeat = webFormIntake(config, { leadId: 'second', contact: { name: 'Bo', email: 'BO@example.com ' }, utmSource: 'newsletter' });
    expect(await leads.ingestLead(repeat)).toEqual({ leadId: 'first', outcome: 'touched' });
    expect(await leads.getLead('second')).toBeUndefined();
    const lead = await leads.getLead('first');
    expect(lead).toMatchObject({ touches: 2, attribution: { lastTouch: { utm_source: 'newsletter' } } });
    expect(lead?.history.map((entry) => entry.action)).toEqual(['captured', 'touched']);
    const outbox = (await database.items()).filter((item) => item.pk.startsWith('OUTBOX#second-'));
    expect(outbox.map((item) => item.detailType).sort()).toEqual(['lead.scored', 'lead.touched']);
    // The returning person warmed up: re-scored in the touch's own transaction, and announced.
    expect(lead?.score?.contributions.map((contribution) => contribution.ruleId)).toContain('came-back');
    expect(outbox.find((item) => item.detailType === 'lead.scored')?.detail).toMatchObject({ leadId: 'first', reason: 'touched', points: lead?.score?.points, owned: false });
  });

  it('creates exactly one lead when identical submissions race, the rest becoming touches', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, index) => leads.ingestLead(webFormIntake(config, { leadId: `race-${index}`, contact: { name: 'Cy', email: 'cy@example.com', phone: '+14155550123' } }))),
    );
    const leadIds = new Set(outcomes.map((outcome) => outcome.leadId));
    expect(leadIds.size).toBe(1);
    expect(outcomes.filter((outcome) => outcome.outcome === 'created')).toHaveLength(1);
    const lead = await leads.getLead([...leadIds][0]);
    expect(lead?.touches).toBe(5);
    // Each touch re-scored the lead as it stood: no touch lost to a concurrent one.
    expect(lead?.history.filter((entry) => entry.action === 'touched')).toHaveLength(4);
    expect(lead?.score?.contributions.map((contribution) => contribution.ruleId)).toEqual(expect.arrayContaining(['came-back', 'keeps-coming-back']));
  });

  it('treats a redelivered platform lead as a replay, not a touch', async () => {
    const delivery = (leadId: string) =>
      prepareIntake(
        {
          sourceKind: 'google',
          channel: 'google-ads',
          poolId: 'americas-inbound',
          defaultCountry: 'US',
          contact: { email: 'di@example.com' },
          answers: {},
          attribution: {},
          isTest: false,
          platformLeadId: '9007199254740993',
        },
        { leadId, eventId: `${leadId}-captured`, touchEventId: `${leadId}-touched` },
        new Date('2026-03-02T10:00:00.000Z'),
        config,
      );
    const outcomes = await Promise.all([delivery('g-1'), delivery('g-2'), delivery('g-3')].map((intake) => leads.ingestLead(intake)));
    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['created', 'replayed', 'replayed']);
    expect((await leads.getLead(outcomes[0].leadId))?.touches).toBe(1);
  });

  it('answers a retried request with its idempotency key as the first time, writing nothing new', async () => {
    const first = await leads.ingestLead(webFormIntake(config, { leadId: 'idem-1', contact: { email: 'ed@example.com' } }), 'form:demo:key-1');
    const before = (await database.items()).length;
    const retry = await leads.ingestLead(webFormIntake(config, { leadId: 'idem-2', contact: { email: 'other@example.com' } }), 'form:demo:key-1');
    expect(retry).toEqual({ leadId: first.leadId, outcome: 'replayed' });
    expect((await database.items()).length).toBe(before);
  });

  it('keeps a lead without a usable contact as invalid, holding no person keys', async () => {
    const intake = webFormIntake(config, { leadId: 'nobody', contact: { name: 'No Contact', email: 'not-an-email' } });
    await leads.ingestLead(intake);
    expect(await leads.getLead('nobody')).toMatchObject({ status: 'invalid', statusReason: 'no usable email or phone; email is not a valid email address', answers: { invalid_email: 'not-an-email' } });
    expect(intake.dedupKeys).toEqual([]);
  });

  it('hands out distinct route turns under concurrency', async () => {
    const turns = await Promise.all(Array.from({ length: 40 }, () => leads.takeTurn('default#americas-inbound')));
    expect([...turns].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
  });

  it('gives a lead exactly one owner when assignments race', async () => {
    const { lead } = newLead('lead-c');
    await leads.ingestLead(newLead('lead-c'));
    const route = config.routing.routes.at(-1)!;
    const outcomes = await Promise.all(
      config.reps
        .slice(0, 4)
        .map((owner, index) =>
          leads.assignOwner({ leadId: 'lead-c', capacity: owner.capacity, ...assignToOwner({ lead, route, poolId: 'americas-inbound', skipped: [], owner, passedOver: [], eventId: `assign-${index}`, now: new Date() }) }),
        ),
    );
    expect(outcomes.filter((outcome) => outcome === 'assigned')).toHaveLength(1);
    const stored = await leads.getLead('lead-c');
    expect(stored?.status).toBe('assigned');
    expect(stored?.history.map((entry) => entry.action)).toEqual(['captured', 'assigned']);
    const assignedEvents = (await database.items()).filter((item) => item.pk.startsWith('OUTBOX#assign-'));
    expect(assignedEvents).toHaveLength(1);
    expect(assignedEvents[0].detail.ownerId).toBe(stored?.ownerId);
  });
});

describe("person keys and timelines over a lead's life, against DynamoDB Local", () => {
  it('takes the person back as a new lead once the lead holding their key has expired (TTL), releasing the key', async () => {
    const person = { name: 'Ivy', email: 'ivy-expired@example.com', phone: '+14155550142' };
    await leads.ingestLead(webFormIntake(config, { leadId: 'expired-1', contact: person }));
    // What the table's TTL does to an invalid lead: the item goes, its person keys stay.
    await database.client.send(new DeleteCommand({ TableName: database.tableName, Key: leadsTableKeys.lead('expired-1') }));
    expect(await leads.ingestLead(webFormIntake(config, { leadId: 'expired-2', contact: person }))).toEqual({ leadId: 'expired-2', outcome: 'created' });
    expect(await leads.findLeadIdByPersonKey('email#ivy-expired@example.com')).toBe('expired-2');
    expect(await leads.findLeadIdByPersonKey('phone#+14155550142')).toBe('expired-2');
    expect(await leads.ingestLead(webFormIntake(config, { leadId: 'expired-3', contact: person }))).toEqual({ leadId: 'expired-2', outcome: 'touched' });
  });

  it('keeps a bounded number of repeats on the timeline and counts the rest', async () => {
    const person = { name: 'Rex', email: 'rex-repeats@example.com' };
    const first = webFormIntake(config, { leadId: 'repeats', contact: person });
    // A lead that has been submitted again touchEntriesKept times already.
    const repeats = Array.from({ length: touchEntriesKept }, (_, index) => ({ at: `2026-03-02T10:${String(index % 60).padStart(2, '0')}:00.000Z`, action: 'touched' as const, by: 'form:demo' }));
    await leads.ingestLead({ ...first, lead: { ...first.lead, touches: touchEntriesKept + 1, history: [...first.lead.history, ...repeats] } });
    await leads.ingestLead(webFormIntake(config, { leadId: 'repeats-again', contact: person }));
    const lead = (await leads.getLead('repeats'))!;
    expect(lead.touches).toBe(touchEntriesKept + 2);
    expect(lead.history.filter((entry) => entry.action === 'touched')).toHaveLength(touchEntriesKept);
  });
});

describe('a touch racing a claim, against DynamoDB Local', () => {
  it('a warming touch decided from the lead as it was before a claim leaves the claimed lead with its new owner', async () => {
    const now = new Date('2026-03-02T10:00:00.000Z');
    const route = { ...config.routing.routes.find((candidate) => candidate.strategy === 'nurture')!, poolId: 'race-nurture' };
    const person = { name: 'Wes', email: 'wes-race@gmail.com' };
    const pooled = webFormIntake(config, { leadId: 'race-warm', contact: person, now });
    await leads.ingestLead(pooled);
    const change = leaveInPool({ lead: pooled.lead, route, poolId: 'race-nurture', skipped: [], eventId: 'race-warm-pooled', now });
    expect(await leads.leaveInPool({ leadId: 'race-warm', ...change, nurture: nurtureEntry(config.nurture.sequences[0], route.id, now) })).toBe('pooled');
    // Free mail: cold when captured, still cold after one return; the second return warms it out of nurture.
    await leads.ingestLead(webFormIntake(config, { leadId: 'race-warm-2', contact: person, now }));
    const beforeClaim = (await leads.getLead('race-warm'))!;
    const pool = poolSchema.parse({ id: 'race-nurture', name: 'race-nurture', teamId: 'americas', members: ['rep-ava'] });
    const claim = planClaim({ lead: beforeClaim, pool, rep: config.reps.find((rep) => rep.id === 'rep-ava')!, timeZone: 'UTC', now: new Date('2026-03-09T12:00:00.000Z'), eventId: 'race-warm-claim' });
    if (!('claim' in claim)) throw new Error(claim.refusal.message);
    expect(await leads.claimLead(claim.claim)).toBe('claimed');
    // The touch read the lead just before the claim was written.
    const readLead = leads.getLead.bind(leads);
    let stale: typeof beforeClaim | undefined = beforeClaim;
    leads.getLead = async (leadId) => {
      const seen = leadId === 'race-warm' && stale ? stale : await readLead(leadId);
      stale = undefined;
      return seen;
    };
    try {
      await leads.ingestLead(webFormIntake(config, { leadId: 'race-warm-3', contact: person, now: new Date('2026-03-09T12:00:01.000Z') }));
    } finally {
      leads.getLead = readLead;
    }
    const lead = (await leads.getLead('race-warm'))!;
    expect(lead).toMatchObject({ status: 'assigned', ownerId: 'rep-ava', touches: 3 });
    expect(lead.history.map((entry) => entry.action).slice(-3)).toEqual(['claimed', 'nurture_left', 'touched']);
  });
});

describe('a touch racing a tag, against DynamoDB Local', () => {
  it("a touch decided from the lead as it was before a manager's tag reads the lead again and keeps the tag", async () => {
    // A manager title and a mid-size company make the lead warm; coming back makes it hot, which the tag rules tag high-intent.
    const repeat = (leadId: string) => webFormIntake(config, { leadId, contact: { name: 'Tia', email: 'tia-tag-race@example.com', title: 'Sales manager' }, answers: { company_size: '51-200' } });
    await leads.ingestLead(repeat('tag-race'));
    // The touch reads the lead, a manager's tag is written, then the touch writes.
    const readLead = leads.getLead.bind(leads);
    let tagged = false;
    leads.getLead = async (leadId) => {
      const seen = await readLead(leadId);
      if (leadId === 'tag-race' && seen && !tagged) {
        tagged = true;
        const plan = planTagChange({ lead: seen, principal: { id: 'mgr-maya', roles: ['manager'] }, tag: 'vip', add: true, tags: config.tags, now: new Date('2026-03-02T11:00:00.000Z'), eventId: 'tag-race-tagged' });
        if (!('transition' in plan)) throw new Error(plan.refusal.message);
        expect(await leads.applyTransition(plan.transition)).toBe('applied');
      }
      return seen;
    };
    try {
      expect(await leads.ingestLead(repeat('tag-race-again'))).toEqual({ leadId: 'tag-race', outcome: 'touched' });
    } finally {
      leads.getLead = readLead;
    }
    expect(await leads.getLead('tag-race')).toMatchObject({ touches: 2, tags: ['vip', 'high-intent'], score: { temperature: 'hot' } });
  });
});

describe('a touch racing a new lead for the phone it brings, against DynamoDB Local', () => {
  it('decides again when another lead takes the phone between the touch reading the lead and writing, and leaves the phone with it', async () => {
    const email = 'uma-phone-race@example.com';
    const phone = '+14155550171';
    await leads.ingestLead(webFormIntake(config, { leadId: 'phone-race', contact: { name: 'Uma', email } }));
    // The touch reads Uma's lead, Vic's post takes the phone, then the touch writes.
    const readLead = leads.getLead.bind(leads);
    let raced = false;
    leads.getLead = async (leadId) => {
      const seen = await readLead(leadId);
      if (leadId === 'phone-race' && !raced) {
        raced = true;
        expect(await leads.ingestLead(webFormIntake(config, { leadId: 'phone-race-vic', contact: { name: 'Vic', phone } }))).toEqual({ leadId: 'phone-race-vic', outcome: 'created' });
      }
      return seen;
    };
    try {
      expect(await leads.ingestLead(webFormIntake(config, { leadId: 'phone-race-again', contact: { name: 'Uma', email, phone } }))).toEqual({ leadId: 'phone-race', outcome: 'touched' });
    } finally {
      leads.getLead = readLead;
    }
    expect(raced).toBe(true);
    const uma = await leads.getLead('phone-race');
    expect(uma).toMatchObject({ touches: 2, contact: { email } });
    expect(uma?.contact.phone).toBeUndefined();
    expect(uma?.history.map((entry) => entry.action)).toEqual(['captured', 'touched']);
    expect(await leads.findLeadIdByPersonKey(personDedupKey('phone', phone))).toBe('phone-race-vic');
  });
});

describe('a post on a shared phone racing a post of the same email, against DynamoDB Local', () => {
  it("is the new lead's touch, which does not take the phone its holder keeps", async () => {
    const phone = '+14155550191';
    await leads.ingestLead(webFormIntake(config, { leadId: 'shared-holder', contact: { name: 'Hal', email: 'hal-shared@example.com', phone } }));
    // The post's phone is Hal's, with another email: while it reads Hal's lead, the same person posts their email alone.
    const readLead = leads.getLead.bind(leads);
    let raced = false;
    leads.getLead = async (leadId) => {
      const seen = await readLead(leadId);
      if (leadId === 'shared-holder' && !raced) {
        raced = true;
        expect(await leads.ingestLead(webFormIntake(config, { leadId: 'shared-newcomer', contact: { name: 'Ivy', email: 'ivy-shared@example.com' } }))).toEqual({ leadId: 'shared-newcomer', outcome: 'created' });
      }
      return seen;
    };
    try {
      expect(await leads.ingestLead(webFormIntake(config, { leadId: 'shared-post', contact: { name: 'Ivy', email: 'ivy-shared@example.com', phone } }))).toEqual({ leadId: 'shared-newcomer', outcome: 'touched' });
    } finally {
      leads.getLead = readLead;
    }
    expect(raced).toBe(true);
    expect((await leads.getLead('shared-newcomer'))?.contact.phone).toBeUndefined();
    expect(await leads.findLeadIdByPersonKey(personDedupKey('phone', phone))).toBe('shared-holder');
  });
});

describe('two people posting a held phone without an email at once, against DynamoDB Local', () => {
  it("the one whose touch loses to the other's email is a lead of their own, not a touch of the other person's lead", async () => {
    const phone = '+14155550193';
    await leads.ingestLead(webFormIntake(config, { leadId: 'phone-only-holder', contact: { name: 'Kit', phone } }));
    // Lou's post reads the holder (no email yet: Lou's touch would give it Lou's); Mo's post on the same phone gives it Mo's email first.
    const readLead = leads.getLead.bind(leads);
    let raced = false;
    leads.getLead = async (leadId) => {
      const seen = await readLead(leadId);
      if (leadId === 'phone-only-holder' && !raced) {
        raced = true;
        expect(await leads.ingestLead(webFormIntake(config, { leadId: 'phone-only-mo', contact: { name: 'Mo', email: 'mo-phone-only@example.com', phone } }))).toEqual({
          leadId: 'phone-only-holder',
          outcome: 'touched',
        });
      }
      return seen;
    };
    const lou = webFormIntake(config, { leadId: 'phone-only-lou', contact: { name: 'Lou', email: 'lou-phone-only@example.com', phone }, answers: { company: 'Lou & Co' } });
    try {
      expect(await leads.ingestLead(lou)).toEqual({ leadId: 'phone-only-lou', outcome: 'created' });
    } finally {
      leads.getLead = readLead;
    }
    expect(raced).toBe(true);
    expect(await leads.getLead('phone-only-holder')).toMatchObject({ touches: 2, contact: { email: 'mo-phone-only@example.com', phone } });
    expect((await leads.getLead('phone-only-holder'))?.answers.company).toBeUndefined();
    expect(await leads.findLeadIdByPersonKey(personDedupKey('email', 'lou-phone-only@example.com'))).toBe('phone-only-lou');
    expect(await leads.findLeadIdByPersonKey(personDedupKey('phone', phone))).toBe('phone-only-holder');
  });
});

describe('a repeat post by phone, against DynamoDB Local', () => {
  it('reads the lead holding the phone once: the read that decides whether the phone is shared is the read the touch is decided on', async () => {
    const phone = '+14155550181';
    await leads.ingestLead(webFormIntake(config, { leadId: 'phone-reads', contact: { name: 'Wes', email: 'wes-phone-reads@example.com', phone } }));
    const send = database.client.send.bind(database.client);
    let leadReads = 0;
    const counting = async (command: Parameters<typeof send>[0]) => {
      const key = (command.input as { Key?: { pk?: string; sk?: string } }).Key;
      if (command instanceof GetCommand && key?.pk === leadsTableKeys.lead('phone-reads').pk && key.sk === leadsTableKeys.lead('phone-reads').sk) leadReads += 1;
      return send(command);
    };
    database.client.send = counting as typeof database.client.send;
    try {
      expect(await leads.ingestLead(webFormIntake(config, { leadId: 'phone-reads-again', contact: { name: 'Wes', phone } }))).toEqual({ leadId: 'phone-reads', outcome: 'touched' });
    } finally {
      database.client.send = send;
    }
    expect(leadReads).toBe(1);
    expect(await leads.getLead('phone-reads')).toMatchObject({ touches: 2 });
  });
});

describe('a touch racing an erasure, against DynamoDB Local', () => {
  it('a touch read before the erasure was written makes the post a new lead, and the erased lead gets nothing of it back', async () => {
    const person = { name: 'Rae', email: 'rae-erase-race@example.com' };
    await leads.ingestLead(webFormIntake(config, { leadId: 'erase-race', contact: person }));
    const erase = () => erasures.erasePerson({ leadId: 'erase-race', erase: (lead) => erasePersonFromLead(lead, { at: '2026-03-02T11:00:00.000Z', eventId: 'erase-race-erased' }) });
    // The touch reads the lead, the erasure is written, then the touch writes (and, refused, reads again).
    const readLead = leads.getLead.bind(leads);
    let erased = false;
    leads.getLead = async (leadId) => {
      const seen = await readLead(leadId);
      if (leadId === 'erase-race' && !erased) {
        erased = true;
        expect(await erase()).toEqual({ leadId: 'erase-race', erased: true });
      }
      return seen;
    };
    const returning = webFormIntake(config, { leadId: 'erase-race-again', contact: person, utmSource: 'after-erasure' });
    try {
      expect(await leads.ingestLead(returning)).toEqual({ leadId: 'erase-race-again', outcome: 'created' });
    } finally {
      leads.getLead = readLead;
    }
    const erasedLead = (await leads.getLead('erase-race'))!;
    expect(erasedLead).toMatchObject({ status: 'invalid', touches: 1 });
    expect(JSON.stringify(erasedLead)).not.toContain('after-erasure');
    expect(await leads.getLead('erase-race-again')).toMatchObject({ contact: { email: 'rae-erase-race@example.com' } });
  });

  it('a post refused for a key the erasure deletes before the post reads who holds it is a new lead', async () => {
    const person = { name: 'Ria', email: 'ria-erase-race@example.com' };
    await leads.ingestLead(webFormIntake(config, { leadId: 'erase-race-key', contact: person }));
    const erase = () => erasures.erasePerson({ leadId: 'erase-race-key', erase: (lead) => erasePersonFromLead(lead, { at: '2026-03-02T11:00:00.000Z', eventId: 'erase-race-key-erased' }) });
    // The new lead's write is refused on the person's key; the erasure deletes the key; then the post reads who holds it.
    const send = database.client.send.bind(database.client);
    let erasing = false;
    const racing = async (command: Parameters<typeof send>[0]) => {
      const key = (command.input as { Key?: { pk?: string } }).Key;
      if (!erasing && command instanceof GetCommand && key?.pk === leadsTableKeys.dedup(personDedupKey('email', person.email)).pk) {
        erasing = true;
        expect(await erase()).toEqual({ leadId: 'erase-race-key', erased: true });
      }
      return send(command);
    };
    database.client.send = racing as typeof database.client.send;
    try {
      expect(await leads.ingestLead(webFormIntake(config, { leadId: 'erase-race-key-again', contact: person }))).toEqual({ leadId: 'erase-race-key-again', outcome: 'created' });
    } finally {
      database.client.send = send;
    }
    expect(erasing).toBe(true);
    expect(await leads.getLead('erase-race-key')).toMatchObject({ status: 'invalid', touches: 1 });
  });
});

describe('an erasure asked again, against DynamoDB Local', () => {
  it('deletes the queued conversions an erasure by an earlier version left, and changes nothing else', async () => {
    await leads.ingestLead(webFormIntake(config, { leadId: 'erased-earlier', contact: { name: 'Otto', email: 'otto-erased-earlier@example.com' } }));
    const erase = () => erasures.erasePerson({ leadId: 'erased-earlier', erase: (lead) => erasePersonFromLead(lead, { at: '2026-03-02T11:00:00.000Z', eventId: randomUUID() }) });
    expect(await erase()).toEqual({ leadId: 'erased-earlier', erased: true });
    const erased = await leads.getLead('erased-earlier');
    // As an erasure before conversions were reached left it: a conversion for the ad platforms still queued.
    const left = { ...leadsTableKeys.conversionFeedback('PENDING', 'google', feedbackIdOf('erased-earlier', 'qualified')), entity: 'conversion-feedback', leadId: 'erased-earlier', gclid: 'click-left-behind' };
    await database.client.send(new PutCommand({ TableName: database.tableName, Item: left }));
    expect(await erase()).toEqual({ leadId: 'erased-earlier', erased: false });
    expect(JSON.stringify(await database.items())).not.toContain('click-left-behind');
    expect(await leads.getLead('erased-earlier')).toEqual(erased);
  });
});

describe('DynamoDbOutboxStore against DynamoDB Local', () => {
  it('lists unpublished events older than a moment, oldest first, and forgets published ones', async () => {
    const old = newLead('lead-old', new Date('2026-03-01T08:00:00.000Z'));
    const fresh = newLead('lead-fresh', new Date('2026-03-01T09:59:00.000Z'));
    await leads.ingestLead(old);
    await leads.ingestLead(fresh);
    const stale = await outbox.listUnpublished('2026-03-01T09:00:00.000Z', 10);
    expect(stale.map((event) => event.eventId).sort()).toEqual(['lead-old-captured', 'lead-old-captured.scored']);
    expect(stale.find((event) => event.eventId === 'lead-old-captured')).toMatchObject({ source: 'leadflow.leads', detailType: 'lead.captured', detail: old.events[0].detail });

    await outbox.markPublished(['lead-old-captured', 'lead-old-captured.scored']);
    expect(await outbox.listUnpublished('2026-03-01T09:00:00.000Z', 10)).toEqual([]);
    expect((await outbox.listUnpublished('2026-03-01T10:00:00.000Z', 10)).map((event) => event.eventId).sort()).toEqual(['lead-fresh-captured', 'lead-fresh-captured.scored']);
  });

  it('sets aside an item that is not a lead event, so the sweep republishes the events behind it, and keeps it with the reason', async () => {
    const moment = '2026-02-10T09:00:00.000Z';
    const good = newLead('lead-behind-bad', new Date('2026-02-10T08:30:00.000Z'));
    await leads.ingestLead(good);
    const bad = (id: string, createdAt: string) => ({
      pk: `OUTBOX#${id}`,
      sk: 'OUTBOX',
      entity: 'outbox',
      eventId: id,
      source: 'leadflow.leads',
      detailType: 'lead.teleported',
      detail: {},
      time: createdAt,
      createdAt,
      outboxPartition: 'unpublished#3',
    });
    for (const [id, createdAt] of [
      ['bad-1', '2026-02-10T08:00:00.000Z'],
      ['bad-2', '2026-02-10T08:01:00.000Z'],
    ])
      await database.client.send(new PutCommand({ TableName: database.tableName, Item: bad(id, createdAt) }));
    // A page of one holds only a bad item at first: the store reads on to the good events.
    expect((await outbox.listUnpublished(moment, 1)).map((event) => event.eventId)).toEqual([expect.stringMatching(/^lead-behind-bad-captured/)]);
    expect((await outbox.listUnpublished(moment, 10)).map((event) => event.eventId).sort()).toEqual(['lead-behind-bad-captured', 'lead-behind-bad-captured.scored']);
    const setAside = (await database.items()).filter((item) => item.pk === 'OUTBOX#bad-1' || item.pk === 'OUTBOX#bad-2');
    expect(setAside).toHaveLength(2);
    for (const item of setAside) {
      // Out of the partitions the relay reads, into the one an erasure of its lead reads (see test/integration/erasure-reach.test.ts).
      expect(item.outboxPartition).toBe('set-aside');
      expect(item.unpublishable).toMatch(/detailType: unknown lead event type lead\.teleported/);
    }
    await outbox.markPublished(['lead-behind-bad-captured', 'lead-behind-bad-captured.scored']);
    expect(await outbox.listUnpublished(moment, 10)).toEqual([]);
  });
});

describe('sharded outbox-by-time index against DynamoDB Local', () => {
  it('spreads unpublished events over the shards; the sweep lists them oldest first from every shard and from the unsharded partition', async () => {
    const ids = Array.from({ length: 24 }, (_, index) => `sharded-${String(index).padStart(2, '0')}`);
    for (const [index, leadId] of ids.entries()) await leads.ingestLead(newLead(leadId, new Date(Date.parse('2026-02-01T08:00:00.000Z') + index * 1000)));
    // An event written before the index was sharded keeps the bare partition value; the sweep still finds it.
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: {
          pk: 'OUTBOX#unsharded',
          sk: 'OUTBOX',
          entity: 'outbox',
          eventId: 'unsharded',
          source: 'leadflow.leads',
          detailType: 'lead.captured',
          detail: { ...newLead('unsharded').events[0].detail, eventId: 'unsharded' },
          time: '2026-02-01T07:00:00.000Z',
          createdAt: '2026-02-01T07:00:00.000Z',
          outboxPartition: 'unpublished',
        },
      }),
    );
    const partitions = new Set((await database.items()).filter((item) => item.entity === 'outbox' && item.eventId.startsWith('sharded-')).map((item) => item.outboxPartition));
    expect(partitions.size).toBeGreaterThan(4);
    for (const partition of partitions) expect(partition).toMatch(/^unpublished#([0-9]|1[0-5])$/);

    const before = '2026-02-02T00:00:00.000Z';
    // Each lead's intake writes two events at the same instant (lead.captured and lead.scored), in different shards.
    const written = ids.flatMap((leadId) => [`${leadId}-captured`, `${leadId}-captured.scored`]);
    const listed = await outbox.listUnpublished(before, 100);
    expect(listed.map((event) => event.eventId).sort()).toEqual(['unsharded', ...written].sort());
    expect(listed[0]?.eventId).toBe('unsharded');
    expect(listed.map((event) => event.time)).toEqual(listed.map((event) => event.time).sort());
    expect((await outbox.listUnpublished(before, 3)).map((event) => event.eventId).sort()).toEqual(['sharded-00-captured', 'sharded-00-captured.scored', 'unsharded']);
    await outbox.markPublished(['unsharded', ...written]);
    expect(await outbox.listUnpublished(before, 100)).toEqual([]);
  });
});

describe('DynamoDbNotificationLog against DynamoDB Local', () => {
  it('remembers a sent notification with an expiry', async () => {
    const log = new DynamoDbNotificationLog(database.client, database.tableName);
    expect(await log.readBeforeSending('n-1', 'lead-missing')).toEqual({ sent: false, lead: undefined });
    await log.recordSent('n-1', 'lead-a', '2026-03-02T10:00:00.000Z');
    expect(await log.readBeforeSending('n-1', 'lead-a')).toEqual({ sent: true });
    // Not sent yet: the lead comes back as it is now, from the same request.
    expect(await log.readBeforeSending('n-2', 'lead-a')).toEqual({ sent: false, lead: await leads.getLead('lead-a') });
    const item = (await database.items()).find((candidate) => candidate.pk === 'NOTIFIED#lead-a' && candidate.sk === 'n-1');
    expect(item?.expiresAt).toBe(Date.parse('2026-03-02T10:00:00.000Z') / 1000 + 90 * 24 * 3600);
  });

  it("lists a lead's entries, claimed and sent, and no other lead's, for a data-subject export", async () => {
    const log = new DynamoDbNotificationLog(database.client, database.tableName);
    await log.recordSent('lead.reminded-email:e-1:rep-ava', 'lead-listed', '2026-03-02T10:00:00.000Z');
    await log.claim('lead.sla_breached-email:e-2:mgr-maya', 'lead-listed', '2026-03-02T11:00:00.000Z');
    await log.recordSent('lead.reminded-email:e-3:rep-ava', 'lead-other', '2026-03-02T10:00:00.000Z');
    expect(await log.entriesFor('lead-listed')).toEqual([
      { notificationId: 'lead.reminded-email:e-1:rep-ava', status: 'sent', sentAt: '2026-03-02T10:00:00.000Z' },
      { notificationId: 'lead.sla_breached-email:e-2:mgr-maya', status: 'pending', claimedAt: '2026-03-02T11:00:00.000Z' },
    ]);
    expect(await log.entriesFor('lead-nobody')).toEqual([]);
  });

  it('lets one delivery claim a notification, another take it over only once the claim’s lease is over, and gives a failed one back', async () => {
    const log = new DynamoDbNotificationLog(database.client, database.tableName);
    const claims = await Promise.all([log.claim('n-3', 'lead-a', '2026-03-02T10:00:00.000Z'), log.claim('n-3', 'lead-a', '2026-03-02T10:00:00.000Z')]);
    expect(claims.sort()).toEqual(['already_claimed', 'claimed']);
    // A claim is not a notification sent.
    expect(await log.readBeforeSending('n-3', 'lead-a')).toEqual({ sent: false, lead: await leads.getLead('lead-a') });
    expect(await log.claim('n-3', 'lead-a', '2026-03-02T10:00:59.000Z')).toBe('already_claimed');
    // Its claimant died: past the lease another delivery takes it over.
    expect(await log.claim('n-3', 'lead-a', '2026-03-02T10:01:01.000Z')).toBe('claimed');
    await log.recordSent('n-3', 'lead-a', '2026-03-02T10:01:02.000Z');
    expect(await log.readBeforeSending('n-3', 'lead-a')).toEqual({ sent: true });
    expect(await log.claim('n-3', 'lead-a', '2026-03-02T11:00:00.000Z')).toBe('already_claimed');
    // Giving back a claim that a taker-over recorded as sent leaves it sent.
    await log.releaseClaim('n-3', 'lead-a');
    expect(await log.readBeforeSending('n-3', 'lead-a')).toEqual({ sent: true });

    expect(await log.claim('n-4', 'lead-a', '2026-03-02T10:00:00.000Z')).toBe('claimed');
    await log.releaseClaim('n-4', 'lead-a');
    expect(await log.claim('n-4', 'lead-a', '2026-03-02T10:00:01.000Z')).toBe('claimed');
  });
});

describe('ensureTable against DynamoDB Local', () => {
  it('adds the indexes a table kept from an older version lacks', async () => {
    const { DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
    const { ensureTable } = await import('@leadflow/local-runtime');
    const { tables } = await import('@leadflow/manifest');
    const raw = createDynamoDbClient(localClientSettings({ dynamodb: database.endpoint }));
    // Two missing, to see more than one added: DynamoDB Local takes about a second to build each (eight took 8 s).
    const older = { ...tables.leads, globalSecondaryIndexes: tables.leads.globalSecondaryIndexes.slice(0, -2) };
    await ensureTable(raw, 'older-leads', older);
    await ensureTable(raw, 'older-leads', tables.leads);
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: 'older-leads' }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(tables.leads.globalSecondaryIndexes.map((index) => index.indexName).sort());
    raw.destroy();
  });
});
