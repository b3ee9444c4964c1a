import './zod-locale';
import * as z from 'zod/mini';
import { sourceKindSchema } from './lead';
import { gradeSchema, temperatureSchema } from './lead-scoring';
import { leadEventSource } from './lead-events';
import { assignmentStrategySchema } from './assignment-strategy';
import { routeOfferSchema } from './lead-offer-schemas';
import { configuredCountrySchema } from './organisation-country';

const valuesSchema = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));

/** What a route takes; every listed condition must hold (a list means any of its values). */
export const routeMatchSchema = z.strictObject({
  grades: z.optional(z.array(gradeSchema).check(z.minLength(1))),
  temperatures: z.optional(z.array(temperatureSchema).check(z.minLength(1))),
  countries: z.optional(z.array(configuredCountrySchema).check(z.minLength(1))),
  /** Compared ignoring case (EventBridge's `equals-ignore-case`): a region is whatever the person typed. */
  regions: z.optional(valuesSchema),
  sourceKinds: z.optional(z.array(sourceKindSchema).check(z.minLength(1))),
  channels: z.optional(valuesSchema),
  forms: z.optional(valuesSchema),
  /** Form answers by field name, e.g. `{"product_interest": ["Fleet"]}`; compared exactly. */
  answers: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a form field name')), valuesSchema)),
});
export type RouteMatch = z.infer<typeof routeMatchSchema>;

export const routeSchema = z.strictObject({
  /** Short, so that `lead-route-<id>` stays within EventBridge's 64-character rule names. */
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'must be lower-case letters, digits or "-", at most 41 characters')),
  name: z.string().check(z.trim(), z.minLength(1)),
  /** Omitted on the default route, which takes whatever no route above it took. */
  match: z.optional(routeMatchSchema),
  strategy: assignmentStrategySchema,
  /** Only with strategy `offer`: to whom, for how long, and the fallback. */
  offer: z.optional(routeOfferSchema),
  /** The pool the lead goes to; omitted, the lead's own pool (from its form or platform form). */
  poolId: z.optional(z.string().check(z.minLength(1))),
  /** For `nurture`: the sequence the route's leads with marketing-email consent enter. */
  sequenceId: z.optional(z.string().check(z.minLength(1))),
});
export type Route = z.infer<typeof routeSchema>;

/** EventBridge refuses a rule whose `$or` makes more than this many combinations. */
const maxPatternBranches = 1000;
/** EventBridge's quota on the characters of a rule's pattern, unless the account has had it raised (to at most 4096). */
export const defaultMaxEventPatternCharacters = 2048;

export const routingSchema = z.strictObject({
  /** In order: a lead takes the first route that matches it; the last route is the default. */
  routes: z.array(routeSchema).check(z.minLength(1)),
  /**
   * How many items each route's turn counter is split over (default 1). One DynamoDB item takes at most about
   * 1,000 writes a second; a route taking more leads than that needs peak leads per second ÷ 500 of them.
   */
  turnShards: z.optional(z.number().check(z.int(), z.gte(1), z.lte(64))),
  /** The account's quota on a rule pattern's characters: 2048 unless raised through Service Quotas. */
  maxEventPatternCharacters: z.optional(z.number().check(z.int(), z.gte(defaultMaxEventPatternCharacters), z.lte(4096))),
});
export type Routing = z.infer<typeof routingSchema>;

/** The `lead.scored` detail fields each route condition reads. */
const conditionFields = {
  grades: 'grade',
  temperatures: 'temperature',
  countries: 'country',
  regions: 'region',
  sourceKinds: 'sourceKind',
  channels: 'channel',
  forms: 'formId',
} as const satisfies Record<Exclude<keyof RouteMatch, 'answers'>, string>;

/** Fields every `lead.scored` carries; the others may be absent, and "not X" must then match too. */
const alwaysPresentFields = new Set(['grade', 'temperature', 'sourceKind', 'channel']);

/** Fields compared ignoring case: the person types their region (`ontario`), the configuration spells it (`Ontario`). */
const caseInsensitiveFields = new Set(['region']);

/**
 * Whether `value` is `configured` ignoring case, exactly as EventBridge's `equals-ignore-case` decides it: each
 * character of `configured` matches its lower-case or its upper-case form (locale-independent), so `Ontario`
 * takes `ontario` and `ONTARIO`, and `Straße` takes `STRASSE`. Routes and the territory strategy both
 * compare regions so, so a lead a route takes for a region is one its reps cover.
 */
export function regionMatches(configured: string, value: string): boolean {
  // Forms can differ in length (`ß` → `SS`), so follow every offset a prefix of `value` can have matched up to.
  let ends = new Set([0]);
  for (const char of configured) {
    const next = new Set<number>();
    for (const start of ends) for (const form of new Set([char.toLowerCase(), char.toUpperCase()])) if (value.startsWith(form, start)) next.add(start + form.length);
    ends = next;
  }
  return ends.has(value.length);
}

