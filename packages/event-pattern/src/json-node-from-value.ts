import type { JsonNode } from './json-node';

/**
 * Converts an already-parsed JS value into a {@link JsonNode}, with the same rules `JSON.stringify` uses, so that
 * an object and its serialised form are matched identically: `toJSON()` is honoured, `undefined`, functions and
 * symbols are dropped from objects (and become `null` in arrays), and non-finite numbers become `null`.
 * A `bigint` becomes a number with its exact digits, which is the one way to pass an integer beyond 2^53 without
 * a raw JSON string.
 *
 * Numbers are written with `String(n)`, so `300.0` parsed by `JSON.parse` is seen as `300`. EventBridge compares
 * numbers in its numeric range by value anyway; pass raw JSON text when the exact digits matter.
 *
 * @throws TypeError on a circular structure, like `JSON.stringify`.
 */
export function jsonNodeFromValue(value: unknown): JsonNode {
  const node = convert(value, '', new Set());
  // A top-level value JSON.stringify would omit has no JSON form at all; treat it as null.
  return node ?? { kind: 'literal', text: 'null' };
}

function convert(input: unknown, key: string, ancestors: Set<object>): JsonNode | undefined {
  let value = input;
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  // Boxed primitives serialise as their primitive value.
  if (value instanceof Number) value = value.valueOf();
  else if (value instanceof String) value = value.valueOf();
  else if (value instanceof Boolean) value = value.valueOf();

  switch (typeof value) {
    case 'string':
      return { kind: 'string', value };
    case 'number':
      return Number.isFinite(value) ? { kind: 'number', text: String(value) } : { kind: 'literal', text: 'null' };
    case 'bigint':
      return { kind: 'number', text: value.toString() };
    case 'boolean':
      return { kind: 'literal', text: value ? 'true' : 'false' };
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return { kind: 'literal', text: 'null' };

  const object = value as object;
  if (ancestors.has(object)) throw new TypeError('Converting circular structure to JSON');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return {
        kind: 'array',
        items: object.map((item: unknown, index) => convert(item, String(index), ancestors) ?? { kind: 'literal', text: 'null' }),
      };
    }
    const members: Array<readonly [string, JsonNode]> = [];
    for (const [memberKey, memberValue] of Object.entries(object)) {
      const node = convert(memberValue, memberKey, ancestors);
      if (node !== undefined) members.push([memberKey, node]);
    }
    return { kind: 'object', members };
  } finally {
    ancestors.delete(object);
  }
}
