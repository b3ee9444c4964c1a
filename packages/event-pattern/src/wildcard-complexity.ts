import type { WildcardPattern } from './wildcard';

/**
 * The highest wildcard complexity a field may have. EventBridge rejects a pattern whose wildcards on one field
 * could keep too many partial matches alive at once ("Rule is too complex - try using fewer wildcard characters or
 * fewer repeating character sequences after a wildcard character"). AWS does not publish the threshold; 10 keeps
 * the documented examples valid and rejects runs such as `*:*:*:*:*:*`.
 */
export const MAX_WILDCARD_COMPLEXITY = 10;

/** Token of a wildcard pattern as a byte-machine would see it: a literal character or the wildcard. */
type Token = string | typeof STAR;
const STAR = Symbol('wildcard');

/**
 * Estimates the complexity EventBridge's matcher (aws/event-ruler `MachineComplexityEvaluator`) assigns to the
 * wildcard patterns of one field: the largest number of pattern positions an input value can keep active at
 * the same time, counted over every pattern (non-deterministic automaton simulation, all inputs explored through
 * one representative character per class). Exploration stops as soon as `limit` is exceeded.
 *
 * This is a model of the Java automaton, not a copy, so values near the threshold can differ from AWS.
 */
export function wildcardComplexity(patterns: readonly WildcardPattern[], limit = MAX_WILDCARD_COMPLEXITY): number {
  if (patterns.length === 0) return 0;
  const machines = patterns.map(tokenize);
  const alphabet = new Set<string>(['\u0000']); // stands for "any character no pattern mentions"
  for (const tokens of machines) for (const token of tokens) if (token !== STAR) alphabet.add(token);

  const start = machines.map((tokens) => closure(tokens, [0]));
  const key = (state: number[][]): string => state.map((positions) => positions.join(',')).join('|');
  const seen = new Set<string>([key(start)]);
  const pending: number[][][] = [start];
  let maximum = 0;
  while (pending.length > 0) {
    const state = pending.pop() as number[][];
    for (const char of alphabet) {
      const next = state.map((positions, i) => step(machines[i] ?? [], positions, char));
      const size = next.reduce((sum, positions) => sum + positions.length, 0);
      if (size === 0) continue;
      maximum = Math.max(maximum, size);
      if (maximum > limit) return maximum;
      const nextKey = key(next);
      if (!seen.has(nextKey)) {
        seen.add(nextKey);
        pending.push(next);
      }
    }
  }
  return maximum;
}

/** The value is matched with its JSON quotes, which are part of the automaton. */
function tokenize(pattern: WildcardPattern): Token[] {
  const tokens: Token[] = ['"'];
  pattern.segments.forEach((segment, i) => {
    if (i > 0) tokens.push(STAR);
    tokens.push(...Array.from(segment));
  });
  tokens.push('"');
  return tokens;
}

/** Adds the positions reachable by letting wildcards match nothing; sorted, without duplicates. */
function closure(tokens: readonly Token[], positions: Iterable<number>): number[] {
  const result = new Set<number>(positions);
  for (const position of [...result].sort((a, b) => a - b)) {
    let p = position;
    while (tokens[p] === STAR) result.add(++p);
  }
  return [...result].sort((a, b) => a - b);
}

/** Positions after consuming one character. Position p means "the first p tokens are matched". */
function step(tokens: readonly Token[], positions: readonly number[], char: string): number[] {
  const next: number[] = [];
  for (const p of positions) {
    const token = tokens[p];
    if (token === STAR || token === char) next.push(p + 1);
    // Just after a wildcard, any character can be absorbed by it.
    if (p > 0 && tokens[p - 1] === STAR) next.push(p);
  }
  return closure(tokens, next);
}
