import { randomUUID } from 'node:crypto';
import type { Configuration } from '@leadflow/domain';
import { createDocumentClient, createEventBridgeClient, createS3Client, createSecretsManagerClient, createSesClient, createSmsClient } from './aws-clients';
import { loadConfigurationFile } from './configuration-file';
import { readLambdaSettings, type LambdaSettings } from './settings';
import { DynamoDbLeadStore } from './adapters/dynamodb-lead-store';
import { DynamoDbOutboxStore } from './adapters/dynamodb-outbox-store';
import { DynamoDbNotificationLog } from './adapters/dynamodb-notification-log';
import { EventBridgePublisher } from './adapters/eventbridge-publisher';
import { SesMailer } from './adapters/ses-mailer';
import { EndUserMessagingSmsSender } from './adapters/end-user-messaging-sms-sender';
import { DynamoDbNotificationSendLedger } from './adapters/dynamodb-notification-send-ledger';
import { DynamoDbOneTapLinkLedger } from './adapters/dynamodb-one-tap-link-ledger';
import type { OneTapLinkLedger } from './ports/one-tap-links';
import type { LeadStore } from './ports/lead-store';
import type { EventPublisher, OutboxStore } from './ports/outbox';
import type { Mailer, NotificationLog, NotificationSendLedger, SmsSender } from './ports/notifications';
import type { HumanVerifier, RateLimiter } from './ports/abuse-controls';
import type { OperationalMetrics } from './ports/operational-metrics';
import { PowertoolsMetrics } from './adapters/powertools-metrics';
import { DynamoDbRateLimiter } from './adapters/dynamodb-rate-limiter';
import { TurnstileVerifier } from './adapters/turnstile-verifier';
import type { LeadIntakeRecordStore } from './ports/lead-intake-records';
import type { PlatformLeadReaders } from './ports/platform-lead-readers';
import { DynamoDbLeadIntakeRecords } from './adapters/dynamodb-lead-intake-records';
import { MetaGraphLeadReader } from './adapters/meta-graph-lead-reader';
import { LinkedInLeadReader } from './adapters/linkedin-lead-reader';
import { TikTokLeadReader } from './adapters/tiktok-lead-reader';
import type { SecretStore } from './ports/secret-store';
import { SecretsManagerSecretStore } from './adapters/secrets-manager-secret-store';
import { LocalSecretStore, readLocalSecrets } from './adapters/local-secret-store';
import type { FollowUpStore, TeamActivityStore } from './ports/follow-ups';
import { DynamoDbFollowUpStore } from './adapters/dynamodb-follow-up-store';
import { DynamoDbTeamActivityStore } from './adapters/dynamodb-team-activity-store';
import type { ChannelRoiStore, ReportArchive } from './ports/channel-roi-store';
import { DynamoDbChannelRoiStore } from './adapters/dynamodb-channel-roi-store';
import { S3ReportArchive } from './adapters/s3-report-archive';
import { DirectoryReportArchive } from './adapters/directory-report-archive';
import type { ConversionFeedbackQueue, ConversionFeedbackSender } from './ports/conversion-feedback';
import { DynamoDbConversionFeedbackQueue } from './adapters/dynamodb-conversion-feedback-queue';
import { HttpConversionFeedbackSender } from './adapters/http-conversion-feedback-sender';
import type { ConsentLedger } from './ports/consent-ledger';
import { DynamoDbConsentLedger } from './adapters/dynamodb-consent-ledger';

/** Everything a handler may need from the outside world; tests pass their own. */
export interface Dependencies {
  config: Configuration;
  leads: LeadStore;
  outbox: OutboxStore;
  publisher: EventPublisher;
  mailer: Mailer;
  notifications: NotificationLog;
  sms: SmsSender;
  /** Exactly-once send records of rep notifications, SMS budgets, failing phones. */
  sends: NotificationSendLedger;
  /** Which one-tap links were used; acceptances. */
  links: OneTapLinkLedger;
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
  /** Where rollup CSVs are filed. */
  reports: ReportArchive;
  /** Conversions to report to the ad platforms, and the platforms' endpoints. */
  feedback: ConversionFeedbackQueue;
  feedbackSender: ConversionFeedbackSender;
  /** Each lead's consent ledger: given and withdrawn consents (nurture email reads it; an unsubscribe appends to it). */
  consents: ConsentLedger;
  now: () => Date;
  newId: () => string;
}

