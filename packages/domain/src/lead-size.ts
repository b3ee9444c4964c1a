import type { Lead } from './lead';

/**
 * How full a lead may get before steps that can repeat without end stop. A lead is one DynamoDB item, which
 * DynamoDB refuses over 400 KB, and every step appends to its timeline (a note of 1,000 Chinese characters is
 * some 3 KB). Past `repeatableStepsLimitBytes` a person's steps that can repeat (follow-ups, releases, locks,
 * tags, transfers, reactivation, conversion corrections) are refused; past `scheduledStepsLimitBytes` so are
 * the schedules' (the follow-up rules' reminders, breaches, reassignments and recycling; a nurture send put off again). What is left above them is for steps that
 * happen once (contacted, qualified, converted, invalid, the claim of a waiting lead, erasure) and for the
 * person's next posts (counted, at most 100 of them on the timeline, with no new answers once the lead is full).
 */
export const repeatableStepsLimitBytes = 300 * 1024;
export const scheduledStepsLimitBytes = 340 * 1024;

/** The lead as JSON in UTF-8 bytes: about its size as a DynamoDB item (attribute names and values). */
export function leadBytes(lead: Lead): number {
  return new TextEncoder().encode(JSON.stringify(lead)).byteLength;
}

/** Past `repeatableStepsLimitBytes`: a person's steps that can repeat are refused, and a touch adds no answers. */
export function isPastRepeatableStepsLimit(lead: Lead): boolean {
  return leadBytes(lead) > repeatableStepsLimitBytes;
}

/** Past `scheduledStepsLimitBytes`: the schedules write no more steps to the lead. */
export function isPastScheduledStepsLimit(lead: Lead): boolean {
  return leadBytes(lead) > scheduledStepsLimitBytes;
}

/** The `409 lead_full` refusal of a repeatable step (`logging a follow-up`, `releasing` …) on a lead past `repeatableStepsLimitBytes`, else nothing. */
export function leadFullRefusal(lead: Lead, step: string): { status: 409; rule: 'lead_full'; message: string } | undefined {
  if (!isPastRepeatableStepsLimit(lead)) return undefined;
  return {
    status: 409,
    rule: 'lead_full',
    message: `lead ${lead.leadId}'s timeline is full (over ${repeatableStepsLimitBytes / 1024} KB): ${step} is refused so that its steps that happen once (contacted, qualified, converted, invalid) keep room`,
  };
}

/** The `409 lead_full` refusal of a step the store refused as taking the lead over its item limit (DynamoDB's 400 KB): nothing was written. */
export function leadAtItemLimitRefusal(leadId: string): { status: 409; rule: 'lead_full'; message: string } {
  return { status: 409, rule: 'lead_full', message: `lead ${leadId}'s timeline is too long to record this step; nothing was changed` };
}
