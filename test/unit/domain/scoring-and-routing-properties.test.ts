import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matches } from '@leadflow/event-pattern';
import { compileRoutingTable, routeFor, routingSchema, scoreLead, scoringConfigurationSchema, type LeadFacts, type Routing } from '@leadflow/domain';
import { busEvent } from '../../support/api-gateway-events';
import { demoConfiguration } from '../../support/demo-configuration';

const grades = ['A', 'B', 'C', 'D'] as const;
const temperatures = ['hot', 'warm', 'cold'] as const;
const countries = ['US', 'GB', 'FR', 'DE'] as const;
const kinds = ['web_form', 'meta', 'webhook', 'import'] as const;
const sizes = ['1-10', '51-200', '1000+'] as const;

const subset = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });
const matchArbitrary = fc
  .record({ grades: subset(grades), temperatures: subset(temperatures), countries: subset(countries), sourceKinds: subset(kinds), answers: fc.record({ company_size: subset(sizes) }) }, { requiredKeys: [] })
  .filter((match) => Object.keys(match).length > 0);

/** Tables of up to six routes with random conditions, ending in the default route; shadowed tables are skipped. */
const routingArbitrary = fc.array(matchArbitrary, { minLength: 0, maxLength: 5 }).map((matches) =>
  routingSchema.parse({
    routes: [...matches.map((match, index) => ({ id: `route-${index}`, name: `Route ${index}`, match, strategy: 'round_robin' })), { id: 'default', name: 'Default', strategy: 'pool' }],
  }),
);

const detailArbitrary = fc.record({
  grade: fc.constantFrom(...grades),
  temperature: fc.constantFrom(...temperatures),
  sourceKind: fc.constantFrom(...kinds),
  channel: fc.constant('website'),
  country: fc.option(fc.constantFrom(...countries, 'JP'), { nil: undefined }),
  answers: fc.option(fc.record({ company_size: fc.constantFrom(...sizes) }), { nil: undefined }),
});

function scoredEvent(detail: Record<string, unknown>) {
  const cleaned = Object.fromEntries(Object.entries(detail).filter(([, value]) => value !== undefined));
  return busEvent('lead.scored', { eventId: 'e-1', leadId: 'l-1', status: 'new', isTest: false, owned: false, poolId: 'p', points: 50, scoredAt: '2026-03-02T10:00:00.000Z', ...cleaned });
}

function compiledOrSkip(routing: Routing) {
  try {
    return compileRoutingTable(routing);
  } catch {
    return undefined; // a route the ones above it take entirely: the configuration refuses such tables
  }
}