/** Resolves a handler's dependencies on first use and keeps them for the life of the container. */
export type DependencyResolver<K extends keyof Dependencies = keyof Dependencies> = () => Pick<Dependencies, K>;

let resolved: Dependencies | undefined;

/** The production wiring: settings from the environment, configuration from its file, secrets from their store, AWS adapters. */
export const lambdaDependencies: DependencyResolver = () => {
  if (resolved) return resolved;
  const settings = readLambdaSettings();
  const documentClient = createDocumentClient(settings);
  const config = loadConfigurationFile(settings.configFile);
  resolved = {
    config,
    leads: new DynamoDbLeadStore(documentClient, settings.tableName),
    outbox: new DynamoDbOutboxStore(documentClient, settings.tableName),
    publisher: new EventBridgePublisher(createEventBridgeClient(settings), settings.eventBusName),
    mailer: new SesMailer(createSesClient(settings)),
    notifications: new DynamoDbNotificationLog(documentClient, settings.tableName),
    sms: new EndUserMessagingSmsSender(createSmsClient(settings)),
    sends: new DynamoDbNotificationSendLedger(documentClient, settings.tableName),
    links: new DynamoDbOneTapLinkLedger(documentClient, settings.tableName),
    publicBaseUrl: settings.publicBaseUrl ?? config.notifications.actionLinks.baseUrl,
    rateLimiter: new DynamoDbRateLimiter(documentClient, settings.tableName),
    metrics: new PowertoolsMetrics(),
    humanVerifier: new TurnstileVerifier(settings.thirdParty.turnstileVerifyUrl),
    intakes: new DynamoDbLeadIntakeRecords(documentClient, settings.tableName),
    platformLeads: {
      meta: new MetaGraphLeadReader(settings.thirdParty.metaGraphBaseUrl),
      linkedin: new LinkedInLeadReader(settings.thirdParty.linkedInBaseUrl),
      tiktok: new TikTokLeadReader(settings.thirdParty.tiktokBaseUrl),
    },
    secrets: secretStore(settings),
    followUps: new DynamoDbFollowUpStore(documentClient, settings.tableName),
    teamActivity: new DynamoDbTeamActivityStore(documentClient, settings.tableName),
    roi: new DynamoDbChannelRoiStore(documentClient, settings.tableName),
    feedback: new DynamoDbConversionFeedbackQueue(documentClient, settings.tableName),
    feedbackSender: new HttpConversionFeedbackSender({ metaGraph: settings.thirdParty.metaGraphBaseUrl, googleDataManager: settings.thirdParty.googleDataManagerBaseUrl }),
    consents: new DynamoDbConsentLedger(documentClient, settings.tableName),
    reports: 'bucket' in settings.reports ? new S3ReportArchive(createS3Client(settings), settings.reports.bucket) : new DirectoryReportArchive(settings.reports.directory),
    now: () => new Date(),
    newId: randomUUID,
  };
  return resolved;
};

function secretStore(settings: LambdaSettings): SecretStore {
  if (settings.secrets.source === 'secrets-manager') return new SecretsManagerSecretStore(createSecretsManagerClient(settings), settings.secrets.prefix);
  return new LocalSecretStore(readLocalSecrets(settings.secrets).values);
}

/**
 * Forgets the resolved dependencies, so the next invocation reads the environment again. Lambda never
 * needs this; a local runtime restarted inside one process (as in tests) points handlers at new endpoints.
 */
export function resetLambdaDependencies(): void {
  resolved = undefined;
}
