import { describe, expect, it } from 'vitest';
import { dryRunRouting, routeFor, type Lead, type LeadContact } from '@leadflow/domain';
import { createHandler as createAssignHandler } from '../../../functions/assign-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { lambdaContext } from '../../support/api-gateway-events';

const now = new Date('2026-03-03T09:00:00.000Z');

/** One lead captured and routed with the demo configuration, as its record stands afterwards. */
async function routedDemoLead(leadId: string, contact: LeadContact, answers: Record<string, string> = {}): Promise<Lead> {
  const deps = fakeDependencies();
  const intake = webFormIntake(deps.config, { leadId, now: deps.now(), contact, answers });
  await deps.store.ingestLead(intake);
  const detail = intake.events.find((event) => event.type === 'lead.scored')?.detail;
  if (!detail) throw new Error('no lead.scored event');
  await createAssignHandler(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
  const lead = deps.store.leads.get(leadId);
  if (!lead) throw new Error(`lead ${leadId} was not stored`);
  return lead;
}

// `npm run routing:dry-run` with the configuration the leads were routed with must report no change.
describe('dryRunRouting with the unchanged configuration', () => {
  it('counts a lead under an open offer under the offer route and pool, not as never routed', async () => {
    const offered = await routedDemoLead('hot-ca', { name: 'Cal', email: 'cal@bigco.example', title: 'VP Operations', country: 'CA' }, { company_size: '1000+', product_interest: 'Fleet software' });
    expect(offered).toMatchObject({ status: 'new', offer: { routeId: 'hot-canada-offer', poolId: 'key-accounts' } });
    expect(offered.routing).toBeUndefined();

    const report = dryRunRouting([offered], fakeDependencies().config, now);

    expect(report).toMatchObject({ routeChanged: 0, poolChanged: 0, changes: [] });
    expect(report.routes.find((route) => route.routeId === 'hot-canada-offer')).toEqual({ routeId: 'hot-canada-offer', before: 1, after: 1, movingIn: 0, movingOut: 0 });
  });

  it('takes no lead away from a rep who claimed it from the pool the same route still leaves it in', async () => {
    const pooled = await routedDemoLead('cold', { name: 'Cy', email: 'info@gmail.com' });
    expect(pooled).toMatchObject({ status: 'in_pool', routing: { routeId: 'cold-to-nurture', poolId: 'nurture', outcome: 'pooled' } });
    const claimed: Lead = { ...pooled, status: 'assigned', ownerId: 'rep-ava', assignment: { rule: 'claim', poolId: 'nurture', assignedAt: now.toISOString() } };

    const report = dryRunRouting([claimed], fakeDependencies().config, now);

    expect(report).toMatchObject({ routeChanged: 0, poolChanged: 0, reps: [], changes: [] });
  });

  it('still takes a claimed lead away from its rep when the changed table routes it elsewhere', async () => {
    const pooled = await routedDemoLead('cold', { name: 'Cy', email: 'info@gmail.com' });
    const claimed: Lead = { ...pooled, status: 'assigned', ownerId: 'rep-ava', assignment: { rule: 'claim', poolId: 'nurture', assignedAt: now.toISOString() } };
    const configuration = fakeDependencies().config;
    const withoutNurture = { ...configuration, routing: { ...configuration.routing, routes: configuration.routing.routes.filter((route) => route.id !== 'cold-to-nurture') } };

    const report = dryRunRouting([claimed], withoutNurture, now);

    expect(report.routeChanged).toBe(1);
    expect(report.changes.map((lead) => lead.leadId)).toEqual(['cold']);
  });
});
