import { caseInsensitivePattern } from './case-insensitive';
import { toComparableNumber } from './comparable-number';
import { invalidPattern } from './invalid-event-pattern-error';
import { InvalidCidrError, parseCidr } from './ip-address';
import type { JsonNode, JsonObjectNode } from './json-node';
import type { NumericBound, ValueMatcher } from './value-matcher';
import { InvalidWildcardError, parseWildcard, type WildcardPattern } from './wildcard';

/**
 * What a `{operator: operand}` alternative compiles to: a value matcher, or the absence marker for
 * `{"exists": false}`.
 */
export type MatchExpression = ValueMatcher | { readonly type: 'absent' };

/**
 * Compiles one operator object of a pattern leaf, e.g. `{"prefix": "us-"}`, with EventBridge's validation
 * rules and error reasons (aws/event-ruler `JsonRuleCompiler.processMatchExpression`). Operator names are
 * case-sensitive.
 *
 * @throws {@link InvalidEventPatternError} for anything EventBridge rejects.
 */
export function compileMatchExpression(expression: JsonObjectNode): MatchExpression {
  const [first, ...rest] = expression.members;
  if (!first) throw invalidPattern('Match expression name not found');
  const [operator, operand] = first;
  const onlyOneKey = (): void => {
    if (rest.length > 0) throw invalidPattern('Only one key allowed in match expression');
  };
  // Jackson reports a second key through the numeric-expression helper for these two operators.
  const noMoreElements = (): void => {
    if (rest.length > 0) throw invalidPattern('Too many elements in numeric expression');
  };

  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (operand.kind === 'object') {
        const matcher = compileAffixIgnoringCase(operator, operand);
        onlyOneKey();
        return matcher;
      }
      if (operand.kind !== 'string') throw invalidPattern(`${operator} match pattern must be a string`);
      onlyOneKey();
      return { type: operator, value: operand.value };
    }
    case 'equals-ignore-case': {
      if (operand.kind !== 'string') throw invalidPattern('equals-ignore-case match pattern must be a string');
      onlyOneKey();
      return { type: 'equals-ignore-case', pattern: caseInsensitivePattern(operand.value) };
    }
    case 'wildcard': {
      if (operand.kind !== 'string') throw invalidPattern('wildcard match pattern must be a string');
      const pattern = wildcard(operand.value);
      onlyOneKey();
      return { type: 'wildcard', pattern };
    }
    case 'numeric': {
      if (operand.kind !== 'array') throw invalidPattern('Value of numeric must be an array.');
      const matcher = compileNumeric(operand.items);
      noMoreElements();
      return matcher;
    }
    case 'anything-but': {
      const matcher = compileAnythingBut(operand);
      noMoreElements();
      return matcher;
    }
    case 'exists': {
      if (operand.kind !== 'literal' || operand.text === 'null') {
        throw invalidPattern('exists match pattern must be either true or false.');
      }
      onlyOneKey();
      return operand.text === 'true' ? { type: 'exists' } : { type: 'absent' };
    }
    case 'cidr': {
      // EventBridge really does say "prefix" here.
      if (operand.kind !== 'string') throw invalidPattern('prefix match pattern must be a string');
      const range = cidr(operand.value);
      onlyOneKey();
      return { type: 'cidr', text: operand.value, range };
    }
    default:
      throw invalidPattern(`Unrecognized match type ${operator}`);
  }
}

/** `{"prefix": {"equals-ignore-case": "…"}}` and the suffix form. */
function compileAffixIgnoringCase(operator: 'prefix' | 'suffix', operand: JsonObjectNode): ValueMatcher {
  const label = operator === 'prefix' ? 'Prefix' : 'Suffix';
  const [inner, ...rest] = operand.members;
  if (!inner) throw invalidPattern(`${label} expression name not found`);
  const [innerOperator, value] = inner;
  if (innerOperator !== 'equals-ignore-case') throw invalidPattern(`Unsupported ${operator} pattern: ${innerOperator}`);
  if (value.kind !== 'string') throw invalidPattern('equals-ignore-case match pattern must be a string');
  if (rest.length > 0) throw invalidPattern('Only one key allowed in match expression');
  const pattern = caseInsensitivePattern(value.value);
  return operator === 'prefix' ? { type: 'prefix-ignore-case', pattern } : { type: 'suffix-ignore-case', pattern };
}

type AnythingButKind = 'values' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';

/** `anything-but` with a value, a list, or one of the nested operators. */
function compileAnythingBut(operand: JsonNode): ValueMatcher {
  let kind: AnythingButKind = 'values';
  let values = operand;
  let innerHasMoreKeys = false;
  if (operand.kind === 'object') {
    const [inner, ...rest] = operand.members;
    if (!inner) throw invalidPattern('Anything-But expression name not found');
    const [innerOperator, innerValue] = inner;
    if (innerOperator !== 'equals-ignore-case' && innerOperator !== 'prefix' && innerOperator !== 'suffix' && innerOperator !== 'wildcard') {
      throw invalidPattern(`Unsupported anything-but pattern: ${innerOperator}`);
    }
    kind = innerOperator;
    values = innerValue;
    innerHasMoreKeys = rest.length > 0;
  }
  if (values.kind !== 'array' && values.kind !== 'string' && values.kind !== 'number') {
    throw invalidPattern('Value of anything-but must be an array or single string/number value.');
  }
  const matcher = kind === 'values' ? compileAnythingButValues(values) : compileAnythingButOperator(kind, values);
  if (innerHasMoreKeys) throw invalidPattern('Too many elements in numeric expression');
  return matcher;
}

