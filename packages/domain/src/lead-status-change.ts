import './zod-locale';
import * as z from 'zod/mini';
import type { Principal } from './access-policy';
import type { Pool } from './configuration';
import { humanTextSchema, identifierText } from './human-text';
import { instantSchema } from './instant';
import { leadConversionSchema, type Lead } from './lead';
import { leadEvent, type LeadEvent } from './lead-events';
import { erasedAtPersonsRequest } from './lead-erasure';
import { leadFullRefusal } from './lead-size';
import { amountDecimalsIssue, currencyCodeSchema, largestAmount } from './money';
import { changedLead, illegalTransition, lifecycleEventFacts, managesPool, openLeadStatuses, worksLead, type LeadTransition, type LifecyclePlan } from './lead-transition';

/** Invalid reasons a pool accepts when none are configured (无效原因). */
export const defaultInvalidReasons = ['unreachable', 'fake', 'wrong_person', 'duplicate', 'no_need'];

/** Qualification levels a pool uses when none are configured: marketing- and sales-qualified. */
export const qualificationSchema = z.enum(['mql', 'sql']);

/** The body of `POST /leads/{leadId}/status`, checked against the pool's qualification levels and invalid reasons. */
export function statusBodySchema(pool: Pick<Pool, 'qualifications' | 'invalidReasons'>) {
  const note = z.optional(humanTextSchema(500));
  return z.discriminatedUnion('status', [
    z.strictObject({ status: z.literal('contacted'), note }),
    z.strictObject({ status: z.literal('qualified'), qualification: z.pipe(z.enum(pool.qualifications as [string, ...string[]]), qualificationSchema), note }),
    z.strictObject({ status: z.literal('invalid'), reason: z.enum(pool.invalidReasons as [string, ...string[]]), note }),
    z.strictObject({ status: z.literal('reactivate'), note }),
  ]);
}
export type StatusBody = z.infer<ReturnType<typeof statusBodySchema>>;

/**
 * The lifecycle after `assigned` (see README, *The lead lifecycle*):
 * `assigned → contacted → qualified → converted`; `invalid` from the pool or any open status;
 * `reactivate` takes an invalid lead back to its pool, unowned, unless the lead is past `repeatableStepsLimitBytes`
 * (`409 lead_full`); the other steps happen once a cycle and are always planned.
 */
