import { readFileSync } from 'node:fs';
import { parseConfiguration, poolSchema, type Configuration } from '@leadflow/domain';

export const demoConfigurationFile = new URL('../../config/leads.config.json', import.meta.url).pathname;

/** The shipped demo configuration, parsed; a fresh copy each call so tests may change it. */
export function demoConfiguration(): Configuration {
  return parseConfiguration(JSON.parse(readFileSync(demoConfigurationFile, 'utf8')), demoConfigurationFile);
}

/**
 * The demo plus a pool of always-working reps (no working hours, capacity 10) and one route that offers each
 * lead to all of them for five minutes, falling back to the pool.
 */
export function offerRouteConfiguration(offer: { routeId: string; poolId: string; reps: string[] }): Configuration {
  const config = demoConfiguration();
  const template = config.reps[0];
  for (const id of offer.reps) config.reps.push({ ...template, id, name: id, capacity: 10, workingHours: undefined });
  config.pools.push(poolSchema.parse({ id: offer.poolId, name: offer.poolId, teamId: 'americas', members: offer.reps }));
  config.routing = { routes: [{ id: offer.routeId, name: offer.routeId, strategy: 'offer', offer: { reps: offer.reps, windowMinutes: 5, fallback: 'pool' }, poolId: offer.poolId }] };
  return config;
}
