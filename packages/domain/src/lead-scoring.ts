import './zod-locale';
import * as z from 'zod/mini';
import type { Lead } from './lead';
import { givenCountry } from './organisation-country';

/**
 * A fact of a lead that scoring rules and routes read: contact facts, where it came from, how often
 * the person came back, and any form answer as `answers.<name>`.
 */
export const leadFactNames = ['title', 'company', 'country', 'region', 'emailDomain', 'emailLocalPart', 'message', 'channel', 'sourceKind', 'formId', 'touches'] as const;
const factNameSchema = z.union([z.enum(leadFactNames), z.string().check(z.regex(/^answers\.[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a lead fact or "answers.<field name>"'))]);

/**
 * When a rule applies; values compare case-insensitively, and `contains` looks for a word or phrase inside, as a whole
 * word (`cto` is in "CTO & co-founder", not in "Director"), except in scripts written without spaces (总监 in 销售总监).
 */
export const scoringConditionSchema = z.union([
  z.strictObject({ fact: factNameSchema, in: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) }),
  z.strictObject({ fact: factNameSchema, contains: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) }),
  z.strictObject({ fact: factNameSchema, present: z.literal(true) }),
  z.strictObject({ fact: z.literal('touches'), atLeast: z.number().check(z.int(), z.positive()) }),
]);
export type ScoringCondition = z.infer<typeof scoringConditionSchema>;

export const scoringCategorySchema = z.enum(['fit', 'intent', 'engagement', 'disqualifier']);

/** The ids of the contributions a score makes itself (the channel's prior, the 0..100 bounds), which no rule may take. */
const reservedContributionIds = ['channel-prior', 'score-bounds'];

export const scoringRuleSchema = z
  .strictObject({
    id: z.string().check(
      z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, "-" or "_"'),
      z.refine((id) => !reservedContributionIds.includes(id), { message: `must not be ${reservedContributionIds.map((id) => `"${id}"`).join(' or ')}: scores name those contributions themselves` }),
    ),
    category: scoringCategorySchema,
    /** Points added when the rule applies; disqualifiers take points away (negative). */
    points: z.number().check(z.int(), z.minimum(-100), z.maximum(100)),
    /** Why the points are given, as a person would say it ("decision-maker title"). */
    reason: z.string().check(z.trim(), z.minLength(1)),
    when: scoringConditionSchema,
  })
  .check(
    z.refine((rule) => (rule.category === 'disqualifier') === rule.points < 0, {
      message: 'disqualifiers take points away (negative points); other rules add them',
      path: ['points'],
    }),
  );

export const gradeSchema = z.enum(['A', 'B', 'C', 'D']);
export const temperatureSchema = z.enum(['hot', 'warm', 'cold']);
export type Grade = z.infer<typeof gradeSchema>;
export type Temperature = z.infer<typeof temperatureSchema>;

const thresholdSchema = z.number().check(z.int(), z.minimum(0), z.maximum(100));

export const scoringConfigurationSchema = z
  .strictObject({
    /** Points every lead of a channel starts with (channel id → 0..100); channels not listed start at 0. */
    channelPriors: z._default(z.record(z.string(), thresholdSchema), {}),
    rules: z._default(z.array(scoringRuleSchema), []),
    /** Lowest score of each grade; below `C` is `D`. */
    grades: z.strictObject({ A: thresholdSchema, B: thresholdSchema, C: thresholdSchema }),
    /** Lowest score of each temperature; below `warm` is `cold`. */
    temperatures: z.strictObject({ hot: thresholdSchema, warm: thresholdSchema }),
  })
  .check(
    z.superRefine((scoring, ctx) => {
      if (!(scoring.grades.A > scoring.grades.B && scoring.grades.B > scoring.grades.C)) {
        ctx.addIssue({ code: 'custom', path: ['grades'], message: 'thresholds out of order: need A > B > C' });
      }
      if (!(scoring.temperatures.hot > scoring.temperatures.warm)) {
        ctx.addIssue({ code: 'custom', path: ['temperatures'], message: 'thresholds out of order: need hot > warm' });
      }
      const seen = new Set<string>();
      scoring.rules.forEach((rule, index) => {
        if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `duplicate id "${rule.id}"` });
        seen.add(rule.id);
      });
    }),
  );
export type ScoringConfiguration = z.infer<typeof scoringConfigurationSchema>;

/** One reason a score is what it is: the rule (or the channel prior), its points and why. */
export const scoreContributionSchema = z.strictObject({
  ruleId: z.string(),
  /** A rule's category; `channel` for the channel's prior; `bounds` for what holding the score within 0..100 took off or added. */
  category: z.enum(['channel', 'bounds', ...scoringCategorySchema.options]),
  points: z.number().check(z.int()),
  reason: z.string(),
});
export type ScoreContribution = z.infer<typeof scoreContributionSchema>;

export const leadScoreSchema = z.strictObject({
  /** 0..100: the contributions' sum (one of them, `score-bounds`, holds it inside those bounds). */
  points: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
  grade: gradeSchema,
  temperature: temperatureSchema,
  contributions: z.array(scoreContributionSchema),
  scoredAt: z.iso.datetime(),
});
export type LeadScore = z.infer<typeof leadScoreSchema>;

/** The lead's facts by name, as rules and routes read them. */
export type LeadFacts = Record<string, string | number | undefined>;

/**
 * The facts of a lead. `country` is the ISO code the person gave (`uk` read as `GB`), else the country of
 * their phone number (`contact.phoneCountry`, kept when the phone was cleaned), so a lead without a country
 * field, or with one that names no country (`Canada`, `XX`), can still be placed in a territory.
 */
export function leadFacts(lead: Pick<Lead, 'contact' | 'answers' | 'channel' | 'source' | 'touches'>): LeadFacts {
  const [emailLocalPart, emailDomain] = lead.contact.email?.split('@') ?? [];
  const country = givenCountry(lead.contact.country) ?? lead.contact.phoneCountry;
  return {
    title: lead.contact.title,
    company: lead.contact.company,
    country,
    region: lead.contact.region,
    emailDomain,
    emailLocalPart,
    message: lead.contact.message,
    channel: lead.channel,
    sourceKind: lead.source.kind,
    formId: lead.source.formId,
    touches: lead.touches,
    ...Object.fromEntries(Object.entries(lead.answers).map(([name, value]) => [`answers.${name}`, value])),
  };
}

/** The facts scoring and tag rules read: the lead's, with `formId` every form the person came through. */
export type ScoringFacts = Record<string, string | number | readonly string[] | undefined>;

/** The forms a person came through: the lead's capture form, then each later post the timeline keeps (`by: form:<id>`). */
export function formsOf(lead: Pick<Lead, 'source' | 'history'>): string[] {
  const posted = lead.history.flatMap((entry) => ((entry.action === 'captured' || entry.action === 'touched') && entry.by.startsWith('form:') ? [entry.by.slice('form:'.length)] : []));
  return [...new Set([...(lead.source.formId ? [lead.source.formId] : []), ...posted])];
}

/** A lead's facts for scoring and tag rules: a rule on `formId` holds when any form the person came through matches. */
export function scoringFacts(lead: Pick<Lead, 'contact' | 'answers' | 'channel' | 'source' | 'touches' | 'history'>): ScoringFacts {
  return { ...leadFacts(lead), formId: formsOf(lead) };
}

/** Whether a condition holds for the facts (for a fact with several values, for any of them); an absent fact satisfies only nothing. */
export function conditionHolds(condition: ScoringCondition, facts: ScoringFacts): boolean {
  const value = facts[condition.fact];
  if (Array.isArray(value)) return value.some((one: string) => conditionHolds(condition, { [condition.fact]: one }));
  if (value === undefined || value === '') return false;
  if ('atLeast' in condition) return typeof value === 'number' && value >= condition.atLeast;
  if ('present' in condition) return true;
  const text = String(value).toLowerCase();
  if ('in' in condition) return condition.in.some((candidate) => candidate.toLowerCase() === text);
  return condition.contains.some((needle) => containsWords(text, needle.toLowerCase()));
}

const wordCharacter = /[\p{L}\p{N}]/u;
/** Scripts written without spaces between words, where a word cannot be told from its neighbours by them. */
const unspacedScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/**
 * Whether `needle` occurs in `text` as whole words: no letter or digit right before or after it where its own first or
 * last character is a letter or digit of a spaced script ("co-owner" holds "owner"; "Coordinator" does not hold "coo").
 */
function containsWords(text: string, needle: string): boolean {
  const characters = [...needle];
  const bounded = (edge: string | undefined) => edge !== undefined && wordCharacter.test(edge) && !unspacedScript.test(edge);
  const boundedStart = bounded(characters[0]);
  const boundedEnd = bounded(characters.at(-1));
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = [...text.slice(Math.max(0, at - 2), at)].at(-1);
    const after = [...text.slice(at + needle.length, at + needle.length + 2)][0];
    if ((!boundedStart || before === undefined || !wordCharacter.test(before)) && (!boundedEnd || after === undefined || !wordCharacter.test(after))) return true;
  }
  return false;
}

