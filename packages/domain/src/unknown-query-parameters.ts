import type { FieldIssue } from './form-submission';

/*
 * Kept apart from the query parameter schemas (`query-parameters.ts`), with no zod: every HTTP handler refuses
 * parameters its route does not take, and one that reads no schema (the embed script's) need not carry zod for it.
 */

/** The parameters of `query` a route does not take, each named, so a misspelt one (`campagin`) is refused instead of ignored. */
export function unknownQueryParameterIssues(query: Readonly<Record<string, string | undefined>>, known: readonly string[]): FieldIssue[] {
  return Object.keys(query)
    .filter((name) => !known.includes(name))
    .map((name) => ({ path: name, message: unknownQueryParameterMessage(known) }));
}

/** What a parameter a route does not take is told, naming those it does, so the fix of a misspelling is in the answer. */
export function unknownQueryParameterMessage(known: readonly string[]): string {
  return `is not a parameter of this request; it takes ${known.length ? known.join(', ') : 'none'}`;
}
