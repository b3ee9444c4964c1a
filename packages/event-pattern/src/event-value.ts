import { toComparableNumber } from './comparable-number';
import type { JsonNode } from './json-node';

/**
 * One leaf value of an event (objects and arrays are flattened away). The three kinds never match each other:
 * EventBridge matches values by their JSON text, so the string `"42"` is not the number `42`, and `"null"` is not
 * `null`.
 */
export type EventValue =
  | { readonly kind: 'string'; readonly value: string }
  | {
      readonly kind: 'number';
      readonly text: string;
      /** Millionths, or `undefined` outside EventBridge's numeric window (see `comparable-number.ts`). */
      readonly comparable: bigint | undefined;
    }
  | { readonly kind: 'literal'; readonly text: 'true' | 'false' | 'null' };

/** Converts a leaf {@link JsonNode}; returns `undefined` for objects and arrays. */
export function eventValueOf(node: JsonNode): EventValue | undefined {
  switch (node.kind) {
    case 'string':
      return { kind: 'string', value: node.value };
    case 'number': {
      const comparable = toComparableNumber(node.text);
      return { kind: 'number', text: node.text, comparable: comparable.ok ? comparable.value : undefined };
    }
    case 'literal':
      return { kind: 'literal', text: node.text };
    default:
      return undefined;
  }
}