/** What decides which values a configured value takes ignoring case: the forms of each of its characters. */
function caseBlindKey(value: string): string {
  return JSON.stringify(Array.from(value, (char) => [char.toLowerCase(), char.toUpperCase()]));
}

/** One condition: the detail field (dotted for answers) and the values it must take. */
interface RouteCondition {
  field: string;
  values: readonly string[];
}

export function routeConditions(match: RouteMatch | undefined): RouteCondition[] {
  if (!match) return [];
  const conditions: RouteCondition[] = [];
  for (const [key, field] of Object.entries(conditionFields)) {
    const values = match[key as keyof typeof conditionFields];
    if (values) conditions.push({ field, values });
  }
  for (const [name, values] of Object.entries(match.answers ?? {})) conditions.push({ field: `answers.${name}`, values });
  return conditions;
}

/** Answer names that some route reads; `lead.scored` carries these answers so rules can match them. */
export function routedAnswerNames(routing: Routing): string[] {
  return [...new Set(routing.routes.flatMap((route) => Object.keys(route.match?.answers ?? {})))].sort();
}

/** A field's values by what tells them apart: the value itself, or for a field compared ignoring case its `caseBlindKey`. */
type Values = Map<string, string>;

/** A conjunction of field constraints: one branch of a compiled route. */
type Term = Map<string, { in?: Values; notIn: Values }>;

function identityOf(field: string, value: string): string {
  return caseInsensitiveFields.has(field) ? caseBlindKey(value) : value;
}

function valuesOf(field: string, values: readonly string[]): Values {
  return new Map([...values].reverse().map((value) => [identityOf(field, value), value]));
}

export interface CompiledRoute {
  route: Route;
  /** The EventBridge rule's name. */
  ruleName: string;
  /** An EventBridge event pattern that matches exactly the leads this route takes and no earlier route does. */
  pattern: Record<string, unknown>;
}

/**
 * Compiles the routing table into EventBridge patterns that are mutually exclusive in table order:
 * EventBridge fires every rule that matches, so route N's pattern is "route N's conditions and none of
 * the routes above", written with `anything-but` (plus `exists: false` for facts a lead may lack) and
 * `$or` over the ways a lead can miss each earlier route. Only new, unowned, real leads are routed.
 * The ways multiply with the conditions of the routes above, so a long table of routes with many
 * conditions can outgrow what EventBridge takes in one rule; that is refused here, not at deployment.
 *
 * @throws Error naming the route when earlier routes already take every lead it would match, or when its
 * pattern would pass EventBridge's limits (`$or` combinations, `maxEventPatternCharacters`).
 */
export function compileRoutingTable(routing: Routing): CompiledRoute[] {
  const maxCharacters = routing.maxEventPatternCharacters ?? defaultMaxEventPatternCharacters;
  return routing.routes.map((route, index) => {
    const refusal = (reason: string) => new Error(`routing.routes[${index}] ("${route.id}") ${reason}`);
    const tooBig = 'fewer conditions on the routes above it, fewer routes above it, or (for the characters) a raised quota in routing.maxEventPatternCharacters';
    const overlap = caseBlindOverlap(route, routing.routes.slice(0, index));
    if (overlap)
      throw refusal(
        `names ${overlap.field} "${overlap.value}", which takes some of the values that "${overlap.other}" of route "${overlap.routeId}" above it takes, ignoring case, but not all: one rule cannot take one without the other, so both rules would fire for a lead; spell the two alike`,
      );
    let terms: Term[] = [termOf(routeConditions(route.match))];
    for (const earlier of routing.routes.slice(0, index)) {
      terms = excluding(terms, routeConditions(earlier.match));
      if (terms.length > maxPatternBranches) throw refusal(`cannot be an EventBridge rule: missing every route above it takes more than ${maxPatternBranches} $or branches, EventBridge's limit; give it ${tooBig}`);
    }
    if (terms.length === 0) throw refusal('never matches: the routes above it take every lead it would');
    const branches = terms.map(detailPatternOf);
    const pattern = {
      source: [leadEventSource],
      'detail-type': ['lead.scored'],
      detail: { status: ['new'], isTest: [false], owned: [false], ...(branches.length === 1 ? branches[0] : { $or: branches }) },
    };
    const characters = JSON.stringify(pattern).length;
    if (characters > maxCharacters) throw refusal(`cannot be an EventBridge rule: its pattern would be ${characters} characters, over the ${maxCharacters} allowed; give it ${tooBig}`);
    return { route, ruleName: `lead-route-${route.id}`, pattern };
  });
}

/**
 * A value of `route` compared ignoring case that shares some values with one of an earlier route without
 * taking the same ones (`Gießen` takes `GIESSEN`, which `GIESSEN` takes, but not `giessen`): the compiler
 * tells values apart by `caseBlindKey`, and no pattern can take one such value and not the other. Found by
 * trying each value's all-upper and all-lower spelling against the other.
 */
