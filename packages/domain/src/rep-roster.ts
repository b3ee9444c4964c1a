import type { Configuration } from './configuration';
import { holdingCapOf, isPoolMember } from './pool-claim';
import { isOutOfOffice, unavailability, type OutOfOffice } from './rep-availability';

/**
 * Each configured rep as a manager weighs who can take work: whether routing would give them a lead at `now`
 * (and why not: inactive, out of office, outside working hours), how many open leads they hold against their
 * capacity, and the holding cap of each pool they work in (the smaller of their capacity and the pool's).
 */
export function repRoster(config: Pick<Configuration, 'reps' | 'pools'>, states: { openLeads: ReadonlyMap<string, number>; outOfOffice: ReadonlyMap<string, OutOfOffice> }, now: Date) {
  return config.reps.map((rep) => {
    const outOfOffice = states.outOfOffice.get(rep.id);
    const unavailable = unavailability(rep, outOfOffice, now);
    return {
      id: rep.id,
      name: rep.name,
      email: rep.email,
      active: rep.active,
      available: unavailable === undefined,
      ...(unavailable === undefined ? {} : { unavailable }),
      ...(isOutOfOffice(outOfOffice, now) ? { outOfOffice } : {}),
      timeZone: rep.timeZone,
      ...(rep.workingHours ? { workingHours: rep.workingHours } : {}),
      openLeads: states.openLeads.get(rep.id) ?? 0,
      capacity: rep.capacity,
      pools: config.pools.filter((pool) => isPoolMember(pool, rep.id)).map((pool) => ({ poolId: pool.id, holdingCap: holdingCapOf(rep, pool) })),
    };
  });
}
