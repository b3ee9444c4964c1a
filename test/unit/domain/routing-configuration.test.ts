import { describe, expect, it } from 'vitest';
import { compileRoutingTable, parseConfiguration } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

describe('scoring and routing configuration', () => {
  it('refuses a table without a default route, naming the field', () => {
    const document = demoConfiguration();
    document.routing.routes.pop();
    expect(configurationIssues(document)).toEqual(['routing.routes[4].match: no default route: the last route must have no conditions, so every lead has somewhere to go']);
  });

  it('refuses a scoring rule named as a contribution the score makes itself', () => {
    const document = demoConfiguration();
    document.scoring.rules[0].id = 'score-bounds';
    document.scoring.rules[1].id = 'channel-prior';
    expect(configurationIssues(document)).toEqual([
      'scoring.rules[0].id: must not be "channel-prior" or "score-bounds": scores name those contributions themselves',
      'scoring.rules[1].id: must not be "channel-prior" or "score-bounds": scores name those contributions themselves',
    ]);
  });

  it('refuses duplicate route ids, unknown pools, forms and channels', () => {
    const document = demoConfiguration();
    const [first, second] = document.routing.routes;
    Object.assign(second, { id: first.id, poolId: 'nowhere', match: { forms: ['no-form'], channels: ['no-channel'] } });
    expect(configurationIssues(document)).toEqual([
      'routing.routes[1].id: duplicate id "hot-canada-offer"',
      'routing.routes[1].poolId: unknown pool "nowhere"',
      'routing.routes[1].match.forms[0]: unknown form "no-form"',
      'routing.routes[1].match.channels[0]: unknown channel "no-channel"',
    ]);
  });

  it('refuses a route that the routes above it take entirely', () => {
    const document = demoConfiguration();
    document.routing.routes.splice(2, 0, { id: 'shadowed', name: 'Hot again', match: { temperatures: ['hot'] }, strategy: 'round_robin' });
    expect(configurationIssues(document)).toEqual(['routing.routes[2].match: never matches: the routes above it take every lead it would']);
  });

  it('refuses a region that takes some of what a region above takes ignoring case but not all of it (both rules would fire)', () => {
    const document = demoConfiguration();
    document.routing.routes.splice(
      0,
      0,
      { id: 'giessen-upper', name: 'Giessen', match: { regions: ['GIESSEN'] }, strategy: 'round_robin' },
      { id: 'giessen-eszett', name: 'Gießen', match: { regions: ['Gießen'] }, strategy: 'round_robin' },
    );
    expect(configurationIssues(document)).toEqual([
      'routing.routes[1].match: names region "Gießen", which takes some of the values that "GIESSEN" of route "giessen-upper" above it takes, ignoring case, but not all: one rule cannot take one without the other, so both rules would fire for a lead; spell the two alike',
    ]);
    // Spelt alike ignoring case, the second route takes nothing the first does not: that is the refusal of a shadowed route.
    document.routing.routes[1].match = { regions: ['giessen'] };
    expect(configurationIssues(document)).toEqual(['routing.routes[1].match: never matches: the routes above it take every lead it would']);
  });

  it('refuses a route whose EventBridge pattern would pass the quota on its characters, unless the quota was raised', () => {
    const document = demoConfiguration();
    const countries = ['US', 'CA', 'MX', 'BR', 'AR', 'CL', 'CO', 'PE'];
    // Each route above the default takes three facts; missing all of them is a choice of one per route.
    const specific = countries.slice(0, 5).map((country, index) => ({
      id: `specific-${index}`,
      name: `Specific ${index}`,
      match: { countries: [country], grades: ['A' as const], channels: [document.channels[index % document.channels.length].id] },
      strategy: 'round_robin' as const,
    }));
    document.routing.routes.splice(0, document.routing.routes.length - 1, ...specific);
    expect(configurationIssues(document)).toEqual([
      expect.stringMatching(/^routing\.routes\[5\]\.match: cannot be an EventBridge rule: its pattern would be \d+ characters, over the 2048 allowed; give it fewer conditions/),
    ]);
    document.routing.maxEventPatternCharacters = 4096;
    expect(configurationIssues(document)).toEqual([expect.stringMatching(/over the 4096 allowed/)]);
    document.routing.routes.splice(4, 1);
    const compiled = compileRoutingTable(parseConfiguration(document, 'test.json').routing);
    expect(JSON.stringify(compiled.at(-1)!.pattern).length).toBeGreaterThan(2048);
  });

  it('refuses, without trying to build it, a route that missing the routes above would split into more than 1000 $or branches', () => {
    const document = demoConfiguration();
    const many = Array.from({ length: 12 }, (_, index) => ({
      id: `many-${index}`,
      name: `Many ${index}`,
      match: { regions: [`r${index}`], forms: [document.forms[0].id], answers: { budget: [`b${index}`], size: [`s${index}`] } },
      strategy: 'round_robin' as const,
    }));
    document.routing.routes.splice(0, document.routing.routes.length - 1, ...many);
    expect(configurationIssues(document)).toEqual([expect.stringMatching(/^routing\.routes\[\d+\]\.match: cannot be an EventBridge rule: missing every route above it takes more than 1000 \$or branches/)]);
  });

  it('refuses thresholds out of order and disqualifiers that add points', () => {
    const document = demoConfiguration();
    document.scoring.grades = { A: 40, B: 50, C: 25 };
    document.scoring.temperatures = { hot: 30, warm: 40 };
    document.scoring.rules[10].points = 20;
    expect(configurationIssues(document)).toEqual([
      'scoring.rules[10].points: disqualifiers take points away (negative points); other rules add them',
      'scoring.grades: thresholds out of order: need A > B > C',
      'scoring.temperatures: thresholds out of order: need hot > warm',
    ]);
  });

  it('refuses a channel prior for an unknown channel', () => {
    const document = demoConfiguration();
    document.scoring.channelPriors['carrier-pigeon'] = 10;
    expect(configurationIssues(document)).toEqual(['scoring.channelPriors.carrier-pigeon: unknown channel "carrier-pigeon"']);
  });
});
