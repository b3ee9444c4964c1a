import { randomUUID } from 'node:crypto';
import { createDynamoDbClient, documentClientOf, createEventBridgeClient, createS3Client, createSecretsManagerClient, createSesClient, createSmsClient } from './aws-clients';
import { readValidatedConfigurationFile } from './validated-configuration-file';
import type { DependencyProvider, LambdaWiring } from './lambda-wiring';
import { DynamoDbLeadStore } from './adapters/dynamodb-lead-store';
import { DynamoDbLeadIngestion } from './adapters/dynamodb-lead-ingestion';
import { DynamoDbLeadErasure } from './adapters/dynamodb-lead-erasure';
import { DynamoDbOutboxStore } from './adapters/dynamodb-outbox-store';
import { DynamoDbNotificationLog } from './adapters/dynamodb-notification-log';
import { EventBridgePublisher } from './adapters/eventbridge-publisher';
import { SesMailer } from './adapters/ses-mailer';
import { EndUserMessagingSmsSender } from './adapters/end-user-messaging-sms-sender';
import { DynamoDbNotificationSendLedger } from './adapters/dynamodb-notification-send-ledger';
import { DynamoDbOneTapLinkLedger } from './adapters/dynamodb-one-tap-link-ledger';
import { PowertoolsMetrics } from './adapters/powertools-metrics';
import { DynamoDbRateLimiter } from './adapters/dynamodb-rate-limiter';
import { TurnstileVerifier } from './adapters/turnstile-verifier';
import { DynamoDbLeadIntakeRecords } from './adapters/dynamodb-lead-intake-records';
import { MetaGraphLeadReader } from './adapters/meta-graph-lead-reader';
import { LinkedInLeadReader } from './adapters/linkedin-lead-reader';
import { TikTokLeadReader } from './adapters/tiktok-lead-reader';
import { SecretsManagerSecretStore } from './adapters/secrets-manager-secret-store';
import { LocalSecretStore, readLocalSecrets } from './adapters/local-secret-store';
import { DynamoDbFollowUpStore } from './adapters/dynamodb-follow-up-store';
import { DynamoDbTeamActivityStore } from './adapters/dynamodb-team-activity-store';
import { DynamoDbChannelRoiStore } from './adapters/dynamodb-channel-roi-store';
import { DynamoDbMeasuredPriorsReader } from './adapters/dynamodb-measured-priors-reader';
import { S3ReportArchive } from './adapters/s3-report-archive';
import { DirectoryReportArchive } from './adapters/directory-report-archive';
import { DynamoDbConversionFeedbackQueue } from './adapters/dynamodb-conversion-feedback-queue';
import { HttpConversionFeedbackSender } from './adapters/http-conversion-feedback-sender';
import { dynamoDbIdempotencyStore } from './adapters/dynamodb-idempotency-store';
import { DynamoDbConsentLedger } from './adapters/dynamodb-consent-ledger';
import { DynamoDbWebhookDeliveryStore } from './adapters/dynamodb-webhook-delivery-store';
import { HttpWebhookSender } from './adapters/http-webhook-sender';

/*
 * One provider per dependency, each a named export of its own: a handler names the providers it uses
 * (`lambdaDependenciesOf({ leads: providers.leads })`), so its bundle holds those adapters and AWS
 * clients and no others.
 */
