import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matches } from '@leadflow/event-pattern';
import {
  assignToOwner,
  compileRoutingTable,
  leadFacts,
  maxRepWeight,
  parseConfiguration,
  phoneCountry,
  rankCandidates,
  routeFor,
  routingSchema,
  turnCounterId,
  type Lead,
  type Pool,
  type Rep,
  type Route,
  type Routing,
} from '@leadflow/domain';
import { busEvent } from '../../support/api-gateway-events';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

const now = new Date('2026-03-02T17:00:00.000Z');
const config = demoConfiguration();
const rep = (id: string, extra: Partial<Rep> = {}): Rep => ({ ...config.reps[0], id, regions: [], countries: [], weight: 1, workingHours: undefined, active: true, ...extra });
const poolOf = (reps: readonly Rep[]): Pool => ({ ...config.pools[0], id: 'p', members: reps.map((member) => member.id) });

describe('territory routing by region', () => {
  const territory: Route = { id: 't', name: 'Territory', strategy: 'territory' };
  const ava = rep('ava', { regions: ['Ontario'] });
  const ben = rep('ben', { countries: ['US'] });
  const reps = [ava, ben];
  const pool = poolOf(reps);

  it('gives a lead who typed the region in another case to the rep covering it, not the pool', () => {
    for (const region of ['ontario', 'ONTARIO', 'Ontario']) {
      const { ranked, skipped } = rankCandidates({ route: territory, pool, reps, facts: { region }, outOfOffice: new Map(), openLeads: new Map(), turn: 1, now });
      expect(ranked.map((candidate) => candidate.id)).toEqual(['ava']);
      expect(skipped).toEqual([{ repId: 'ben', verdict: 'skipped', reason: 'wrong territory (covers US)' }]);
    }
  });

  it("keys the territory's turn counter by the rep's spelling, so leads typing it either way share the counter that always was", () => {
    const counter = (region: string) => turnCounterId({ routeId: territory.id, pool, reps, strategy: 'territory', facts: { region } });
    expect(counter('Ontario')).toBe('t#p##Ontario');
    expect(counter('ontario')).toBe('t#p##Ontario');
    expect(counter('ONTARIO')).toBe('t#p##Ontario');
    expect(counter('Quebec')).toBe('t#p##');
  });
});

describe('a route matching on regions', () => {
  const routing = routingSchema.parse({
    routes: [
      { id: 'ontario', name: 'Ontario', match: { regions: ['Ontario'] }, strategy: 'round_robin' },
      { id: 'east', name: 'East', match: { regions: ['ONTARIO', 'Quebec'] }, strategy: 'round_robin' },
      { id: 'default', name: 'Default', strategy: 'pool' },
    ],
  });
  const compiled = compileRoutingTable(routing);
  const scored = (region: string | undefined) =>
    busEvent('lead.scored', { leadId: 'l-1', status: 'new', isTest: false, owned: false, grade: 'B', temperature: 'warm', sourceKind: 'web_form', channel: 'website', ...(region === undefined ? {} : { region }) });
  const rulesMatching = (region: string | undefined) => compiled.filter((rule) => matches(rule.pattern, scored(region))).map((rule) => rule.route.id);

  it('takes the region as typed in any case, with exactly one rule, the one the dry run picks too', () => {
    const cases: Array<[string | undefined, string]> = [
      ['ontario', 'ontario'],
      ['ONTARIO', 'ontario'],
      ['quebec', 'east'],
      ['Manitoba', 'default'],
      [undefined, 'default'],
    ];
    for (const [region, routeId] of cases) {
      expect(rulesMatching(region), String(region)).toEqual([routeId]);
      expect(routeFor(routing, { grade: 'B', temperature: 'warm', sourceKind: 'web_form', channel: 'website', region }).id, String(region)).toBe(routeId);
    }
  });

  it('matches each lead with exactly one rule, the route the dry run picks, for tables naming regions in any case', () => {
    const spellings = ['Ontario', 'ONTARIO', 'ontario', 'Quebec', 'quebec', 'Bavaria'] as const;
    const tables = fc
      .array(fc.subarray([...spellings], { minLength: 1 }), { maxLength: 4 })
      .map((lists) =>
        routingSchema.parse({ routes: [...lists.map((regions, index) => ({ id: `r${index}`, name: `R${index}`, match: { regions }, strategy: 'round_robin' })), { id: 'default', name: 'Default', strategy: 'pool' }] }),
      );
    fc.assert(
      fc.property(tables, fc.option(fc.constantFrom('ontario', 'ONTARIO', 'Ontario', 'QUEBEC', 'bavaria', 'Yukon'), { nil: undefined }), (table, region) => {
        const rules = compiledOrUndefined(table);
        fc.pre(rules !== undefined); // a route the ones above it take entirely: the configuration refuses such tables
        const matched = rules.filter((rule) => matches(rule.pattern, scored(region))).map((rule) => rule.route.id);
        expect(matched).toEqual([routeFor(table, { grade: 'B', temperature: 'warm', sourceKind: 'web_form', channel: 'website', region }).id]);
      }),
      { numRuns: 200 },
    );
  });

  it("compiles to EventBridge's equals-ignore-case, excluding the routes above ignoring case too", () => {
    expect(compiled[0].pattern.detail).toMatchObject({ region: [{ 'equals-ignore-case': 'Ontario' }] });
    // `ONTARIO` is the route above's `Ontario`: only Quebec is left to this route.
    expect(compiled[1].pattern.detail).toMatchObject({ region: [{ 'equals-ignore-case': 'Quebec' }] });
    expect(compiled[2].pattern.detail).toMatchObject({ region: [{ 'anything-but': { 'equals-ignore-case': ['Ontario', 'Quebec'] } }, { exists: false }] });
  });
});

