import { describe, expect, it } from 'vitest';
import { routeFor } from '@leadflow/domain';
import { createHandler as createAssignHandler } from '../../../functions/assign-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { lambdaContext } from '../../support/api-gateway-events';

describe('assign-lead on a least-busy route', () => {
  it('explains each passed-over rep with the open-lead counts it read, a tie as a tie', async () => {
    const deps = fakeDependencies();
    deps.store.openLeads.set('rep-chloe', 2);
    deps.store.openLeads.set('rep-dev', 2);
    const intake = webFormIntake(deps.config, { leadId: 'l-gb', formId: 'emea-contact', now: deps.now(), contact: { name: 'Ada', email: 'ada@example.co.uk', title: 'Director', country: 'GB' } });
    await deps.store.ingestLead(intake);
    const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
    const routeId = routeFor(deps.config.routing, detail).id;
    expect(routeId).toBe('emea-least-busy');
    await createAssignHandler(() => deps)({ routeId, detail }, lambdaContext);
    expect(deps.store.leads.get('l-gb')?.routing?.candidates).toEqual([
      { repId: 'rep-chloe', verdict: 'chosen' },
      { repId: 'rep-dev', verdict: 'passed_over', reason: "as many open leads as the chosen rep (2); the chosen rep comes first in the pool's order" },
    ]);
  });
});
