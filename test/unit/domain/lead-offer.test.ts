import { describe, expect, it } from 'vitest';
import { actionLinkRefusal, isOpenOffer, parseConfiguration, planOffer, rankOffer, type Lead, type Route } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';
import { webFormIntake } from '../../support/intakes';

const now = new Date('2026-03-02T17:00:00.000Z');
const config = demoConfiguration();
const keyAccounts = config.pools.find((pool) => pool.id === 'key-accounts')!;

function offerRoute(offer: NonNullable<Route['offer']>): Route {
  return { id: 'offer-route', name: 'Offer', strategy: 'offer', offer, poolId: 'key-accounts' };
}

function offeredLead(overrides: Partial<Lead> = {}): Lead {
  const { lead } = webFormIntake(config, { leadId: 'l1', contact: { name: 'Celine', email: 'celine@bigco.example', country: 'CA' }, now });
  const offer = { routeId: 'hot-canada-offer', poolId: 'key-accounts', repIds: ['rep-ava', 'rep-ben'], offeredAt: now.toISOString(), expiresAt: '2026-03-02T17:05:00.000Z', fallback: 'territory' as const };
  return { ...lead, offer, ...overrides };
}

const acceptBy = (repId: string) => ({ leadId: 'l1', repId, action: 'accept' as const, expiresAt: 1_772_470_800 });

describe('offer configuration', () => {
  it('is refused at start naming the field: an unknown rep, an offer missing or misplaced, both or neither of reps and candidates', () => {
    const document = demoConfiguration();
    const [offer, territory, cold] = document.routing.routes;
    offer.offer = { reps: ['rep-ava', 'rep-zed'], windowMinutes: 5, fallback: 'territory' };
    territory.offer = { reps: ['rep-ava'], windowMinutes: 5, fallback: 'pool' };
    Object.assign(cold, { strategy: 'offer', sequenceId: undefined });
    expect(configurationIssues(document)).toEqual([
      'routing.routes[0].offer.reps[1]: unknown rep "rep-zed"',
      'routing.routes[1].offer: only a route with strategy "offer" has an offer (this one has "territory")',
      'routing.routes[2].offer: strategy "offer" needs an offer: "reps" or "candidates", "windowMinutes" and "fallback"',
    ]);
    const neither = demoConfiguration();
    Object.assign(neither.routing.routes[0], { offer: { windowMinutes: 5 } });
    expect(configurationIssues(neither)).toEqual(['routing.routes[0].offer.reps: give either "reps" or "candidates" (exactly one of them)']);
    const offeringOffers = demoConfiguration();
    Object.assign(offeringOffers.routing.routes[0], { offer: { candidates: { strategy: 'offer', count: 2 }, fallback: 'offer' } });
    expect(configurationIssues(offeringOffers).map((issue) => issue.split(':')[0])).toEqual(['routing.routes[0].offer.candidates.strategy', 'routing.routes[0].offer.fallback']);
  });

  it('refuses a nurture fallback, which would have no sequence for the lead to enter', () => {
    const document = demoConfiguration();
    Object.assign(document.routing.routes[0], { offer: { reps: ['rep-ava'], fallback: 'nurture' } });
    expect(configurationIssues(document)).toEqual(['routing.routes[0].offer.fallback: an offer cannot fall back to "nurture" (it names no sequence to enter); use "pool"']);
  });

  it('refuses candidates taken from "nurture" or "pool", which leave the lead in the pool and would offer it to nobody', () => {
    for (const strategy of ['nurture', 'pool']) {
      const document = demoConfiguration();
      Object.assign(document.routing.routes[0], { offer: { candidates: { strategy, count: 2 }, fallback: 'pool' } });
      expect(configurationIssues(document)).toEqual([
        `routing.routes[0].offer.candidates.strategy: an offer cannot take its candidates from "${strategy}", which leaves leads in the pool: nobody would be offered one (use "least_busy", "round_robin", "weighted" or "territory")`,
      ]);
    }
  });

  it('refuses more than ten named reps, as it refuses more than ten candidates: each offered rep is texted', () => {
    const document = demoConfiguration();
    const reps = Array.from({ length: 11 }, (_, index) => `rep-${index}`);
    document.reps.push(...reps.map((id) => ({ ...document.reps[0], id, name: id })));
    Object.assign(document.routing.routes[0], { offer: { reps, windowMinutes: 5, fallback: 'pool' } });
    expect(configurationIssues(document)).toEqual(['routing.routes[0].offer.reps: name at most 10 reps: each offered rep is texted']);
    Object.assign(document.routing.routes[0], { offer: { reps: reps.slice(1), windowMinutes: 5, fallback: 'pool' } });
    expect(parseConfiguration(document).routing.routes[0].offer?.reps).toHaveLength(10);
  });

  it('refuses a rep named twice, who would be texted twice about the same lead', () => {
    const document = demoConfiguration();
    Object.assign(document.routing.routes[0], { offer: { reps: ['rep-ava', 'rep-ben', 'rep-ava'], windowMinutes: 5, fallback: 'pool' } });
    expect(configurationIssues(document)).toEqual(['routing.routes[0].offer.reps[2]: rep "rep-ava" is listed twice']);
  });

  it('defaults to a five-minute window that falls back to the pool', () => {
    const document = demoConfiguration();
    Object.assign(document.routing.routes[0], { offer: { reps: ['rep-ava'] } });
    expect(parseConfiguration(document).routing.routes[0].offer).toEqual({ reps: ['rep-ava'], windowMinutes: 5, fallback: 'pool' });
  });
});

