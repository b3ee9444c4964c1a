import { prepareIntake, withMeasuredChannelPriors, type IntakeSubmission, type PreparedIntake, type ScoringRules } from '@leadflow/domain';
import type { MeasuredPriorsReader } from './ports/channel-roi-store';
import type { Dependencies } from './dependencies';
import type { IntakeOutcome } from './ports/lead-ingestion';

/** Cleans and scores a channel's submission with fresh ids, ready for the store. */
export function prepareWithNewIds(submission: IntakeSubmission, newId: () => string, now: Date, rules: ScoringRules): PreparedIntake {
  return prepareIntake(submission, { leadId: newId(), eventId: newId(), touchEventId: newId() }, now, rules);
}

/** The one way every channel stores a submission: a new lead, a touch of the person's lead, or a replay. */
export async function ingestSubmission(deps: Pick<Dependencies, 'config' | 'ingestion' | 'newId' | 'measuredPriors'>, submission: IntakeSubmission, now: Date, idempotencyKey?: string): Promise<IntakeOutcome> {
  return deps.ingestion.ingestLead(prepareWithNewIds(submission, deps.newId, now, await scoringRulesFor(deps, now)), idempotencyKey);
}

/** The measured priors change once a night; a container reads them again after this long. */
const measuredPriorsLifetimeMs = 5 * 60_000;
const measuredPriorsCache = new WeakMap<MeasuredPriorsReader, { readAt: number; suggestedPriors?: Record<string, number> }>();

/**
 * The rules a capture scores with: the configuration's, except in `channelRoi.measuredChannelPriors.mode:
 * apply`, where the channel priors the last nightly rollup suggested go over the configured ones (read at
 * most every five minutes per container, so a capture rarely pays a read for them; merged with the
 * configuration on every capture, so a configured prior counts as soon as the configuration has it).
 */
export async function scoringRulesFor(deps: Pick<Dependencies, 'config' | 'measuredPriors'>, now: Date): Promise<ScoringRules> {
  if (deps.config.channelRoi.measuredChannelPriors.mode !== 'apply') return deps.config;
  let cached = measuredPriorsCache.get(deps.measuredPriors);
  if (!cached || now.getTime() - cached.readAt >= measuredPriorsLifetimeMs) {
    cached = { readAt: now.getTime(), suggestedPriors: (await deps.measuredPriors.readMeasuredPriors())?.suggestedPriors };
    measuredPriorsCache.set(deps.measuredPriors, cached);
  }
  return withMeasuredChannelPriors(deps.config, cached.suggestedPriors);
}

/** How a capture endpoint answers: the lead id, and `duplicate: true` unless this created the lead. */
export function intakeAcknowledgement({ leadId, outcome }: IntakeOutcome): { leadId: string; duplicate?: true } {
  return outcome === 'created' ? { leadId } : { leadId, duplicate: true };
}
