import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { leadAssignedDetailSchema } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, logger, notifyRep, operationalMetricNames, type DependencyResolver, type SendOutcome } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';
import type * as z from 'zod/mini';

type LeadAssignedDetail = z.infer<typeof leadAssignedDetailSchema>;

type NotifierDependencies = 'config' | 'mailer' | 'sms' | 'sends' | 'secrets' | 'publicBaseUrl' | 'metrics' | 'repNotificationIdempotency' | 'now';

/**
 * On `lead.assigned`: tell the new owner on the channels the configuration and their preferences pick
 * (hot → SMS and email by default), each message claimed before it is sent, so redeliveries, retries
 * and racing notifiers send it once. Speed to lead (capture to the first message) is measured once per
 * lead notified to its first owner, by the lead's channel and grade. Each owner is told once per lead:
 * a transfer or a recycle to another rep is news to them, and a transfer is not counted as speed to lead.
 *
 * Powertools Idempotency stands in front of the send ledger: a redelivery of the same event (same
 * `eventId`) within the hour gets the recorded outcomes back without reading the ledger, fetching the
 * link key or counting metrics again. The ledger stays what makes each message go out once.
 */
export function createHandler(dependencies: DependencyResolver<NotifierDependencies>) {
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'eventId', expiresAfterSeconds: 60 * 60 });
  // One idempotent notifier per set of dependencies: when they are built again (new settings, the
  // benchmark's request counter), the notifier uses the new ones, not the first invocation's.
  const notifiers = new WeakMap<object, (detail: LeadAssignedDetail, context: unknown) => Promise<SendOutcome[]>>();
  return eventHandler(leadAssignedDetailSchema, async (detail, context) => {
    const deps = dependencies();
    let notifyOnce = notifiers.get(deps);
    if (!notifyOnce) {
      notifyOnce = makeIdempotent(async (assigned: LeadAssignedDetail) => notifyAssignedRep(deps, assigned), { persistenceStore: deps.repNotificationIdempotency, config: idempotency });
      notifiers.set(deps, notifyOnce);
    }
    // IdempotencyAlreadyInProgressError is thrown on, not swallowed: the record's holder may be an
    // invocation that died (killed, or its database away so it could not give the record back), and
    // then this delivery's retry, after the holder's time has run out, is the only one left to send.
    const outcomes = await notifyOnce(detail, context);
    logger.info('Rep notified', { leadId: detail.leadId, repId: detail.ownerId, outcomes });
  });
}

async function notifyAssignedRep(deps: ReturnType<DependencyResolver<NotifierDependencies>>, detail: LeadAssignedDetail): Promise<SendOutcome[]> {
  const rep = deps.config.reps.find((candidate) => candidate.id === detail.ownerId);
  if (!rep) throw new Error(`Lead ${detail.leadId} was assigned to rep "${detail.ownerId}", who is not in the configuration`);
  const { lead, outcomes } = await notifyRep(deps, { leadId: detail.leadId, rep, reason: 'assigned' });
  if (!outcomes.some((outcome) => outcome.outcome === 'sent')) return outcomes;
  const grade: Record<string, string> = lead.score ? { grade: lead.score.grade } : {};
  // A transfer to a second owner is no response to the lead: counting it would stretch speed to lead by the first owner's days.
  if (!detail.previousOwnerId) deps.metrics.measure(operationalMetricNames.speedToLead, deps.now().getTime() - Date.parse(lead.capturedAt), { channel: lead.channel, ...grade });
  deps.metrics.count(operationalMetricNames.repNotified, { channel: lead.channel });
  return outcomes;
}

export const handler = createHandler(
  lambdaDependenciesOf({
    config: providers.config,
    mailer: providers.mailer,
    sms: providers.sms,
    sends: providers.sends,
    secrets: providers.secrets,
    publicBaseUrl: providers.publicBaseUrl,
    metrics: providers.metrics,
    repNotificationIdempotency: providers.repNotificationIdempotency,
    now: providers.now,
  }),
);
