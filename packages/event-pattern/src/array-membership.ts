/**
 * Where a flattened event value sits in the event's arrays: for each enclosing array (numbered in document
 * order), the index of the element that holds the value. EventBridge only combines values whose memberships
 * agree, so a pattern cannot be satisfied by fields taken from different elements of the same array
 * (aws/event-ruler `ArrayMembership`, used by `rulesForJSONEvent`).
 */
export type ArrayMembership = ReadonlyMap<number, number>;

/** The membership of a value that is in no array. */
export const NO_ARRAYS: ArrayMembership = new Map();

/**
 * Combines two memberships, or returns `undefined` if they disagree about the element of some array, i.e. the
 * two values come from different elements of the same array.
 */
export function mergeMemberships(a: ArrayMembership, b: ArrayMembership): ArrayMembership | undefined {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  let merged: Map<number, number> | undefined;
  for (const [array, index] of b) {
    const existing = a.get(array);
    if (existing === undefined) {
      merged ??= new Map(a);
      merged.set(array, index);
    } else if (existing !== index) {
      return undefined;
    }
  }
  return merged ?? a;
}