export function planStatusChange(input: { lead: Lead; pool: Pool; principal: Principal; body: StatusBody; now: Date; eventId: string }): LifecyclePlan {
  const { lead, pool, principal, body } = input;
  const at = input.now.toISOString();
  const by = principal.id;
  const note = body.note ? ` (${body.note})` : '';
  const changed = (
    to: Lead['status'],
    change: Omit<Parameters<typeof changedLead>[1], 'entry'>,
    action: 'contacted' | 'qualified' | 'invalidated' | 'reactivated',
    detail: string,
    openLeads: LeadTransition['openLeads'] = [],
    lifted?: { words: string; unlockedEvent: LeadEvent },
  ): LifecyclePlan => ({
    transition: {
      before: lead,
      after: changedLead(lead, { ...change, set: { ...change.set, status: to }, entry: { at, action, by, detail: `${detail}${note}${lifted?.words ?? ''}` } }),
      openLeads,
      ...(lifted ? { unlockedEvent: lifted.unlockedEvent } : {}),
      event: leadEvent(
        'lead.status_changed',
        {
          ...lifecycleEventFacts(lead, by, input.eventId),
          from: lead.status,
          to,
          ...(body.status === 'invalid' ? { reason: body.reason } : body.note ? { reason: body.note } : {}),
          ...(body.status === 'qualified' ? { qualification: body.qualification } : {}),
          changedAt: at,
        },
        at,
      ),
    },
  });

  switch (body.status) {
    case 'contacted': {
      if (!worksLead(principal, lead)) return notWorker(lead);
      if (lead.status !== 'assigned') return { refusal: illegalTransition(lead, 'contacted', ['assigned']) };
      return changed('contacted', { set: { lastContactAt: at, ...(lead.firstContactAt ? {} : { firstContactAt: at }) } }, 'contacted', 'contacted');
    }
    case 'qualified': {
      if (!worksLead(principal, lead)) return notWorker(lead);
      // Sales may accept (SQL) a lead marketing qualified (MQL); nothing else goes back or sideways.
      const raisesToSql = lead.status === 'qualified' && lead.qualification === 'mql' && body.qualification === 'sql';
      if (lead.status !== 'contacted' && !raisesToSql) return { refusal: illegalTransition(lead, `qualified as ${body.qualification}`, ['contacted', 'qualified as mql (to sql)']) };
      return changed('qualified', { set: { qualification: body.qualification } }, 'qualified', `qualified as ${body.qualification}`);
    }
    case 'invalid': {
      const fromPool = lead.status === 'in_pool' && !lead.ownerId;
      if (fromPool ? !managesPool(principal, pool) : !worksLead(principal, lead)) return fromPool ? notPoolManager(pool, 'invalidate its leads') : notWorker(lead);
      if (!fromPool && !openLeadStatuses.includes(lead.status)) return { refusal: illegalTransition(lead, 'invalid', ['in_pool', ...openLeadStatuses]) };
      // The owner leaves the lead (it no longer takes up their holding capacity) and is remembered, as a release remembers them.
      // As on a release, the owner's SLA state goes with them, and a manager's lock is lifted: an invalid lead cannot be unlocked by hand, and whoever gets it after a reactivation is not held to it.
      const owner = lead.ownerId;
      return changed(
        'invalid',
        { set: { statusReason: body.reason, ...(owner ? { previousOwnerId: owner, releasedAt: at } : {}) }, remove: ['ownerId', 'assignment', 'nextStepAt', 'followUp', 'lock'] },
        'invalidated',
        `invalid: ${body.reason}`,
        owner ? [{ repId: owner, change: -1 }] : [],
        liftedLock(lead, by, input.eventId, `invalid: ${body.reason}`, at),
      );
    }
    case 'reactivate': {
      if (!managesPool(principal, pool)) return notPoolManager(pool, 'reactivate its leads');
      if (lead.status !== 'invalid') return { refusal: illegalTransition(lead, 'reactivate', ['invalid']) };
      // An erased lead holds no person any more: there is nobody to call.
      if (lead.statusReason === erasedAtPersonsRequest) return { refusal: { status: 409, rule: 'erased', message: `lead ${lead.leadId} was erased at the person's request and cannot be reactivated` } };
      // Only a lead someone judged invalid goes back: a test lead is never routed, and one captured invalid has no usable contact and holds no person keys (the person's next submission makes a new lead).
      if (lead.isTest) return { refusal: { status: 409, rule: 'test_lead', message: `lead ${lead.leadId} is a platform test lead, never routed, and cannot be reactivated` } };
      if (!lead.history.some((entry) => entry.action === 'invalidated')) {
        return { refusal: { status: 409, rule: 'captured_invalid', message: `lead ${lead.leadId} was captured invalid (${lead.statusReason}) and cannot be reactivated` } };
      }
      // Invalid and reactivate can follow each other without end; `invalid` itself stays open, as it ends a cycle.
      const full = leadFullRefusal(lead, 'reactivating');
      if (full) return { refusal: full };
      // A lead invalidated before invalidating lifted locks may still carry one (and its last owner's SLA state): it goes back to the pool without them.
      return changed(
        'in_pool',
        { remove: ['statusReason', 'ownerId', 'assignment', 'nextStepAt', 'followUp', 'lock'] },
        'reactivated',
        `reactivated into pool ${pool.id}`,
        [],
        liftedLock(lead, by, input.eventId, `reactivated into pool ${pool.id}`, at),
      );
    }
  }
}

/** The body of `POST /leads/{leadId}/convert`: the sale's revenue, currency, when it was won, the external deal id. */
const earliestWonAt = Date.parse('1970-01-01T00:00:00.000Z');

