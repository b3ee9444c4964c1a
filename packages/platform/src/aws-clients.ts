import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import type { LambdaSettings } from './settings';

/**
 * Where AWS clients talk, and as whom. In Lambda only the region is set: the SDK talks to AWS with the
 * function role's credentials. The local runtime, its commands and the tests give endpoints (DynamoDB
 * Local, the local EventBridge and SES endpoint) and throwaway credentials.
 */
export interface AwsClientSettings extends Pick<LambdaSettings, 'region' | 'endpoints'>, Partial<Pick<LambdaSettings, 'requestTimeouts'>> {
  credentials?: DynamoDBClientConfig['credentials'];
  /** SDK attempts per call; the SDK's default when absent. */
  maxAttempts?: number;
}

function clientConfig(settings: AwsClientSettings, endpoint: string | undefined) {
  // Newer SDKs only warn past `requestTimeout` unless told to throw.
  const requestHandler = settings.requestTimeouts && { ...settings.requestTimeouts, throwOnRequestTimeout: true };
  return { region: settings.region, endpoint, credentials: settings.credentials, maxAttempts: settings.maxAttempts, requestHandler };
}

/** The one place where endpoints are switched: every AWS client, in Lambda and locally, is made here. */
export function createDynamoDbClient(settings: AwsClientSettings): DynamoDBClient {
  return new DynamoDBClient(clientConfig(settings, settings.endpoints.dynamodb));
}

/**
 * Items as plain objects; `undefined` attributes are left out rather than refused. The SDK tells a map
 * from a class instance by its `constructor` property, so a map holding a key `constructor` (an answer
 * named so by a CSV column or a webhook field) would be refused: `convertClassInstanceToMap` marshals it,
 * and `refuseClassInstances` keeps refusing what that option would turn into a map unasked (a `Date`
 * would become `{}`).
 */
export function documentClientOf(client: DynamoDBClient): DynamoDBDocumentClient {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
  documents.middlewareStack.add(
    (next) => (args) => {
      refuseClassInstances(args.input, 'input');
      return next(args);
    },
    { step: 'initialize', name: 'refuseClassInstances', override: true },
  );
  return documents;
}

/** Throws on a value the marshaller would otherwise turn into a map though it is not one: an instance of a class other than those it stores as such. */
function refuseClassInstances(value: unknown, path: string): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) return value.forEach((item, index) => refuseClassInstances(item, `${path}[${index}]`));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    for (const [key, item] of Object.entries(value)) refuseClassInstances(item, `${path}.${key}`);
    return;
  }
  if (value instanceof Map) return value.forEach((item, key) => refuseClassInstances(item, `${path}.${String(key)}`));
  const stored = [Set, ArrayBuffer, Blob, NumberValue, Boolean, Number, String].some((type) => value instanceof type) || ArrayBuffer.isView(value);
  if (!stored) throw new Error(`Unsupported type passed at ${path}: ${Object.prototype.toString.call(value)} is an instance of a class, not a map`);
}

export function createDocumentClient(settings: AwsClientSettings): DynamoDBDocumentClient {
  return documentClientOf(createDynamoDbClient(settings));
}

export function createEventBridgeClient(settings: AwsClientSettings): EventBridgeClient {
  return new EventBridgeClient(clientConfig(settings, settings.endpoints.eventbridge));
}

/**
 * SES v2; locally the runtime's endpoint. With `singleAttempt`, one attempt per call, for mail that must go
 * at most once (nurture): the SDK retries a call that got no answer, which SES may have taken already, and
 * the last attempt's answer would then hide that. `SesMailer` retries what SES answered with an error.
 */
export function createSesClient(settings: AwsClientSettings, options: { singleAttempt?: boolean } = {}): SESv2Client {
  return new SESv2Client({ ...clientConfig(settings, settings.endpoints.ses), ...(options.singleAttempt ? { maxAttempts: 1 } : {}) });
}

/**
 * AWS End User Messaging SMS; locally the runtime's endpoint, which records each SMS in `/_local/outbox`.
 * One attempt per call: `SendTextMessage` has no idempotency token, and the SDK retries a call that got no
 * answer (a timeout, a reset connection), which may have sent the message already. The adapter
 * (`EndUserMessagingSmsSender`) retries only what the service answered with an error.
 */
export function createSmsClient(settings: AwsClientSettings): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({ ...clientConfig(settings, settings.endpoints.sms), maxAttempts: 1 });
}

/** Only Lambda reads Secrets Manager; locally secrets come from files and the environment. */
export function createSecretsManagerClient(settings: AwsClientSettings): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig(settings, undefined));
}

/** Only Lambda writes to S3; locally reports go to the data directory. */
export function createS3Client(settings: AwsClientSettings): S3Client {
  return new S3Client(clientConfig(settings, undefined));
}
