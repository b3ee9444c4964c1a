import { describe, expect, it } from 'vitest';
import { dryRunRouting, notRoutedBefore, parseConfiguration, routeFor, type Configuration, type Lead, type LeadContact } from '@leadflow/domain';
import { createHandler as createAssignHandler } from '../../../functions/assign-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { lambdaContext } from '../../support/api-gateway-events';

const now = new Date('2026-03-03T09:00:00.000Z');

/** Four leads captured and routed with the demo configuration, as their records stand afterwards. */
async function routedDemoLeads(): Promise<Lead[]> {
  const deps = fakeDependencies();
  const capture = async (leadId: string, input: { contact: LeadContact; answers?: Record<string, string>; isTest?: boolean }) => {
    const intake = webFormIntake(deps.config, { leadId, now: deps.now(), ...input });
    if (input.isTest) intake.lead.isTest = true;
    await deps.store.ingestLead(intake);
    const detail = intake.events.find((event) => event.type === 'lead.scored')?.detail;
    if (!detail || input.isTest) return;
    await createAssignHandler(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
  };
  const hot = { company_size: '1000+', product_interest: 'Fleet software' };
  await capture('hot-us', { contact: { name: 'Hal', email: 'hal@bigco.example', title: 'VP Operations', country: 'US' }, answers: hot });
  await capture('hot-gb', { contact: { name: 'Gwen', email: 'gwen@bigco.example', title: 'Head of Fleet', country: 'GB' }, answers: hot });
  await capture('warm-us', { contact: { name: 'Wes', email: 'wes@smallco.example', country: 'US' } });
  await capture('cold', { contact: { name: 'Cy', email: 'info@gmail.com' } });
  await capture('test-lead', { contact: { name: 'Tess', email: 'tess@example.com', country: 'US' }, isTest: true });
  return [...deps.store.leads.values()];
}

function changed(edit: (document: Configuration) => void): Configuration {
  const document = fakeDependencies().config;
  edit(document);
  return parseConfiguration(document);
}

describe('dryRunRouting', () => {
  it('moves nothing when the configuration is the one the leads were routed with', async () => {
    const leads = await routedDemoLeads();
    expect(leads.find((lead) => lead.leadId === 'hot-gb')).toMatchObject({ ownerId: 'rep-dev', routing: { routeId: 'hot-by-territory' } });
    const report = dryRunRouting(leads, fakeDependencies().config, now);
    expect(report).toMatchObject({ replayed: 4, routeChanged: 0, poolChanged: 0, gradeChanged: 0, temperatureChanged: 0, pointsChanged: 0, reps: [], changes: [] });
    expect(report.routes.map(({ routeId, before, after }) => [routeId, before, after])).toEqual([
      ['hot-canada-offer', 0, 0],
      ['hot-by-territory', 2, 2],
      ['cold-to-nurture', 1, 1],
      ['emea-least-busy', 0, 0],
      ['partner-weighted', 0, 0],
      ['default', 1, 1],
    ]);
    // hot-us (Ava or Ben by turn) and warm-us (round robin) depend on the turn; hot-gb has Dev alone; cold is pooled.
    expect(report.ownerDecidedByTurnOrLoad).toBe(2);
  });

  it('counts leads moving between routes and pools when a route is removed', async () => {
    const report = dryRunRouting(
      await routedDemoLeads(),
      changed((document) => (document.routing.routes = document.routing.routes.filter((route) => route.id !== 'hot-by-territory'))),
      now,
    );
    expect(report).toMatchObject({ replayed: 4, routeChanged: 2, poolChanged: 2, gradeChanged: 0, reps: [] });
    expect(report.routes).toEqual([
      { routeId: 'hot-canada-offer', before: 0, after: 0, movingIn: 0, movingOut: 0 },
      { routeId: 'cold-to-nurture', before: 1, after: 1, movingIn: 0, movingOut: 0 },
      { routeId: 'emea-least-busy', before: 0, after: 1, movingIn: 1, movingOut: 0 },
      { routeId: 'partner-weighted', before: 0, after: 0, movingIn: 0, movingOut: 0 },
      { routeId: 'default', before: 1, after: 2, movingIn: 1, movingOut: 0 },
      { routeId: 'hot-by-territory', before: 2, after: 0, movingIn: 0, movingOut: 2 },
    ]);
    expect(report.changes.map(({ leadId, before, after }) => [leadId, before.routeId, after.routeId, after.poolId])).toEqual(
      expect.arrayContaining([
        ['hot-gb', 'hot-by-territory', 'emea-least-busy', 'emea-inbound'],
        ['hot-us', 'hot-by-territory', 'default', 'americas-inbound'],
      ]),
    );
  });

  it('re-scores with the changed thresholds: a warm lead turning cold leaves its owner for the nurture pool', async () => {
    const leads = await routedDemoLeads();
    const owner = leads.find((lead) => lead.leadId === 'warm-us')?.ownerId;
    const report = dryRunRouting(
      leads,
      changed((document) => (document.scoring.temperatures.warm = 50)),
      now,
    );
    expect(report).toMatchObject({ routeChanged: 1, temperatureChanged: 1, gradeChanged: 0, pointsChanged: 0, reps: [{ repId: owner, gains: 0, losses: 1 }] });
    expect(report.changes).toEqual([
      expect.objectContaining({
        leadId: 'warm-us',
        before: expect.objectContaining({ routeId: 'default', temperature: 'warm', ownerId: owner }),
        after: expect.objectContaining({ routeId: 'cold-to-nurture', temperature: 'cold', pooled: true, candidates: [] }),
      }),
    ]);
  });

  it('credits a rep with a lead only when the territory leaves them the single candidate', async () => {
    const report = dryRunRouting(
      await routedDemoLeads(),
      changed((document) => {
        for (const rep of document.reps) {
          if (rep.id === 'rep-dev') rep.countries = ['IE'];
          if (rep.id === 'rep-chloe') rep.countries = [...rep.countries, 'GB'];
        }
      }),
      now,
    );
    expect(report.routeChanged).toBe(0);
    expect(report.reps).toEqual([
      { repId: 'rep-chloe', gains: 1, losses: 0 },
      { repId: 'rep-dev', gains: 0, losses: 1 },
    ]);
    expect(report.changes.map((lead) => [lead.leadId, lead.before.ownerId, lead.after.firstCandidate])).toEqual([['hot-gb', 'rep-dev', 'rep-chloe']]);
  });

  it('counts leads with no routing decision on record under "(not routed)"', async () => {
    const lead = (await routedDemoLeads()).find((candidate) => candidate.leadId === 'cold');
    if (!lead) throw new Error('no cold lead');
    const report = dryRunRouting([{ ...lead, routing: undefined, status: 'new' }], fakeDependencies().config, now);
    expect(report.routes.find((route) => route.routeId === notRoutedBefore)).toEqual({ routeId: notRoutedBefore, before: 1, after: 0, movingIn: 0, movingOut: 1 });
    expect(report.poolChanged).toBe(0);
  });

  it('credits no rep with a lead the same route left in its pool because nobody was available then', async () => {
    const lead = (await routedDemoLeads()).find((candidate) => candidate.leadId === 'hot-gb');
    if (!lead?.routing) throw new Error('no routed GB lead');
    const pooledThen: Lead = { ...lead, ownerId: undefined, status: 'in_pool', routing: { ...lead.routing, outcome: 'pooled', ownerId: undefined } };
    const report = dryRunRouting([pooledThen], fakeDependencies().config, now);
    expect(report).toMatchObject({ reps: [], changes: [] });
    expect(dryRunRouting([{ ...pooledThen, routing: { ...lead.routing, outcome: 'pooled', ownerId: undefined, strategy: 'pool' } }], fakeDependencies().config, now).reps).toEqual([
      { repId: 'rep-dev', gains: 1, losses: 0 },
    ]);
  });
});
