import { describe, expect, it } from 'vitest';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

describe('scoring and routing configuration', () => {
  it('refuses a table without a default route, naming the field', () => {
    const document = demoConfiguration();
    document.routing.routes.pop();
    expect(configurationIssues(document)).toEqual(['routing.routes[4].match: no default route: the last route must have no conditions, so every lead has somewhere to go']);
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