function caseBlindOverlap(route: Route, earlier: readonly Route[]): { field: string; value: string; other: string; routeId: string } | undefined {
  for (const { field, values } of routeConditions(route.match)) {
    if (!caseInsensitiveFields.has(field)) continue;
    for (const above of earlier)
      for (const condition of routeConditions(above.match))
        if (condition.field === field)
          for (const value of values)
            for (const other of condition.values)
              if (
                caseBlindKey(value) !== caseBlindKey(other) &&
                (regionMatches(value, other.toUpperCase()) || regionMatches(other, value.toUpperCase()) || regionMatches(value, other.toLowerCase()) || regionMatches(other, value.toLowerCase()))
              )
                return { field, value, other, routeId: above.id };
  }
  return undefined;
}

function termOf(conditions: readonly RouteCondition[]): Term {
  return new Map(conditions.map(({ field, values }) => [field, { in: valuesOf(field, values), notIn: new Map<string, string>() }]));
}

/** Each term, narrowed so it misses an earlier route: some condition of that route must fail. */
function excluding(terms: readonly Term[], earlier: readonly RouteCondition[]): Term[] {
  const result = new Map<string, Term>();
  for (const term of terms) {
    // A term that already misses the earlier route stays as it is.
    const alreadyMisses = earlier.some((condition) => misses(term, condition));
    const narrowed = alreadyMisses ? [term] : earlier.flatMap(({ field, values }) => narrow(term, field, values));
    for (const candidate of narrowed) result.set(termKey(candidate), candidate);
  }
  return [...result.values()];
}

function misses(term: Term, { field, values }: RouteCondition): boolean {
  const constraint = term.get(field);
  if (!constraint) return false;
  const excluded = constraint.in;
  const identities = values.map((value) => identityOf(field, value));
  return excluded ? identities.every((identity) => !excluded.has(identity)) : identities.every((identity) => constraint.notIn.has(identity));
}

function narrow(term: Term, field: string, excluded: readonly string[]): Term[] {
  const next: Term = new Map([...term].map(([name, constraint]) => [name, { in: constraint.in && new Map(constraint.in), notIn: new Map(constraint.notIn) }]));
  const constraint = next.get(field) ?? { notIn: new Map<string, string>() };
  if (constraint.in) {
    for (const value of excluded) constraint.in.delete(identityOf(field, value));
    if (constraint.in.size === 0) return [];
  } else {
    // The first spelling stands for the others: equals-ignore-case takes the same values for each.
    for (const value of excluded) if (!constraint.notIn.has(identityOf(field, value))) constraint.notIn.set(identityOf(field, value), value);
  }
  next.set(field, constraint);
  return [next];
}

function termKey(term: Term): string {
  return JSON.stringify([...term].sort(([a], [b]) => a.localeCompare(b)).map(([field, constraint]) => [field, constraint.in ? [...constraint.in.keys()].sort() : null, [...constraint.notIn.keys()].sort()]));
}

function detailPatternOf(term: Term): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  for (const [field, constraint] of [...term].sort(([a], [b]) => a.localeCompare(b))) {
    const ignoreCase = caseInsensitiveFields.has(field);
    const listed = (values: Values) => [...values.values()].sort();
    const taken = constraint.in && (ignoreCase ? listed(constraint.in).map((value) => ({ 'equals-ignore-case': value })) : listed(constraint.in));
    const matcher = taken ?? [{ 'anything-but': ignoreCase ? { 'equals-ignore-case': listed(constraint.notIn) } : listed(constraint.notIn) }, ...(alwaysPresentFields.has(field) ? [] : [{ exists: false }])];
    const [head, name] = field.split('.') as [string, string | undefined];
    if (name === undefined) pattern[head] = matcher;
    else pattern[head] = { ...(pattern[head] as Record<string, unknown> | undefined), [name]: matcher };
  }
  return pattern;
}

/** The route a lead's facts take, in table order: what the compiled rules decide on the bus, for the dry run. */
export function routeFor(routing: Routing, facts: { [field: string]: unknown; answers?: Record<string, string> }): Route {
  const answer = (name: string) => (facts.answers && Object.hasOwn(facts.answers, name) ? facts.answers[name] : undefined);
  const value = (field: string) => (field.startsWith('answers.') ? answer(field.slice('answers.'.length)) : facts[field]);
  const route = routing.routes.find((candidate) =>
    routeConditions(candidate.match).every(({ field, values }) => {
      const actual = value(field);
      // Facts routes match on are strings and numbers (country, grade, answers), never objects.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      const text = actual === undefined ? undefined : String(actual);
      return text !== undefined && (caseInsensitiveFields.has(field) ? values.some((value) => regionMatches(value, text)) : values.includes(text));
    }),
  );
  if (!route) throw new Error('The routing table has no default route');
  return route;
}
