import { compileMatchExpression } from './compile-match-expression';
import { toComparableNumber } from './comparable-number';
import { invalidPattern } from './invalid-event-pattern-error';
import { ipRangeOfAddress } from './ip-address';
import type { JsonArrayNode, JsonNode, JsonObjectNode } from './json-node';
import type { PatternBranch, PatternField } from './pattern-branch';
import type { ValueMatcher } from './value-matcher';
import { MAX_WILDCARD_COMPLEXITY, wildcardComplexity } from './wildcard-complexity';
import type { WildcardPattern } from './wildcard';

/**
 * Field names that cannot be used inside `$or`, because EventBridge reserves them for operators
 * (aws/event-ruler `Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP`).
 */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** A field while compiling: alternatives in pattern order. */
interface FieldRule {
  readonly matchers: ValueMatcher[];
  readonly matchesAbsence: boolean;
}

/** Branches under construction; each maps a dot-joined path to its rule. */
type Branches = Array<Map<string, FieldRule>>;

/** The EventBridge user guide: a rule whose `$or` results in more than 1000 combinations is refused. */
const maxCombinations = 1000;

/**
 * Validates a pattern and compiles it into its `$or` branches, following EventBridge's rule compiler
 * (aws/event-ruler `JsonRuleCompiler`) member by member, in document order:
 * - the pattern and every nested value must be a non-empty object, and every leaf a non-empty array;
 * - keys are joined with `.` into paths; when a path is given twice the later one replaces the earlier one in
 *   every branch it reaches (this is how the AWS docs describe duplicate keys);
 * - `$or` takes an array of at least two objects; each object forks the branches built so far, and later
 *   members of the enclosing object are added to every fork.
 *
 * @throws {@link InvalidEventPatternError} for anything EventBridge rejects.
 */
export function compilePatternNode(pattern: JsonNode): PatternBranch[] {
  if (pattern.kind !== 'object') throw invalidPattern('Filter is not an object');
  const branches: Branches = [];
  compileObject(branches, [], pattern, false);
  checkWildcardComplexity(branches);
  return branches.map((branch) => [...branch.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, rule]): PatternField => ({ path, matchers: rule.matchers, matchesAbsence: rule.matchesAbsence })));
}

function compileObject(branches: Branches, path: readonly string[], node: JsonObjectNode, insideOr: boolean): void {
  if (node.members.length === 0) throw invalidPattern('Empty objects are not allowed');
  for (const [key, value] of node.members) {
    if (key === '$or') {
      compileOr(branches, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw invalidPattern(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    }
    if (value.kind === 'object') compileObject(branches, [...path, key], value, insideOr);
    else if (value.kind === 'array') addField(branches, [...path, key].join('.'), value);
    else throw invalidPattern(`"${key}" must be an object or an array`);
  }
}

function compileOr(branches: Branches, path: readonly string[], value: JsonNode): void {
  // Every alternative starts from the branches that existed before the `$or` and adds its own fields.
  const before = branches.map((branch) => new Map(branch));
  branches.length = 0;
  if (value.kind !== 'array') throw invalidPattern('It must be an Array followed with $or.');
  for (const alternative of value.items) {
    if (alternative.kind !== 'object') throw invalidPattern('Only JSON object is allowed in array of $or relationship.');
    const forked = before.length > 0 ? before.map((branch) => new Map(branch)) : [new Map<string, FieldRule>()];
    compileObject(forked, path, alternative, true);
    branches.push(...forked);
    // Checked as the branches grow: nested `$or`s multiply, and building them all first could take minutes.
    if (branches.length > maxCombinations) throw invalidPattern(`The $or in the pattern results in more than ${maxCombinations} rule combinations.`);
  }
  if (value.items.length < 2) throw invalidPattern('There must have at least 2 Objects in $or relationship.');
}

function addField(branches: Branches, path: string, leaf: JsonArrayNode): void {
  const matchers: ValueMatcher[] = [];
  let matchesAbsence = false;
  for (const item of leaf.items) {
    const compiled = compileLeafValue(item);
    if (compiled.type === 'absent') matchesAbsence = true;
    else matchers.push(compiled);
  }
  if (leaf.items.length === 0) throw invalidPattern('Empty arrays are not allowed');
  if (branches.length === 0) branches.push(new Map());
  const rule: FieldRule = { matchers, matchesAbsence };
  for (const branch of branches) branch.set(path, rule);
}

function compileLeafValue(item: JsonNode): ValueMatcher | { readonly type: 'absent' } {
  switch (item.kind) {
    case 'object':
      return compileMatchExpression(item);
    case 'string': {
      // EventBridge turns an IP literal into an address comparison, so equivalent spellings match.
      const range = ipRangeOfAddress(item.value);
      return range ? { type: 'exact-ip', text: item.value, range } : { type: 'exact-string', value: item.value };
    }
    case 'number': {
      // Numbers outside the numeric window (an account id, say) can still match by their exact text.
      const comparable = toComparableNumber(item.text);
      return { type: 'exact-number', text: item.text, comparable: comparable.ok ? comparable.value : undefined };
    }
    case 'literal':
      return { type: 'exact-literal', text: item.text };
    case 'array':
      throw invalidPattern('Match value must be String, number, true, false, or null');
  }
}

/** Groups wildcard operands by field across branches (EventBridge builds one matcher per field) and checks them. */
function checkWildcardComplexity(branches: Branches): void {
  const byPath = new Map<string, Map<string, WildcardPattern>>();
  for (const branch of branches) {
    for (const [path, rule] of branch) {
      for (const matcher of rule.matchers) {
        const patterns = matcher.type === 'wildcard' ? [matcher.pattern] : matcher.type === 'anything-but-wildcard' ? matcher.patterns : [];
        for (const pattern of patterns) {
          const forPath = byPath.get(path) ?? new Map<string, WildcardPattern>();
          forPath.set(pattern.text, pattern);
          byPath.set(path, forPath);
        }
      }
    }
  }
  for (const patterns of byPath.values()) {
    if (wildcardComplexity([...patterns.values()]) > MAX_WILDCARD_COMPLEXITY) {
      throw invalidPattern('Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character');
    }
  }
}
