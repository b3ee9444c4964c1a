import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Configuration } from '@leadflow/domain';
import { readLambdaSettings } from './settings';
import { lambdaWiring, type DependencyProvider, type LambdaWiring } from './lambda-wiring';
import type { OneTapLinkLedger } from './ports/one-tap-links';
import type { LeadStore } from './ports/lead-store';
import type { LeadIngestion } from './ports/lead-ingestion';
import type { LeadErasures } from './ports/lead-erasures';
import type { EventPublisher, OutboxStore } from './ports/outbox';
import type { Mailer, NotificationLog, NotificationSendLedger, SmsSender } from './ports/notifications';
import type { HumanVerifier, RateLimiter } from './ports/abuse-controls';
import type { OperationalMetrics } from './ports/operational-metrics';
import type { LeadIntakeRecordStore } from './ports/lead-intake-records';
import type { PlatformLeadReaders } from './ports/platform-lead-readers';
import type { SecretStore } from './ports/secret-store';
import type { FollowUpStore, TeamActivityStore } from './ports/follow-ups';
import type { ChannelRoiStore, MeasuredPriorsReader, ReportArchive } from './ports/channel-roi-store';
import type { ConversionFeedbackQueue, ConversionFeedbackSender } from './ports/conversion-feedback';
import type { ConsentLedger } from './ports/consent-ledger';
import type { WebhookDeliveryStore, WebhookSender } from './ports/webhook-deliveries';

/** Everything a handler may need from the outside world; tests pass their own. */
export interface Dependencies {
  config: Configuration;
  leads: LeadStore;
  /** Submissions becoming leads (new, touch or replay): the capture endpoints', the intakes' and the import's only. */
  ingestion: LeadIngestion;
  /** Erasing a person from a lead at their request: the erase-lead endpoint's and the platform intakes' only. */
  erasures: LeadErasures;
  /** Each lead's consent ledger: given at capture, withdrawn on request. */
  consents: ConsentLedger;
  outbox: OutboxStore;
  publisher: EventPublisher;
  mailer: Mailer;
  notifications: NotificationLog;
  sms: SmsSender;
  /** Exactly-once send records of rep notifications, SMS budgets, failing phones. */
  sends: NotificationSendLedger;
  /** Which one-tap links were used; acceptances. */
  links: OneTapLinkLedger;
  /** Powertools Idempotency's records of `lead.assigned` events already notified (the notifier's replay guard in front of the send ledger). */
  repNotificationIdempotency: BasePersistenceLayer;
  /** Where one-tap links point: the public API's base URL. */
  publicBaseUrl: string | undefined;
  rateLimiter: RateLimiter;
  metrics: OperationalMetrics;
  humanVerifier: HumanVerifier;
  /** Platform deliveries kept until their lead has been read back (Meta, LinkedIn, TikTok). */
  intakes: LeadIntakeRecordStore;
  /** The ad platforms' APIs that leads are read back from. */
  platformLeads: PlatformLeadReaders;
  /** Platform secrets, tokens and keys; none of them is in the configuration. */
  secrets: SecretStore;
  /** The due-time index of the SLA reminders, escalation and recycling, and the job's writes. */
  followUps: FollowUpStore;
  /** The managers' digest counters and pool backlogs. */
  teamActivity: TeamActivityStore;
  /** Ad spend, lead ROI facts and rollup versions. */
  roi: ChannelRoiStore;
  /** The channel priors the nightly rollup measured: all that intake reads of channel ROI. */
  measuredPriors: MeasuredPriorsReader;
  /** Where rollup CSVs are filed. */
  reports: ReportArchive;
  /** Conversions to report to the ad platforms, and the platforms' endpoints. */
  feedback: ConversionFeedbackQueue;
  feedbackSender: ConversionFeedbackSender;
  /** Outbound webhook deliveries (queue and per-destination log), and the HTTPS client that makes them. */
  webhooks: WebhookDeliveryStore;
  webhookSender: WebhookSender;
  now: () => Date;
  newId: () => string;
}

/** Resolves a handler's dependencies on first use and keeps them for the life of the container. */
export type DependencyResolver<K extends keyof Dependencies = keyof Dependencies> = () => Pick<Dependencies, K>;

/** Providers of the dependencies `K`, one per key. */
export type DependencyProviders<K extends keyof Dependencies> = { [P in K]: DependencyProvider<P> };

let wiring: LambdaWiring | undefined;

/**
 * The production wiring of one handler: only the dependencies it names, each built by its provider on
 * the first invocation and kept for the life of the container. Naming providers (rather than taking
 * them all) is what keeps a function's bundle to the adapters and AWS clients it uses.
 *
 * @example
 * import * as providers from '@leadflow/platform/lambda-providers';
 * export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));
 */
export function lambdaDependenciesOf<K extends keyof Dependencies>(dependencyProviders: DependencyProviders<K>): DependencyResolver<K> {
  let resolved: { for: LambdaWiring; dependencies: Pick<Dependencies, K> } | undefined;
  return () => {
    wiring ??= lambdaWiring(readLambdaSettings());
    if (resolved?.for !== wiring) {
      const current = wiring;
      const entries = Object.entries(dependencyProviders) as Array<[K, DependencyProvider<K>]>;
      resolved = { for: current, dependencies: Object.fromEntries(entries.map(([key, provide]) => [key, provide(current)])) as Pick<Dependencies, K> };
    }
    return resolved.dependencies;
  };
}

/**
 * Forgets the resolved dependencies, so the next invocation reads the environment again. Lambda never
 * needs this; a local runtime restarted inside one process (as in tests) points handlers at new endpoints.
 */
export function resetLambdaDependencies(): void {
  wiring = undefined;
}
