import { describe, expect, it } from 'vitest';
import { leadEventSource } from '@leadflow/domain';
import { matches } from '@leadflow/event-pattern';
import { manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';

const tracker = manifestFunctions(demoConfiguration()).find((definition) => definition.name === 'track-follow-up-due')!;
const reachesTracker = (detailType: string, detail: Record<string, unknown>) =>
  tracker.trigger.kind === 'event' && tracker.trigger.rules.some((rule) => matches(rule.pattern, { source: leadEventSource, 'detail-type': detailType, detail }));

describe('what re-files a lead for the follow-up rules', () => {
  it('a touch that re-scores a lead someone owns (its grade moves the first-contact SLA), not the score of a new lead', () => {
    expect(reachesTracker('lead.scored', { reason: 'touched', owned: true, grade: 'A' })).toBe(true);
    expect(reachesTracker('lead.scored', { reason: 'captured', owned: false, grade: 'A' })).toBe(false);
    expect(reachesTracker('lead.scored', { reason: 'touched', owned: false, grade: 'A' })).toBe(false);
  });

  it('every change of owner or progress', () => {
    for (const type of ['lead.assigned', 'lead.claimed', 'lead.released', 'lead.activity_logged', 'lead.status_changed', 'lead.converted', 'lead.locked', 'lead.unlocked'])
      expect(reachesTracker(type, { leadId: 'l1' })).toBe(true);
    expect(reachesTracker('lead.captured', { leadId: 'l1' })).toBe(false);
  });
});
