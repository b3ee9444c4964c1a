import { leaveInPool, type Configuration, type Lead } from '@leadflow/domain';
import type { LeadIngestion, LeadStore } from '@leadflow/platform';
import { webFormIntake } from './intakes';

/** Stores a new web-form lead and leaves it in `poolId` as the demo's `pool` strategy route would. */
export async function pooledLead(store: LeadStore & LeadIngestion, config: Configuration, input: { leadId: string; poolId: string; capturedAt?: Date }): Promise<Lead> {
  const capturedAt = input.capturedAt ?? new Date('2026-03-02T10:00:00.000Z');
  const intake = webFormIntake(config, { leadId: input.leadId, now: capturedAt });
  await store.ingestLead(intake);
  const route = config.routing.routes.find((candidate) => candidate.strategy === 'pool' || candidate.strategy === 'nurture');
  if (!route) throw new Error('The demo configuration has no pool route');
  const change = leaveInPool({ lead: intake.lead, route, poolId: input.poolId, skipped: [], eventId: `${input.leadId}-pooled`, now: capturedAt });
  if ((await store.leaveInPool({ leadId: input.leadId, ...change })) !== 'pooled') throw new Error(`Lead ${input.leadId} was not left in pool ${input.poolId}`);
  const lead = await store.getLead(input.leadId);
  if (!lead) throw new Error(`Lead ${input.leadId} vanished`);
  return lead;
}