describe('compiled routing rules', () => {
  it('match each routable lead with exactly one rule, the first route in table order that takes it', () => {
    fc.assert(
      fc.property(routingArbitrary, detailArbitrary, (routing, detail) => {
        const compiled = compiledOrSkip(routing);
        fc.pre(compiled !== undefined);
        const event = scoredEvent(detail);
        const matching = compiled.filter((rule) => matches(rule.pattern, event));
        expect(matching.map((rule) => rule.route.id)).toEqual([routeFor(routing, detail).id]);
      }),
      { numRuns: 150 },
    );
  });

  it('match nothing for owned, test or not-new leads', () => {
    fc.assert(
      fc.property(routingArbitrary, detailArbitrary, fc.constantFrom({ owned: true }, { isTest: true }, { status: 'assigned' }, { status: 'in_pool' }), (routing, detail, change) => {
        const compiled = compiledOrSkip(routing);
        fc.pre(compiled !== undefined);
        const event = scoredEvent(detail);
        Object.assign(event.detail, change);
        expect(compiled.filter((rule) => matches(rule.pattern, event))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('the demo table: one rule per lead', () => {
    const { routing } = demoConfiguration();
    const compiled = compileRoutingTable(routing);
    fc.assert(
      fc.property(detailArbitrary, (detail) => {
        expect(compiled.filter((rule) => matches(rule.pattern, scoredEvent(detail))).map((rule) => rule.route.id)).toEqual([routeFor(routing, detail).id]);
      }),
    );
  });
});

const ruleArbitrary = fc.record({
  id: fc.stringMatching(/^[a-z]{1,8}$/),
  category: fc.constantFrom('fit', 'intent', 'engagement', 'disqualifier'),
  magnitude: fc.integer({ min: 1, max: 60 }),
  fact: fc.constantFrom('title', 'country', 'answers.company_size'),
  values: fc.array(fc.constantFrom('ceo', 'US', '1000+', 'cto'), { minLength: 1, maxLength: 3 }),
});

const scoringArbitrary = fc
  .record({ rules: fc.uniqueArray(ruleArbitrary, { selector: (rule) => rule.id, maxLength: 8 }), engagement: fc.integer({ min: 0, max: 40 }), prior: fc.integer({ min: 0, max: 100 }) })
  .map(({ rules, engagement, prior }) =>
    scoringConfigurationSchema.parse({
      channelPriors: { website: prior },
      rules: [
        ...rules.map((rule) => ({
          id: rule.id,
          category: rule.category,
          points: rule.category === 'disqualifier' ? -rule.magnitude : rule.magnitude,
          reason: `because ${rule.id}`,
          when: { fact: rule.fact, in: rule.values },
        })),
        ...(engagement ? [{ id: 'came-back', category: 'engagement', points: engagement, reason: 'came back', when: { fact: 'touches', atLeast: 2 } }] : []),
      ],
      grades: { A: 75, B: 50, C: 25 },
      temperatures: { hot: 70, warm: 40 },
    }),
  );

const factsArbitrary = fc.record({
  channel: fc.constant('website'),
  title: fc.option(fc.constantFrom('ceo', 'cto', 'intern'), { nil: undefined }),
  country: fc.option(fc.constantFrom('US', 'GB'), { nil: undefined }),
  'answers.company_size': fc.option(fc.constantFrom('1000+', '1-10'), { nil: undefined }),
  touches: fc.integer({ min: 1, max: 5 }),
}) as fc.Arbitrary<LeadFacts>;

describe('scoring', () => {
  const now = new Date('2026-03-02T10:00:00.000Z');

  it('stays within 0..100, explains every point (the parts add up to the score), and grades by the thresholds', () => {
    fc.assert(
      fc.property(scoringArbitrary, factsArbitrary, (scoring, facts) => {
        const score = scoreLead(facts, scoring, now);
        const sum = score.contributions.reduce((total, contribution) => total + contribution.points, 0);
        expect(score.points).toBeGreaterThanOrEqual(0);
        expect(score.points).toBeLessThanOrEqual(100);
        expect(score.points).toBe(sum);
        const bounds = score.contributions.filter((contribution) => contribution.category === 'bounds');
        expect(bounds.length).toBe(sum - (bounds[0]?.points ?? 0) === score.points ? 0 : 1);
        for (const contribution of score.contributions) expect(contribution.reason.length).toBeGreaterThan(0);
        const ruleIds = score.contributions.map((contribution) => contribution.ruleId).filter((id) => id !== 'channel-prior');
        expect(new Set(ruleIds).size).toBe(ruleIds.length);
        expect(score.grade).toBe(score.points >= 75 ? 'A' : score.points >= 50 ? 'B' : score.points >= 25 ? 'C' : 'D');
        expect(score.temperature).toBe(score.points >= 70 ? 'hot' : score.points >= 40 ? 'warm' : 'cold');
      }),
    );
  });

  it('never falls when a person comes back (engagement rules only add points)', () => {
    fc.assert(
      fc.property(scoringArbitrary, factsArbitrary, (scoring, facts) => {
        const before = scoreLead(facts, scoring, now).points;
        const after = scoreLead({ ...facts, touches: Number(facts.touches) + 1 }, scoring, now).points;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
    );
  });
});
