import type { z } from 'zod/mini';
import {
  canViewLead,
  holdingCapRefusal,
  leadAtItemLimitRefusal,
  maskedLeadView,
  mayWorkPools,
  toIssueList,
  type Configuration,
  type Lead,
  type LifecyclePlan,
  type Pool,
  type Principal,
  type UnchangedPlan,
} from '@leadflow/domain';
import type { DependencyResolver } from './dependencies';
import { httpHandler } from './http/http-handler';
import { badRequest, forbidden, refused } from './http/http-errors';
import { personalDataResponse } from './http/responses';
import { leadIdFromPath } from './http/lead-path';
import { principalFrom } from './http/principal';
import { jsonObjectBody } from './http/request-body';
import { requestedLead } from './requested-lead';

/** One lifecycle step behind `POST /leads/{leadId}/<step>`: how its body reads and how the domain plans it. */
export interface LeadTransitionStep<Body> {
  /** The step in words, for messages: "assigned", "logged", … */
  doing: string;
  /** An empty body is read as `{}` (steps whose fields are all optional). */
  bodyOptional?: boolean;
  /** Path parameters read as body fields (`DELETE /leads/{leadId}/tags/{tag}`), so the body schema checks and names them. */
  pathFields?: readonly string[];
  body: (context: { pool: Pool; config: Configuration; now: Date }) => z.ZodMiniType<Body>;
  plan: (input: { lead: Lead; pool: Pool; principal: Principal; body: Body; config: Configuration; now: Date; eventId: string }) => LifecyclePlan | UnchangedPlan;
  /** Who may ask at all, before the lead is read, and the refusal's words; by default those who work leads (`mayWorkPools`). */
  callers?: { may: (principal: Principal) => boolean; refusal: string };
  /** What the step was decided on besides the lead's status and owner (a correction: the conversion): a race that changes it is a `409 lead_changed` too. */
  decidedOn?: (lead: Lead) => unknown;
  /** What the caller is answered with: by default the lead, masked (`maskedLeadView`) for a caller who may act on it but not read it. */
  answer?: (lead: Lead, principal: Principal) => unknown;
}

/** The lead after the step in full to a caller who may read it before or after (an owner who just let it go saw it already), else masked. */
const leadAsTheCallerMaySee = (after: Lead, before: Lead, principal: Principal) => (canViewLead(principal, before) || canViewLead(principal, after) ? after : maskedLeadView(after));

const leadWorkers = { may: mayWorkPools, refusal: 'Working leads is for reps, managers and admins' };

/**
 * The handler of a lifecycle step: caller → lead → its pool → body → the domain's plan → one conditional
 * write, or none when the lead already is as asked. A write that loses a race reads the lead again and
 * plans once more: refused by the rules as the lead now is (a `409`), or, if its status or owner (or what the step
 * was `decidedOn`) changed, a `409 lead_changed` (the request was decided from a state that is gone; so too
 * when the rules would now say `403`, as the race, not a missing permission, took the lead from the caller); only
 * changes beside the point (a touch, another follow-up) are retried.
 */
export function leadTransitionHandler<Body>(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>, step: LeadTransitionStep<Body>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    const callers = step.callers ?? leadWorkers;
    if (!callers.may(principal)) throw forbidden(callers.refusal);
    const answer = (lead: Lead | undefined, before = lead) => personalDataResponse(lead && before && (step.answer ? step.answer(lead, principal) : leadAsTheCallerMaySee(lead, before, principal)));
    const decidedOn = (lead: Lead) => JSON.stringify(step.decidedOn?.(lead));
    const fromPath = Object.fromEntries((step.pathFields ?? []).map((name) => [name, event.pathParameters?.[name] ?? '']));
    const document = { ...jsonObjectBody(event, { optional: step.bodyOptional ?? false }), ...fromPath };
    const { config, leads, now, newId } = dependencies();
    const leadId = leadIdFromPath(event);
    let first: Lead | undefined;
    for (let tries = 1; tries <= 3; tries += 1) {
      const lead = await requestedLead(leads, leadId, config.retention, now());
      const pool = config.pools.find((candidate) => candidate.id === lead.poolId);
      if (!pool) throw refused({ status: 409, rule: 'not_in_pool', message: `lead ${leadId} belongs to pool ${lead.poolId}, which the configuration no longer has` });
      const at = now();
      const body = step.body({ pool, config, now: at }).safeParse(document);
      if (!body.success) throw badRequest(`The request is invalid`, toIssueList(body.error));
      const plan = step.plan({ lead, pool, principal, body: body.data, config, now: at, eventId: newId() });
      const changed = first !== undefined && (lead.status !== first.status || lead.ownerId !== first.ownerId || decidedOn(lead) !== decidedOn(first));
      const leadChanged = () =>
        refused({
          status: 409,
          rule: 'lead_changed',
          // The owner is named only to a caller who may see the lead (finance corrects a sale without seeing who works it).
          message: `lead ${leadId} changed while it was being ${step.doing}: it is now ${lead.status}${lead.ownerId && canViewLead(principal, lead) ? ` and owned by ${lead.ownerId}` : ''}; read it and try again`,
        });
      // A 403 after a lost race (the caller's lead recycled or transferred between their read and their write) is that race, not a permission they never had.
      if ('refusal' in plan) throw changed && plan.refusal.status === 403 ? leadChanged() : refused(plan.refusal);
      if ('unchanged' in plan) return answer(lead);
      if (changed) throw leadChanged();
      first ??= lead;
      const outcome = await leads.applyTransition(plan.transition);
      if (outcome === 'applied') return answer(await leads.getLead(leadId), lead);
      if (outcome === 'lead_full') throw refused(leadAtItemLimitRefusal(leadId));
      const taking = plan.transition.openLeads.find((move) => move.change === 1);
      if (outcome === 'holding_cap' && taking?.change === 1) {
        const refusal = holdingCapRefusal(taking.cap);
        throw refused({ ...refusal, message: `${taking.repId}: ${refusal.message}` });
      }
    }
    throw refused({ status: 409, rule: 'lead_changed', message: `lead ${leadId} kept changing while it was being ${step.doing}; read it and try again` });
  });
}
