import { describe, expect, it, vi } from 'vitest';
import { routeFor, type AssignmentStrategy } from '@leadflow/domain';
import type { OwnerAssignment } from '@leadflow/platform';
import { createHandler as createAssignHandler } from '../../../functions/assign-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { lambdaContext } from '../../support/api-gateway-events';

type Deps = ReturnType<typeof fakeDependencies>;

/** Stores `count` warm GB leads, which the demo routes on `emea-least-busy` (Chloé and Dev), and returns their assign-lead inputs. */
async function emeaLeads(deps: Deps, count: number, country = 'GB') {
  const inputs = [];
  for (let index = 1; index <= count; index += 1) {
    const leadId = `l${index}`;
    const intake = webFormIntake(deps.config, { leadId, formId: 'emea-contact', now: deps.now(), contact: { name: 'Ada', email: `${leadId}@bigco.example`, country, title: 'Head of Sales' } });
    await deps.store.ingestLead(intake);
    const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
    inputs.push({ routeId: routeFor(deps.config.routing, detail).id, detail });
  }
  return inputs;
}

/** Chloé holds no open lead and Dev one; six leads come, one at a time or all at once. */
async function sixLeads(atOnce: boolean) {
  const deps = fakeDependencies();
  deps.store.openLeads.set('rep-chloe', 0);
  deps.store.openLeads.set('rep-dev', 1);
  const assign = createAssignHandler(() => deps);
  const inputs = await emeaLeads(deps, 6);
  expect(new Set(inputs.map((input) => input.routeId))).toEqual(new Set(['emea-least-busy']));
  if (atOnce) await Promise.all(inputs.map((input) => assign(input, lambdaContext)));
  else for (const input of inputs) await assign(input, lambdaContext);
  const routed = inputs.map((input) => deps.store.leads.get(input.detail.leadId)!);
  const owners = routed.reduce<Record<string, number>>((counts, lead) => ({ ...counts, [lead.ownerId ?? '(pool)']: (counts[lead.ownerId ?? '(pool)'] ?? 0) + 1 }), {});
  return { deps, routed, owners };
}

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

  it('spreads a burst of leads assigned at once as it spreads them one at a time, each decision naming its rep and the counts it was ranked on', async () => {
    const oneAtATime = await sixLeads(false);
    const atOnce = await sixLeads(true);
    expect(oneAtATime.owners).toEqual({ 'rep-chloe': 4, 'rep-dev': 2 });
    // Before each write had to find the load it ranked on, all six went to Chloé.
    expect(atOnce.owners).toEqual(oneAtATime.owners);
    expect(Object.fromEntries(atOnce.deps.store.openLeads)).toEqual({ 'rep-chloe': 4, 'rep-dev': 3 });
    for (const lead of atOnce.routed) {
      const [chosen, passedOver] = lead.routing!.candidates;
      expect(chosen).toEqual({ repId: lead.ownerId, verdict: 'chosen' });
      // Dev was never chosen while holding more than Chloé, nor Chloé while holding more than Dev.
      expect(passedOver.reason).toMatch(/^(as many open leads as the chosen rep|more open leads than the chosen rep)/);
    }
  });

  it('takes its last ranking under the holding cap alone when the loads keep changing, so contention never leaves a lead unassigned', async () => {
    const deps = fakeDependencies();
    const assignOwner = deps.store.assignOwner.bind(deps.store);
    // Every ranked write finds the load changed, as in an endless burst.
    const assignments = vi.spyOn(deps.store, 'assignOwner').mockImplementation(async (change: OwnerAssignment) => (change.seenOpenLeads === undefined ? assignOwner(change) : 'load_changed'));
    const reads = vi.spyOn(deps.store, 'readRepStates');
    const [input] = await emeaLeads(deps, 1);
    await createAssignHandler(() => deps)(input, lambdaContext);
    expect(assignments.mock.calls.map(([change]) => change.seenOpenLeads)).toEqual([0, 0, 0, 0, undefined]);
    // The first read, then one after each changed load.
    expect(reads).toHaveBeenCalledTimes(5);
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'assigned', ownerId: 'rep-chloe' });
  });

  it.each<AssignmentStrategy>(['round_robin', 'weighted', 'territory'])('leaves %s writes on the holding cap alone: they rank by turn, not by load', async (strategy) => {
    const deps = fakeDependencies();
    deps.config.routing.routes = deps.config.routing.routes.map((route) => (route.id === 'emea-least-busy' ? { ...route, strategy } : route));
    const assignments = vi.spyOn(deps.store, 'assignOwner');
    const [input] = await emeaLeads(deps, 1);
    await createAssignHandler(() => deps)(input, lambdaContext);
    expect(assignments).toHaveBeenCalledTimes(1);
    expect(assignments.mock.calls[0][0].seenOpenLeads).toBeUndefined();
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'assigned' });
  });
});
