import './zod-locale';
import * as z from 'zod/mini';
import type { Principal } from './access-policy';
import type { Lead } from './lead';
import { wasErased } from './lead-erasure';
import { leadEvent, type LeadEvent } from './lead-events';
import { leadFullRefusal } from './lead-size';
import { conditionHolds, gradeSchema, scoringConditionSchema, scoringFacts, temperatureSchema, type LeadScore } from './lead-scoring';
import { changedLead, isManager, lifecycleEventFacts, type LifecyclePlan } from './lead-transition';

const tagIdSchema = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, "-" or "_", starting with a letter or digit'));

/**
 * A tag (标签) of the vocabulary: its id (what leads carry and lists filter by), the name people see, its
 * colour, and who may set or remove it by hand — the lead's `owner`, `manager`s (and admins). A tag no
 * one may set (`setBy: []`) is applied only by the tag rules.
 */
export const tagDefinitionSchema = z.strictObject({
  id: tagIdSchema,
  name: z.string().check(z.trim(), z.minLength(1)),
  colour: z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as "#d9480f"')),
  setBy: z._default(z.array(z.enum(['owner', 'manager'])), ['owner', 'manager']),
});
export type TagDefinition = z.infer<typeof tagDefinitionSchema>;

/**
 * A tag applied by rule when a lead is scored (captured or touched): every condition given must hold —
 * a lead fact (`channel`, `title`, `answers.<name>`, … as scoring rules read them), the grade, the
 * temperature. Rules only add tags; taking one off is a person's decision.
 */
export const tagRuleSchema = z
  .strictObject({
    tag: tagIdSchema,
    when: z.optional(scoringConditionSchema),
    grades: z.optional(z.array(gradeSchema).check(z.minLength(1))),
    temperatures: z.optional(z.array(temperatureSchema).check(z.minLength(1))),
  })
  .check(z.refine((rule) => rule.when || rule.grades || rule.temperatures, { message: 'a tag rule needs "when", "grades" or "temperatures"' }));

export const tagsConfigurationSchema = z.strictObject({
  vocabulary: z._default(z.array(tagDefinitionSchema), []),
  rules: z._default(z.array(tagRuleSchema), []),
});
export type TagsConfiguration = z.infer<typeof tagsConfigurationSchema>;

/** Checks the tag section: unique ids, rules naming tags of the vocabulary. */
export function checkTagReferences(tags: TagsConfiguration, ctx: z.core.$RefinementCtx): void {
  const known = new Set<string>();
  tags.vocabulary.forEach((tag, index) => {
    if (known.has(tag.id)) ctx.addIssue({ code: 'custom', path: ['tags', 'vocabulary', index, 'id'], message: `duplicate id "${tag.id}"` });
    known.add(tag.id);
  });
  tags.rules.forEach((rule, index) => {
    if (!known.has(rule.tag)) ctx.addIssue({ code: 'custom', path: ['tags', 'rules', index, 'tag'], message: `unknown tag "${rule.tag}"` });
  });
}

/** A `tag` query filter: the shape of a tag id (whether it is configured is checked with `unknownTagIssues`). */
export const tagFilterSchema = tagIdSchema;

/** The issue of a filter naming a tag the vocabulary does not have, for a 400 that names the field. */
export function unknownTagIssues(tag: string | undefined, tags: TagsConfiguration): Array<{ path: string; message: string }> {
  if (tag === undefined || tags.vocabulary.some((candidate) => candidate.id === tag)) return [];
  return [{ path: 'tag', message: `unknown tag "${tag}"; the configured tags are: ${tags.vocabulary.map((candidate) => candidate.id).join(', ') || '(none)'}` }];
}

/** The tags whose rules hold for a lead with this score, in vocabulary order. */
export function ruleTags(lead: Pick<Lead, 'contact' | 'answers' | 'channel' | 'source' | 'touches' | 'history'>, score: Pick<LeadScore, 'grade' | 'temperature'>, tags: TagsConfiguration): string[] {
  const facts = scoringFacts(lead);
  const holding = new Set(
    tags.rules
      .filter((rule) => (!rule.when || conditionHolds(rule.when, facts)) && (!rule.grades || rule.grades.includes(score.grade)) && (!rule.temperatures || rule.temperatures.includes(score.temperature)))
      .map((rule) => rule.tag),
  );
  return tags.vocabulary.filter((tag) => holding.has(tag.id)).map((tag) => tag.id);
}

