import { NO_ARRAYS, type ArrayMembership } from './array-membership';
import { eventValueOf, type EventValue } from './event-value';
import type { JsonNode, JsonObjectNode } from './json-node';

/** One leaf value of a flattened event. */
export interface EventField {
  readonly value: EventValue;
  readonly membership: ArrayMembership;
}

/** A flattened event: every leaf value, grouped by dot-joined path, in document order. */
export type FlattenedEvent = ReadonlyMap<string, readonly EventField[]>;

/**
 * Flattens an event the way EventBridge does before matching: keys are joined with `.`, arrays are "crushed out"
 * (each element is a value of the array's own path, at any depth of nesting), and only leaves produce fields.
 * So an empty array or object contributes nothing — the field does not exist for `exists` — while `null` is a
 * value. Each value remembers which array elements contain it, for array-consistent matching.
 */
export function flattenEvent(event: JsonObjectNode): FlattenedEvent {
  const fields = new Map<string, EventField[]>();
  let nextArrayId = 0;

  const visit = (node: JsonNode, path: string, membership: ArrayMembership): void => {
    switch (node.kind) {
      case 'object':
        for (const [key, value] of node.members) visit(value, `${path}.${key}`, membership);
        return;
      case 'array': {
        const arrayId = nextArrayId++;
        node.items.forEach((item, index) => {
          const itemMembership = new Map(membership);
          itemMembership.set(arrayId, index);
          visit(item, path, itemMembership);
        });
        return;
      }
      default: {
        const value = eventValueOf(node) as EventValue;
        const existing = fields.get(path);
        if (existing) existing.push({ value, membership });
        else fields.set(path, [{ value, membership }]);
      }
    }
  };

  for (const [key, value] of event.members) visit(value, key, NO_ARRAYS);
  return fields;
}