export function conversionBodySchema(now: Date) {
  return z
    .strictObject({
      ...z.omit(leadConversionSchema, { by: true, wonAt: true, correctedBy: true, correctedAt: true }).shape,
      // ROI counts revenue in whole minor units, as it does spend: twelve digits and the currency's decimals at most (as a spend amount) keep them an exact integer.
      revenue: z.number().check(z.nonnegative(), z.maximum(largestAmount(3) / 1000)),
      currency: currencyCodeSchema,
      wonAt: instantSchema.check(
        z.refine((at) => Date.parse(at) <= now.getTime(), { message: `must not be after now (${now.toISOString()})` }),
        // No lead here predates it: an earlier year is a typo ("0206" for "2026"), and ROI files the sale under its day.
        z.refine((at) => Date.parse(at) >= earliestWonAt, { message: 'must not be before 1970-01-01' }),
      ),
      // An id of the CRM's, kept on the lead and in events: refused, not cleaned, when it holds what no id does.
      dealId: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200), identifierText())),
    })
    .check(revenueInCurrencyDecimals);
}

/** Refuses revenue with more decimals than its currency's (`amountDecimalsOf`), naming `revenue`: USD 12.345 is a typo, KWD 12.345 a sale. */
export const revenueInCurrencyDecimals = /* @__PURE__ */ z.superRefine((sale: { revenue: number; currency: string }, ctx) => {
  const issue = amountDecimalsIssue(sale.revenue, sale.currency);
  if (issue) ctx.addIssue({ code: 'custom', message: issue, path: ['revenue'], input: sale.revenue });
});
export type ConversionBody = z.infer<ReturnType<typeof conversionBodySchema>>;

/**
 * A qualified lead becomes a customer (转化): the conversion is recorded on the lead for ROI, the owner
 * keeps the credit (`ownerId` stays) but the lead no longer takes up their holding capacity, and
 * nothing is due on it any more.
 */
export function planConversion(input: { lead: Lead; principal: Principal; conversion: ConversionBody; now: Date; eventId: string }): LifecyclePlan {
  const { lead, principal, conversion } = input;
  if (!worksLead(principal, lead)) return notWorker(lead);
  if (lead.status !== 'qualified') return { refusal: illegalTransition(lead, 'convert', ['qualified']) };
  const at = input.now.toISOString();
  const deal = conversion.dealId ? ` (deal ${conversion.dealId})` : '';
  const after = changedLead(lead, {
    set: { status: 'converted', conversion: { ...conversion, by: principal.id } },
    remove: ['nextStepAt'],
    entry: { at, action: 'converted', by: principal.id, detail: `won ${conversion.revenue} ${conversion.currency} on ${conversion.wonAt}${deal}` },
  });
  return {
    transition: {
      before: lead,
      after,
      openLeads: lead.ownerId ? [{ repId: lead.ownerId, change: -1 }] : [],
      event: leadEvent('lead.converted', { ...lifecycleEventFacts(lead, principal.id, input.eventId), ...conversion, convertedAt: at }, at),
    },
  };
}

/**
 * A manager's lock a status change lifts: the words its timeline entry adds, naming whose lock it was, and
 * `lead.unlocked` (event id `<eventId>.unlocked`), told of the lead without an owner as the change leaves it,
 * as a release tells it. `undefined` when the lead is not locked.
 */
function liftedLock(lead: Lead, by: string, eventId: string, reason: string, at: string): { words: string; unlockedEvent: LeadEvent } | undefined {
  if (!lead.lock) return undefined;
  const { ownerId: _ownerId, ...unowned } = lead;
  return {
    words: `; the lock ${lead.lock.by} put on it is lifted`,
    unlockedEvent: leadEvent('lead.unlocked', { ...lifecycleEventFacts(unowned, by, `${eventId}.unlocked`), reason, changedAt: at }, at),
  };
}

function notWorker(lead: Lead): LifecyclePlan {
  return { refusal: { status: 403, rule: 'not_owner', message: `only the owner of lead ${lead.leadId} or a manager may change its status` } };
}

function notPoolManager(pool: Pool, what: string): LifecyclePlan {
  return { refusal: { status: 403, rule: 'not_pool_manager', message: `only managers and admins of pool ${pool.id} may ${what}` } };
}
