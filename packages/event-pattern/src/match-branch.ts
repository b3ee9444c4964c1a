import { mergeMemberships, NO_ARRAYS, type ArrayMembership } from './array-membership';
import type { EventField, FlattenedEvent } from './flatten-event';
import type { PatternBranch } from './pattern-branch';
import { matchesValue } from './value-matcher';

/** A branch field resolved against one event. */
interface ResolvedField {
  /** Values at the field's path that one of its matchers accepts. */
  readonly matching: readonly EventField[];
  /** All values at the field's path, when the field also accepts absence; otherwise `undefined`. */
  readonly presentForAbsence: readonly EventField[] | undefined;
}

/**
 * True if the flattened event satisfies every field of the branch with array consistency: the values chosen for
 * the fields must not come from different elements of one array. Fields are taken in the branch's (sorted) order,
 * and an `exists: false` field is satisfied when no value of its path is consistent with the values chosen for
 * the fields before it — the same order-dependent rule as EventBridge's array-consistent matcher
 * (aws/event-ruler `ACFinder`).
 */
export function matchesBranch(branch: PatternBranch, event: FlattenedEvent): boolean {
  const resolved: ResolvedField[] = [];
  for (const field of branch) {
    const candidates = event.get(field.path) ?? [];
    // Values are tested once here, so the search below only has to check array consistency.
    const matching = candidates.filter((candidate) => field.matchers.some((matcher) => matchesValue(matcher, candidate.value)));
    // Nothing at all can satisfy this field, so the branch fails without searching.
    if (matching.length === 0 && !field.matchesAbsence) return false;
    resolved.push({ matching, presentForAbsence: field.matchesAbsence ? candidates : undefined });
  }
  return search(resolved, 0, NO_ARRAYS);
}

function search(fields: readonly ResolvedField[], index: number, membership: ArrayMembership): boolean {
  const field = fields[index];
  if (field === undefined) return true;
  if (field.presentForAbsence !== undefined) {
    const present = field.presentForAbsence.some((value) => mergeMemberships(membership, value.membership) !== undefined);
    if (!present && search(fields, index + 1, membership)) return true;
  }
  for (const candidate of field.matching) {
    const merged = mergeMemberships(membership, candidate.membership);
    if (merged !== undefined && search(fields, index + 1, merged)) return true;
  }
  return false;
}
