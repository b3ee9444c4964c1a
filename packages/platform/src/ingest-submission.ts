import { prepareIntake, type IntakeSubmission, type PreparedIntake, type ScoringRules } from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import type { IntakeOutcome } from './ports/lead-store';

/** Cleans and scores a channel's submission with fresh ids, ready for the store. */
export function prepareWithNewIds(submission: IntakeSubmission, newId: () => string, now: Date, rules: ScoringRules): PreparedIntake {
  return prepareIntake(submission, { leadId: newId(), eventId: newId(), touchEventId: newId() }, now, rules);
}

/** The one way every channel stores a submission: a new lead, a touch of the person's lead, or a replay. */
export function ingestSubmission(deps: Pick<Dependencies, 'config' | 'leads' | 'newId'>, submission: IntakeSubmission, now: Date, idempotencyKey?: string): Promise<IntakeOutcome> {
  return deps.leads.ingestLead(prepareWithNewIds(submission, deps.newId, now, deps.config), idempotencyKey);
}

/** How a capture endpoint answers: the lead id, and `duplicate: true` unless this created the lead. */
export function intakeAcknowledgement({ leadId, outcome }: IntakeOutcome): { leadId: string; duplicate?: true } {
  return outcome === 'created' ? { leadId } : { leadId, duplicate: true };
}