export const config: DependencyProvider<'config'> = (wiring) => wiring.shared('config', () => readValidatedConfigurationFile(wiring.settings.validatedConfigFile));
export const leads: DependencyProvider<'leads'> = (wiring) => new DynamoDbLeadStore(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const ingestion: DependencyProvider<'ingestion'> = (wiring) => new DynamoDbLeadIngestion(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const erasures: DependencyProvider<'erasures'> = (wiring) => new DynamoDbLeadErasure(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const consents: DependencyProvider<'consents'> = (wiring) => new DynamoDbConsentLedger(sharedDocumentClient(wiring), wiring.settings.tableName);
export const outbox: DependencyProvider<'outbox'> = (wiring) => new DynamoDbOutboxStore(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const publisher: DependencyProvider<'publisher'> = ({ settings }) => new EventBridgePublisher(createEventBridgeClient(settings), settings.eventBusName);
export const mailer: DependencyProvider<'mailer'> = ({ settings }) => new SesMailer(createSesClient(settings));
/** The mailer for mail sent at most once (nurture): one attempt per SES call, retried only while SES answers "not now". */
export const mailerSendingAtMostOnce: DependencyProvider<'mailer'> = ({ settings }) => new SesMailer(createSesClient(settings, { singleAttempt: true }), { attemptsWhileAnswered: 3 });
export const notifications: DependencyProvider<'notifications'> = (wiring) => new DynamoDbNotificationLog(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const sms: DependencyProvider<'sms'> = ({ settings }) => new EndUserMessagingSmsSender(createSmsClient(settings));
export const sends: DependencyProvider<'sends'> = (wiring) => new DynamoDbNotificationSendLedger(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const links: DependencyProvider<'links'> = (wiring) => new DynamoDbOneTapLinkLedger(sharedDocumentClient(wiring), wiring.settings.tableName);
export const publicBaseUrl: DependencyProvider<'publicBaseUrl'> = (wiring) => wiring.settings.publicBaseUrl ?? config(wiring).notifications.actionLinks.baseUrl;
export const rateLimiter: DependencyProvider<'rateLimiter'> = (wiring) => new DynamoDbRateLimiter(sharedDocumentClient(wiring), wiring.settings.tableName);
export const metrics: DependencyProvider<'metrics'> = () => new PowertoolsMetrics();
export const humanVerifier: DependencyProvider<'humanVerifier'> = ({ settings }) => new TurnstileVerifier(settings.thirdParty.turnstileVerifyUrl);
export const intakes: DependencyProvider<'intakes'> = (wiring) => new DynamoDbLeadIntakeRecords(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const platformLeads: DependencyProvider<'platformLeads'> = ({ settings }) => ({
  meta: new MetaGraphLeadReader(settings.thirdParty.metaGraphBaseUrl),
  linkedin: new LinkedInLeadReader(settings.thirdParty.linkedInBaseUrl),
  tiktok: new TikTokLeadReader(settings.thirdParty.tiktokBaseUrl),
});
export const secrets: DependencyProvider<'secrets'> = ({ settings }) =>
  settings.secrets.source === 'secrets-manager' ? new SecretsManagerSecretStore(createSecretsManagerClient(settings), settings.secrets.prefix) : new LocalSecretStore(readLocalSecrets(settings.secrets).values);
export const followUps: DependencyProvider<'followUps'> = (wiring) => new DynamoDbFollowUpStore(sharedDocumentClient(wiring), wiring.settings.tableName);
export const teamActivity: DependencyProvider<'teamActivity'> = (wiring) => new DynamoDbTeamActivityStore(sharedDocumentClient(wiring), wiring.settings.tableName);
export const roi: DependencyProvider<'roi'> = (wiring) => new DynamoDbChannelRoiStore(sharedDocumentClient(wiring), wiring.settings.tableName);
export const measuredPriors: DependencyProvider<'measuredPriors'> = (wiring) => new DynamoDbMeasuredPriorsReader(sharedDocumentClient(wiring), wiring.settings.tableName);
export const reports: DependencyProvider<'reports'> = ({ settings }) =>
  'bucket' in settings.reports ? new S3ReportArchive(createS3Client(settings), settings.reports.bucket) : new DirectoryReportArchive(settings.reports.directory);
export const feedback: DependencyProvider<'feedback'> = (wiring) => new DynamoDbConversionFeedbackQueue(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const feedbackSender: DependencyProvider<'feedbackSender'> = ({ settings }) =>
  new HttpConversionFeedbackSender({ metaGraph: settings.thirdParty.metaGraphBaseUrl, googleDataManager: settings.thirdParty.googleDataManagerBaseUrl });
export const webhooks: DependencyProvider<'webhooks'> = (wiring) => new DynamoDbWebhookDeliveryStore(sharedDocumentClient(wiring), wiring.settings.tableName, config(wiring).retention);
export const webhookSender: DependencyProvider<'webhookSender'> = () => new HttpWebhookSender();
/** One DynamoDB client for every table adapter of the function, Powertools Idempotency's included. */
function sharedDynamoDbClient(wiring: LambdaWiring) {
  return wiring.shared('dynamoDbClient', () => createDynamoDbClient(wiring.settings));
}

function sharedDocumentClient(wiring: LambdaWiring) {
  return wiring.shared('documentClient', () => documentClientOf(sharedDynamoDbClient(wiring)));
}

export const repNotificationIdempotency: DependencyProvider<'repNotificationIdempotency'> = (wiring) => dynamoDbIdempotencyStore(sharedDynamoDbClient(wiring), wiring.settings.tableName, 'rep-notification');
export const now: DependencyProvider<'now'> = () => () => new Date();
export const newId: DependencyProvider<'newId'> = () => randomUUID;

/** What an ad-platform intake builds: the Meta, LinkedIn and TikTok webhooks, and the retry of their pending fetches. */
export const platformLeadIntake = { config, ingestion, erasures, measuredPriors, intakes, platformLeads, secrets, metrics, rateLimiter, now, newId };
/** What a webhook that carries the whole lead builds: Google's lead forms and the generic signed webhook. */
export const deliveredLeadIntake = { config, ingestion, measuredPriors, secrets, rateLimiter, now, newId };