/**
 * Scores a lead: its channel's prior plus the points of every rule that applies, held within 0..100 (a
 * `score-bounds` contribution says by how much), each contribution with its reason. `channelPriors` are the configured ones unless a caller passes
 * measured ones (e.g. from a channel's qualification rate).
 *
 * @example
 * scoreLead(leadFacts(lead), config.scoring, new Date()).grade // 'B'
 */
export function scoreLead(facts: ScoringFacts, scoring: ScoringConfiguration, now: Date, channelPriors: Record<string, number> = scoring.channelPriors): LeadScore {
  const contributions: ScoreContribution[] = [];
  const channel = typeof facts.channel === 'string' ? facts.channel : undefined;
  const prior = channel === undefined ? undefined : channelPriors[channel];
  if (prior) contributions.push({ ruleId: 'channel-prior', category: 'channel', points: prior, reason: `leads from channel ${channel} start at ${prior}` });
  for (const rule of scoring.rules) {
    if (conditionHolds(rule.when, facts)) contributions.push({ ruleId: rule.id, category: rule.category, points: rule.points, reason: rule.reason });
  }
  const sum = contributions.reduce((total, contribution) => total + contribution.points, 0);
  const points = Math.max(0, Math.min(100, sum));
  // Each point with its reason: what the bounds cut is a contribution too, so the parts add up to the score.
  if (points !== sum) contributions.push({ ruleId: 'score-bounds', category: 'bounds', points: points - sum, reason: `scores are held within 0–100 (the rules add up to ${sum})` });
  return { points, grade: gradeOf(points, scoring), temperature: temperatureOf(points, scoring), contributions, scoredAt: now.toISOString() };
}

export function gradeOf(points: number, scoring: ScoringConfiguration): Grade {
  const { A, B, C } = scoring.grades;
  return points >= A ? 'A' : points >= B ? 'B' : points >= C ? 'C' : 'D';
}

export function temperatureOf(points: number, scoring: ScoringConfiguration): Temperature {
  return points >= scoring.temperatures.hot ? 'hot' : points >= scoring.temperatures.warm ? 'warm' : 'cold';
}