function compiledOrUndefined(routing: Routing) {
  try {
    return compileRoutingTable(routing);
  } catch {
    return undefined;
  }
}

describe("a lead's country given as two letters", () => {
  const lead = (country: string | undefined, phoneCountry: string | undefined): Pick<Lead, 'contact' | 'answers' | 'channel' | 'source' | 'touches'> => ({
    contact: { country, phone: '+442071838750', phoneCountry },
    answers: {},
    channel: 'website',
    source: { kind: 'web_form' },
    touches: 1,
  });

  it('reads uk as GB, the code reps cover', () => {
    expect(leadFacts(lead('uk', 'GB')).country).toBe('GB');
    expect(leadFacts(lead(' UK ', undefined)).country).toBe('GB');
  });

  it("falls back to the phone's country when the two letters are no country", () => {
    expect(leadFacts(lead('XX', 'GB')).country).toBe('GB');
    expect(leadFacts(lead('EU', 'GB')).country).toBe('GB');
    expect(leadFacts(lead('XX', undefined)).country).toBeUndefined();
  });

  it('still prefers a real code the person gave over the phone, a territory without a numbering plan too', () => {
    expect(leadFacts(lead('de', 'GB')).country).toBe('DE');
    expect(leadFacts(lead('AQ', 'GB')).country).toBe('AQ');
  });

  it('is read as the lookup and the import read a country for phone numbers: uk as GB, no country refused', () => {
    expect(phoneCountry('uk')).toBe('GB');
    expect(phoneCountry('EU')).toBeUndefined();
    expect(phoneCountry('AQ')).toBeUndefined(); // no numbering plan to read a phone in
  });
});

describe('least busy: why the others were passed over', () => {
  const route: Route = { id: 'lb', name: 'Least busy', strategy: 'least_busy' };
  const reps = [rep('ava'), rep('ben'), rep('cy')];
  const pool = poolOf(reps);
  const decide = (openLeads: Map<string, number>) => {
    const { ranked, skipped } = rankCandidates({ route, pool, reps, facts: {}, outOfOffice: new Map(), openLeads, now });
    const [owner, ...passedOver] = ranked;
    return assignToOwner({ lead: { leadId: 'l-1' }, route, poolId: pool.id, skipped, owner, passedOver, openLeads, eventId: 'e-1', now }).routing.candidates;
  };

  it('says so on a tie rather than claiming they hold more', () => {
    expect(
      decide(
        new Map([
          ['ava', 2],
          ['ben', 2],
          ['cy', 2],
        ]),
      ),
    ).toEqual([
      { repId: 'ava', verdict: 'chosen' },
      { repId: 'ben', verdict: 'passed_over', reason: "as many open leads as the chosen rep (2); the chosen rep comes first in the pool's order" },
      { repId: 'cy', verdict: 'passed_over', reason: "as many open leads as the chosen rep (2); the chosen rep comes first in the pool's order" },
    ]);
  });

  it('gives both counts when they hold more', () => {
    expect(
      decide(
        new Map([
          ['ava', 3],
          ['ben', 1],
          ['cy', 2],
        ]),
      ),
    ).toEqual([
      { repId: 'ben', verdict: 'chosen' },
      { repId: 'cy', verdict: 'passed_over', reason: 'more open leads than the chosen rep (2 vs 1)' },
      { repId: 'ava', verdict: 'passed_over', reason: 'more open leads than the chosen rep (3 vs 1)' },
    ]);
  });
});

describe("a rep's weight", () => {
  const withWeight = (weight: number) => {
    const document = demoConfiguration();
    document.reps[0].weight = weight;
    return configurationIssues(document);
  };

  it(`is at most ${maxRepWeight}, refused above it naming the field`, () => {
    const document = demoConfiguration();
    document.reps[0].weight = maxRepWeight;
    expect(parseConfiguration(document, 'test.json').reps[0].weight).toBe(maxRepWeight);
    expect(withWeight(700_000)).toEqual([`reps[0].weight: must be at most ${maxRepWeight}: weights are shares, so 70 and 30 give what 700000 and 300000 would`]);
  });
});

describe('countries written in the configuration', () => {
  it('refuses "UK" for a rep and a route, saying to write "GB", and an unassigned code, naming the field', () => {
    const configured = (code: string) => {
      const raw = structuredClone(demoConfiguration()) as unknown as { reps: Array<{ countries?: string[] }>; routing: { routes: Array<{ match?: Record<string, unknown> }> } };
      raw.reps[0].countries = [code];
      raw.routing.routes[0].match = { ...raw.routing.routes[0].match, countries: [code] };
      return raw;
    };
    const withCountry = (code: string) => configurationIssues(configured(code));
    expect(withCountry('UK')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^reps\[0\]\.countries\[0\]: must be "GB" for the United Kingdom/),
        expect.stringMatching(/^routing\.routes\[0\]\.match\.countries\[0\]: must be "GB" for the United Kingdom/),
      ]),
    );
    expect(withCountry('XX')).toEqual(expect.arrayContaining(['reps[0].countries[0]: must be an ISO 3166-1 alpha-2 country code such as "US"']));
    expect(() => parseConfiguration(configured('GB'))).not.toThrow();
  });
});
