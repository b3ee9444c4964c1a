import type { Pool, Rep } from './configuration';

/**
 * Picks the rep whose turn it is in a pool. `turn` is a counter that the store increments atomically
 * (1, 2, 3, …), so concurrent assignments each get a distinct turn and the rotation stays fair.
 * Inactive reps are skipped; `undefined` when the pool has nobody to take leads.
 */
export function pickRoundRobinOwner(pool: Pool, reps: readonly Rep[], turn: number): Rep | undefined {
  const byId = new Map(reps.map((rep) => [rep.id, rep]));
  const available = pool.members.map((id) => byId.get(id)).filter((rep): rep is Rep => rep !== undefined && rep.active);
  if (available.length === 0) return undefined;
  return available[(((turn - 1) % available.length) + available.length) % available.length];
}
