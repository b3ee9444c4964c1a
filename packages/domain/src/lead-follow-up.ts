import './zod-locale';
import * as z from 'zod/mini';
import type { Principal } from './access-policy';
import { humanTextSchema } from './human-text';
import { instantSchema } from './instant';
import { activityKindSchema, type ActivityKind, type Lead } from './lead';
import { leadEvent } from './lead-events';
import { leadFullRefusal } from './lead-size';
import { changedLead, illegalTransition, lifecycleEventFacts, openLeadStatuses, worksLead, type LifecyclePlan } from './lead-transition';

/** Activities that reach the person; a `note` is written for the team and is no contact. */
export const contactActivityKinds: readonly ActivityKind[] = ['call', 'email', 'meeting', 'message'];

/**
 * The body of `POST /leads/{leadId}/activities`. `nextStepAt` must lie after `now`: a next step already
 * due when it is logged would be overdue from its first second.
 */
export function activityBodySchema(now: Date) {
  return z.strictObject({
    kind: activityKindSchema,
    outcome: z.optional(humanTextSchema(1000)),
    nextStepAt: z.optional(instantSchema.check(z.refine((at) => Date.parse(at) > now.getTime(), { message: `must be after now (${now.toISOString()})` }))),
  });
}
export type ActivityBody = z.infer<ReturnType<typeof activityBodySchema>>;

/**
 * Logs a follow-up (跟进) on an open lead, by its owner or a manager. It sets `lastActivityAt`; a contact
 * activity sets `lastContactAt`, and the lead's first one `firstContactAt` (speed to lead). A contact activity is the step that was due, so
 * it replaces `nextStepAt` (no `nextStepAt` given: nothing is due any more); a note changes the next step
 * only when it names one.
 */
export function planActivity(input: { lead: Lead; principal: Principal; activity: ActivityBody; now: Date; eventId: string }): LifecyclePlan {
  const { lead, principal, activity } = input;
  if (!worksLead(principal, lead)) return { refusal: { status: 403, rule: 'not_owner', message: `only the owner of lead ${lead.leadId} or a manager may log its follow-ups` } };
  if (!openLeadStatuses.includes(lead.status)) return { refusal: illegalTransition(lead, 'logging a follow-up', openLeadStatuses) };
  const full = leadFullRefusal(lead, 'logging a follow-up');
  if (full) return { refusal: full };
  const at = input.now.toISOString();
  const isContact = contactActivityKinds.includes(activity.kind);
  const firstContact = isContact && !lead.firstContactAt;
  const replacesNextStep = isContact || activity.nextStepAt !== undefined;
  const detail = [activity.kind, activity.outcome && `: ${activity.outcome}`, activity.nextStepAt && `; next step ${activity.nextStepAt}`].filter(Boolean).join('');
  const after = changedLead(lead, {
    set: { lastActivityAt: at, ...(isContact ? { lastContactAt: at } : {}), ...(firstContact ? { firstContactAt: at } : {}), ...(activity.nextStepAt ? { nextStepAt: activity.nextStepAt } : {}) },
    remove: replacesNextStep && !activity.nextStepAt ? ['nextStepAt'] : [],
    entry: { at, action: 'activity', by: principal.id, detail },
  });
  return {
    transition: {
      before: lead,
      after,
      openLeads: [],
      event: leadEvent(
        'lead.activity_logged',
        {
          ...lifecycleEventFacts(lead, principal.id, input.eventId),
          activityId: input.eventId,
          kind: activity.kind,
          ...(activity.outcome ? { outcome: activity.outcome } : {}),
          ...(activity.nextStepAt ? { nextStepAt: activity.nextStepAt } : {}),
          firstContact,
          loggedAt: at,
        },
        at,
      ),
    },
  };
}
