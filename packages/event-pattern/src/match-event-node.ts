import { flattenEvent } from './flatten-event';
import type { JsonNode } from './json-node';
import { matchesBranch } from './match-branch';
import type { PatternBranch } from './pattern-branch';

/** True if a parsed event matches any of the branches; anything but a JSON object never matches. */
export function matchesEventNode(branches: readonly PatternBranch[], event: JsonNode): boolean {
  if (event.kind !== 'object') return false;
  const flattened = flattenEvent(event);
  return branches.some((branch) => matchesBranch(branch, flattened));
}