describe('who an offer goes to', () => {
  const states = { outOfOffice: new Map(), openLeads: new Map<string, number>(), facts: { country: 'CA' }, reps: config.reps, pool: keyAccounts, now };

  it('offers its named reps in order, skipping those who cannot take a lead now', () => {
    const route = offerRoute({ reps: ['rep-ben', 'rep-ava'], windowMinutes: 5, fallback: 'pool' });
    expect(rankOffer({ ...states, route }).ranked.map((rep) => rep.id)).toEqual(['rep-ben', 'rep-ava']);
    const full = rankOffer({ ...states, route, openLeads: new Map([['rep-ben', 25]]) });
    expect(full.ranked.map((rep) => rep.id)).toEqual(['rep-ava']);
    expect(full.skipped).toEqual([{ repId: 'rep-ben', verdict: 'skipped', reason: 'at capacity (25/25 open leads)' }]);
  });

  it("offers the best N candidates of another strategy over the route's pool", () => {
    const route = offerRoute({ candidates: { strategy: 'least_busy', count: 2 }, windowMinutes: 5, fallback: 'pool' });
    // 17:00 UTC is 17:00 in London and 18:00 in Paris: everyone works; Chloé and Ava hold the fewest leads.
    const openLeads = new Map([
      ['rep-ava', 1],
      ['rep-ben', 4],
      ['rep-chloe', 0],
      ['rep-dev', 3],
    ]);
    expect(rankOffer({ ...states, route, openLeads }).ranked.map((rep) => rep.id)).toEqual(['rep-chloe', 'rep-ava']);
  });

  it('records the offer with its expiry and announces it with lead.offered', () => {
    const route = offerRoute({ reps: ['rep-ava', 'rep-ben'], windowMinutes: 7, fallback: 'least_busy' });
    const reps = config.reps.filter((rep) => rep.id === 'rep-ava' || rep.id === 'rep-ben');
    const change = planOffer({ lead: { leadId: 'l1' }, route, poolId: 'key-accounts', offered: reps, skipped: [], now, eventId: 'e1' });
    expect(change.offer).toEqual({ routeId: 'offer-route', poolId: 'key-accounts', repIds: ['rep-ava', 'rep-ben'], offeredAt: now.toISOString(), expiresAt: '2026-03-02T17:07:00.000Z', fallback: 'least_busy' });
    expect(change.event).toMatchObject({ type: 'lead.offered', detail: { eventId: 'e1', leadId: 'l1', repIds: ['rep-ava', 'rep-ben'], expiresAt: '2026-03-02T17:07:00.000Z' } });
    expect(change.historyEntry.detail).toContain('else least busy assigns it');
  });
});

describe('accept links of an offer', () => {
  it('let any offered rep accept while the offer is open, and nobody else', () => {
    const lead = offeredLead();
    expect(isOpenOffer(lead)).toBe(true);
    expect(actionLinkRefusal(acceptBy('rep-ava'), lead)).toBeUndefined();
    expect(actionLinkRefusal(acceptBy('rep-ben'), lead)).toBeUndefined();
    expect(actionLinkRefusal(acceptBy('rep-chloe'), lead)).toMatchObject({ reason: 'not_yours' });
    expect(actionLinkRefusal({ ...acceptBy('rep-ava'), action: 'release' }, lead)).toMatchObject({ reason: 'not_yours' });
  });

  it('say the lead was taken once another rep owns it, and that the offer ended when it went to the pool', () => {
    const taken = offeredLead({ ownerId: 'rep-ben', status: 'assigned' });
    expect(isOpenOffer(taken)).toBe(false);
    expect(actionLinkRefusal(acceptBy('rep-ava'), taken)).toEqual({ reason: 'taken', message: 'This lead was already taken by another rep. There is nothing for you to do.' });
    expect(actionLinkRefusal(acceptBy('rep-ava'), offeredLead({ status: 'in_pool' }))).toMatchObject({ reason: 'lead_changed', message: expect.stringContaining('nobody accepted it in time') });
  });

  it('refuse every link to a lead erased since it was sent, its owner kept or not', () => {
    const erased = offeredLead({ ownerId: 'rep-ava', status: 'invalid', history: [{ at: now.toISOString(), action: 'erased', by: 'admin-1' }] });
    for (const action of ['accept', 'contacted', 'release'] as const) {
      expect(actionLinkRefusal({ ...acceptBy('rep-ava'), action }, erased)).toEqual({ reason: 'lead_changed', message: "This lead was erased at the person's request. There is nothing for you to do." });
    }
  });
});