/** `{"anything-but": "x"}`, `{"anything-but": 5}` and lists of only strings or only numbers. */
function compileAnythingButValues(values: JsonNode): ValueMatcher {
  const items = values.kind === 'array' ? values.items : [values];
  const strings = new Set<string>();
  const numbers = new Set<bigint>();
  for (const item of items) {
    if (item.kind === 'string') strings.add(item.value);
    else if (item.kind === 'number') numbers.add(comparable(item.text));
    else throw invalidPattern('Inside anything but list, start|null|boolean is not supported.');
  }
  if (strings.size > 0 === numbers.size > 0) {
    throw invalidPattern('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return strings.size > 0 ? { type: 'anything-but-strings', values: strings } : { type: 'anything-but-numbers', values: numbers };
}

/** `anything-but` combined with equals-ignore-case, prefix, suffix or wildcard; each takes strings only. */
function compileAnythingButOperator(kind: Exclude<AnythingButKind, 'values'>, values: JsonNode): ValueMatcher {
  const items = values.kind === 'array' ? values.items : [values];
  const texts = items.map((item) => {
    if (item.kind !== 'string') {
      if (kind === 'equals-ignore-case') {
        throw invalidPattern('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      }
      throw invalidPattern(kind === 'wildcard' ? 'wildcard match pattern must be a string' : 'prefix/suffix match pattern must be a string');
    }
    if ((kind === 'prefix' || kind === 'suffix') && item.value === '') throw invalidPattern('Null prefix/suffix not allowed');
    return item.value;
  });
  switch (kind) {
    case 'equals-ignore-case':
      return { type: 'anything-but-ignore-case', patterns: texts.map(caseInsensitivePattern) };
    case 'prefix':
      return { type: 'anything-but-prefix', values: texts };
    case 'suffix':
      return { type: 'anything-but-suffix', values: texts };
    case 'wildcard':
      return { type: 'anything-but-wildcard', patterns: texts.map(wildcard) };
  }
}

/**
 * `numeric`: `["=", n]`, `["<" | "<=", n]`, or `[">" | ">=", n]` optionally followed by `"<" | "<=", m` with
 * `n < m`. Every operand must lie in EventBridge's numeric window.
 */
function compileNumeric(items: readonly JsonNode[]): ValueMatcher {
  const [operatorNode, valueNode, ...rest] = items;
  if (operatorNode?.kind !== 'string') throw invalidPattern(`Invalid member in numeric match: ${describe(operatorNode, ']')}`);
  const operator = operatorNode.value;
  const operand = (node: JsonNode | undefined, name: string): bigint => {
    if (node?.kind !== 'number') throw invalidPattern(`Value of ${name} must be numeric`);
    return comparable(node.text);
  };
  switch (operator) {
    case '=': {
      const value = operand(valueNode, 'equals');
      if (rest.length > 0) throw invalidPattern('Too many elements in numeric expression');
      return { type: 'numeric', lower: { value, inclusive: true }, upper: { value, inclusive: true } };
    }
    case '<':
    case '<=': {
      const upper: NumericBound = { value: operand(valueNode, operator), inclusive: operator === '<=' };
      if (rest.length > 0) throw invalidPattern('Too many elements in numeric expression');
      return { type: 'numeric', upper };
    }
    case '>':
    case '>=': {
      const lower: NumericBound = { value: operand(valueNode, operator), inclusive: operator === '>=' };
      const [topOperatorNode, topValueNode, ...extra] = rest;
      if (topOperatorNode === undefined) return { type: 'numeric', lower };
      if (topOperatorNode.kind !== 'string') throw invalidPattern(`Bad value in numeric range: ${describe(topOperatorNode, ']')}`);
      const topOperator = topOperatorNode.value;
      if (topOperator !== '<' && topOperator !== '<=') throw invalidPattern(`Bad numeric range operator: ${topOperator}`);
      const upper: NumericBound = { value: operand(topValueNode, topOperator), inclusive: topOperator === '<=' };
      if (extra.length > 0) throw invalidPattern('Too many terms in numeric range expression');
      if (lower.value >= upper.value) throw invalidPattern('Bottom must be less than top');
      return { type: 'numeric', lower, upper };
    }
    default:
      throw invalidPattern(`Unrecognized numeric range operator: ${operator}`);
  }
}

function comparable(text: string): bigint {
  const result = toComparableNumber(text);
  if (!result.ok) throw invalidPattern(result.message);
  return result.value;
}

function wildcard(text: string): WildcardPattern {
  try {
    return parseWildcard(text);
  } catch (error) {
    if (error instanceof InvalidWildcardError) throw invalidPattern(error.message);
    throw error;
  }
}

function cidr(text: string): ReturnType<typeof parseCidr> {
  try {
    return parseCidr(text);
  } catch (error) {
    if (error instanceof InvalidCidrError) throw invalidPattern(error.message);
    throw error;
  }
}

/** Jackson-style text of a token for error messages. */
function describe(node: JsonNode | undefined, whenMissing: string): string {
  if (node === undefined) return whenMissing;
  switch (node.kind) {
    case 'string':
      return node.value;
    case 'number':
    case 'literal':
      return node.text;
    case 'array':
      return '[';
    case 'object':
      return '{';
  }
}
