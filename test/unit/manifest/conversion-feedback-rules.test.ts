import { describe, expect, it } from 'vitest';
import { leadEventSource } from '@leadflow/domain';
import { matches } from '@leadflow/event-pattern';
import { manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';

const queuer = manifestFunctions(demoConfiguration()).find((definition) => definition.name === 'queue-conversion-feedback')!;
const reachesQueuer = (detailType: string, detail: Record<string, unknown>) =>
  queuer.trigger.kind === 'event' && queuer.trigger.rules.some((rule) => matches(rule.pattern, { source: leadEventSource, 'detail-type': detailType, detail }));

describe('what queues conversion feedback for the ad platforms', () => {
  it('a new Meta lead (Meta’s first CRM stage), not an invalid, quarantined or test one, nor one from elsewhere', () => {
    expect(reachesQueuer('lead.captured', { leadId: 'l1', sourceKind: 'meta', status: 'new', isTest: false })).toBe(true);
    expect(reachesQueuer('lead.captured', { leadId: 'l1', sourceKind: 'meta', status: 'invalid', isTest: false })).toBe(false);
    expect(reachesQueuer('lead.captured', { leadId: 'l1', sourceKind: 'meta', status: 'quarantined', isTest: false })).toBe(false);
    expect(reachesQueuer('lead.captured', { leadId: 'l1', sourceKind: 'meta', status: 'new', isTest: true })).toBe(false);
    expect(reachesQueuer('lead.captured', { leadId: 'l1', sourceKind: 'google', status: 'new', isTest: false })).toBe(false);
  });

  it('a lead qualified or converted', () => {
    expect(reachesQueuer('lead.status_changed', { leadId: 'l1', to: 'qualified' })).toBe(true);
    expect(reachesQueuer('lead.status_changed', { leadId: 'l1', to: 'contacted' })).toBe(false);
    expect(reachesQueuer('lead.converted', { leadId: 'l1' })).toBe(true);
  });
});
