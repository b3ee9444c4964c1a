/**
 * A JSON value as EventBridge sees it on the wire. It is kept apart from plain JS values for two reasons:
 * an object keeps every member in document order, duplicate keys included (EventBridge's Jackson-based parser
 * reads them one after another and the last one wins), and a number keeps its exact source text, because
 * exact matching of numbers that EventBridge cannot compare numerically falls back to that text.
 */
export type JsonNode = JsonObjectNode | JsonArrayNode | JsonStringNode | JsonNumberNode | JsonLiteralNode;

/** A JSON object; `members` is in document order and may repeat a key. */
export interface JsonObjectNode {
  readonly kind: 'object';
  readonly members: ReadonlyArray<readonly [key: string, value: JsonNode]>;
}

/** A JSON array. */
export interface JsonArrayNode {
  readonly kind: 'array';
  readonly items: readonly JsonNode[];
}

/** A JSON string, already unescaped. */
export interface JsonStringNode {
  readonly kind: 'string';
  readonly value: string;
}

/** A JSON number; `text` is the number exactly as written, e.g. `300.0` or `3.018e2`. */
export interface JsonNumberNode {
  readonly kind: 'number';
  readonly text: string;
}

/** `true`, `false` or `null`, kept as their literal text. */
export interface JsonLiteralNode {
  readonly kind: 'literal';
  readonly text: 'true' | 'false' | 'null';
}