/**
 * The lead's tags with the rule tags that hold now added, and `lead.tagged` (by `system`) when any is new;
 * `undefined` when nothing changes.
 */
export function applyRuleTags(lead: Lead, score: LeadScore, tags: TagsConfiguration, eventId: string): { tags: string[]; event: LeadEvent } | undefined {
  const had = lead.tags ?? [];
  const added = ruleTags(lead, score, tags).filter((tag) => !had.includes(tag));
  if (added.length === 0) return undefined;
  const after = [...had, ...added];
  return { tags: after, event: leadEvent('lead.tagged', { ...lifecycleEventFacts(lead, 'system', eventId), added, removed: [], tags: after, taggedAt: score.scoredAt }, score.scoredAt) };
}

/** Whether `principal` may set or remove `tag` on `lead` by hand: the tag's `setBy` names their part. */
export function maySetTag(principal: Principal, lead: Pick<Lead, 'ownerId'>, tag: TagDefinition): boolean {
  if (isManager(principal)) return tag.setBy.includes('manager');
  return principal.roles.includes('rep') && lead.ownerId === principal.id && tag.setBy.includes('owner');
}

/** The body of `POST /leads/{leadId}/tags` (`{"tag"}`), and of `DELETE /leads/{leadId}/tags/{tag}` read from its path: a tag of the vocabulary. */
export function tagBodySchema(tags: TagsConfiguration) {
  return z.strictObject({
    tag: z.string().check(z.superRefine((tag, ctx) => unknownTagIssues(tag, tags).forEach(({ message }) => ctx.addIssue({ code: 'custom', message })))),
  });
}

/**
 * Adds (`add: true`) or removes a tag by hand: refused (403) unless the tag's `setBy` allows the caller,
 * and (409) when the lead was erased, already has the tag or, for a removal, does not, or when it is past
 * `repeatableStepsLimitBytes` (`lead_full`: a tag can go on and off without end). On the timeline and in `lead.tagged`.
 */
export function planTagChange(input: { lead: Lead; principal: Principal; tag: string; add: boolean; tags: TagsConfiguration; now: Date; eventId: string }): LifecyclePlan {
  const { lead, principal, tag } = input;
  const definition = input.tags.vocabulary.find((candidate) => candidate.id === tag);
  if (!definition) throw new Error(`Tag "${tag}" is not in the vocabulary (the body schema admits only configured tags)`);
  if (!maySetTag(principal, lead, definition)) {
    return {
      refusal: {
        status: 403,
        rule: 'may_not_tag',
        message: `tag ${tag} may be set by ${definition.setBy.join(' and ') || 'the tag rules only'}; ${principal.id} is not ${definition.setBy.includes('owner') ? "the lead's owner or a manager" : 'allowed'}`,
      },
    };
  }
  // Tags annotate a lead someone works or reports on; an erased one is kept only for the counts.
  if (wasErased(lead)) return { refusal: { status: 409, rule: 'erased', message: `lead ${lead.leadId} was erased at the person's request; its tags no longer change` } };
  const had = lead.tags ?? [];
  if (input.add && had.includes(tag)) return { refusal: { status: 409, rule: 'already_tagged', message: `lead ${lead.leadId} already has tag ${tag}` } };
  if (!input.add && !had.includes(tag)) return { refusal: { status: 409, rule: 'not_tagged', message: `lead ${lead.leadId} has no tag ${tag}` } };
  const full = leadFullRefusal(lead, input.add ? 'adding a tag' : 'removing a tag');
  if (full) return { refusal: full };
  const at = input.now.toISOString();
  const after = input.add ? [...had, tag] : had.filter((candidate) => candidate !== tag);
  const entry = { at, action: input.add ? ('tagged' as const) : ('untagged' as const), by: principal.id, detail: tag };
  return {
    transition: {
      before: lead,
      after: changedLead(lead, { set: { tags: after }, entry }),
      openLeads: [],
      event: leadEvent('lead.tagged', { ...lifecycleEventFacts(lead, principal.id, input.eventId), added: input.add ? [tag] : [], removed: input.add ? [] : [tag], tags: after, taggedAt: at }, at),
    },
  };
}
