/** A literal value in a pattern leaf: matches an equal string, number, boolean or `null`. */
export type EventPatternScalar = string | number | boolean | null;

/** `{"equals-ignore-case": "…"}` as the operand of `prefix`, `suffix` or `anything-but`. */
export interface EqualsIgnoreCaseOperand {
  readonly 'equals-ignore-case': string;
}

/** What `anything-but` accepts: values, or one nested operator with a string or list of strings. */
export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly prefix: string | readonly string[] }
  | { readonly suffix: string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

/** The content-filtering operators of EventBridge event patterns. */
export type EventPatternOperator =
  | { readonly prefix: string | EqualsIgnoreCaseOperand }
  | { readonly suffix: string | EqualsIgnoreCaseOperand }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: ReadonlyArray<string | number> }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** A pattern leaf: the field matches if any of the alternatives does. */
export type EventPatternLeaf = ReadonlyArray<EventPatternScalar | EventPatternOperator>;

/**
 * An EventBridge event pattern in parsed form. Nested objects follow the event's structure, leaves are arrays of
 * alternatives, and `$or` holds an array of at least two sub-patterns. The type is a guide only: whatever is
 * passed is validated at run time exactly like the JSON text would be.
 */
export interface EventPattern {
  readonly [field: string]: EventPatternLeaf | EventPattern | readonly EventPattern[];
}

/**
 * What the matching functions accept as a pattern: its JSON text, or a parsed object. {@link EventPattern}
 * documents the shape; any object is accepted because patterns usually come from configuration typed loosely,
 * and every pattern is validated at run time anyway.
 */
export type EventPatternInput = EventPattern | Readonly<Record<string, unknown>> | string;
