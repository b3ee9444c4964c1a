import '@leadflow/domain/zod-locale';
import * as z from 'zod/mini';
import type { LocalSecretSources } from './adapters/local-secret-store';

/**
 * The handlers' clients (in Lambda, and in the local runtime's function host). Without a request timeout
 * the SDK waits for a silent service (a paused or partitioned database) as long as the function runs, and
 * the caller gets a Lambda timeout instead of a clear answer. With these, the SDK's standard three
 * attempts give up within about 8 s — inside the 10 s an HTTP function has — and the error handler
 * answers 503 with Retry-After. A DynamoDB call normally answers in milliseconds. Tools and the local
 * runtime's own machinery (table setup, stream polling) keep the SDK's default of no timeout: a retried
 * CreateTable whose first attempt landed would fail.
 */
export const lambdaRequestTimeouts = { connectionTimeout: 1_000, requestTimeout: 2_500 } as const;

/**
 * The only module of the Lambda code that reads `process.env` (the local runtime's own settings live in
 * its package). Settings are parsed once and fail fast with the name of the offending variable, so a
 * misconfigured function dies at cold start rather than mid-request.
 */
const lambdaSettingsSchema = z.object({
  LEADS_TABLE_NAME: z.string().check(z.minLength(1)),
  LEADS_EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  LEADS_VALIDATED_CONFIG_FILE: z.string().check(z.minLength(1)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** Endpoint overrides, set only by the local runtime and tests. */
  LEADS_DYNAMODB_ENDPOINT: z.optional(z.url()),
  LEADS_EVENTBRIDGE_ENDPOINT: z.optional(z.url()),
  LEADS_SES_ENDPOINT: z.optional(z.url()),
  LEADS_SMS_ENDPOINT: z.optional(z.url()),
  /** Base URL of one-tap links in notifications: set by the local runtime (its own address) and the CDK app (the API's URL); else `notifications.actionLinks.baseUrl`. */
  LEADS_PUBLIC_BASE_URL: z.optional(z.url()),
  /** Third-party APIs the handlers call; the local runtime points them at its stand-ins. */
  LEADS_TURNSTILE_VERIFY_URL: z._default(z.url(), 'https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  /** Ad-platform APIs that leads are read back from (Meta Graph API, LinkedIn Marketing API, TikTok Business API). */
  LEADS_META_GRAPH_BASE_URL: z._default(z.url(), 'https://graph.facebook.com'),
  LEADS_LINKEDIN_API_BASE_URL: z._default(z.url(), 'https://api.linkedin.com'),
  LEADS_TIKTOK_API_BASE_URL: z._default(z.url(), 'https://business-api.tiktok.com'),
  /** Google's Data Manager API, where conversions are reported (Meta's go to the Graph API above). */
  LEADS_GOOGLE_DATA_MANAGER_BASE_URL: z._default(z.url(), 'https://datamanager.googleapis.com'),
  /** Set by the CDK app: secrets come from AWS Secrets Manager, each named `<prefix><secret name>`. */
  LEADS_SECRETS_MANAGER_PREFIX: z.optional(z.string().check(z.minLength(1))),
  /** Without a prefix (locally): demo values, then a git-ignored file, then `LEADS_SECRETS`, the last winning. */
  LEADS_DEMO_SECRETS_FILE: z.optional(z.string().check(z.minLength(1))),
  LEADS_SECRETS_FILE: z.optional(z.string().check(z.minLength(1))),
  LEADS_SECRETS: z.optional(z.string().check(z.minLength(1))),
  /** Where the channel-ROI rollup files its CSVs: the stack's bucket (set by the CDK app), else a directory (set by the local runtime). */
  LEADS_REPORTS_BUCKET: z.optional(z.string().check(z.minLength(1))),
  LEADS_REPORTS_DIR: z.optional(z.string().check(z.minLength(1))),
});

export interface LambdaSettings {
  tableName: string;
  eventBusName: string;
  /** The configuration as `npm start` or the CDK app validated and wrote it. */
  validatedConfigFile: string;
  region: string;
  endpoints: { dynamodb?: string; eventbridge?: string; ses?: string; sms?: string };
  /** Per-call SDK timeouts of the handlers' clients, so a silent service fails inside the function's time. */
  requestTimeouts: { connectionTimeout: number; requestTimeout: number };
  publicBaseUrl?: string;
  thirdParty: { turnstileVerifyUrl: string; metaGraphBaseUrl: string; linkedInBaseUrl: string; tiktokBaseUrl: string; googleDataManagerBaseUrl: string };
  secrets: { source: 'secrets-manager'; prefix: string } | ({ source: 'local' } & LocalSecretSources);
  /** Report files: an S3 bucket, or a local directory (`.leads-data/reports` by default). */
  reports: { bucket: string } | { directory: string };
}

export function readLambdaSettings(env: NodeJS.ProcessEnv = process.env): LambdaSettings {
  const parsed = parseEnv(lambdaSettingsSchema, env);
  return {
    tableName: parsed.LEADS_TABLE_NAME,
    eventBusName: parsed.LEADS_EVENT_BUS_NAME,
    validatedConfigFile: parsed.LEADS_VALIDATED_CONFIG_FILE,
    region: parsed.AWS_REGION,
    requestTimeouts: lambdaRequestTimeouts,
    endpoints: { dynamodb: parsed.LEADS_DYNAMODB_ENDPOINT, eventbridge: parsed.LEADS_EVENTBRIDGE_ENDPOINT, ses: parsed.LEADS_SES_ENDPOINT, sms: parsed.LEADS_SMS_ENDPOINT },
    publicBaseUrl: parsed.LEADS_PUBLIC_BASE_URL,
    thirdParty: {
      turnstileVerifyUrl: parsed.LEADS_TURNSTILE_VERIFY_URL,
      metaGraphBaseUrl: parsed.LEADS_META_GRAPH_BASE_URL,
      linkedInBaseUrl: parsed.LEADS_LINKEDIN_API_BASE_URL,
      tiktokBaseUrl: parsed.LEADS_TIKTOK_API_BASE_URL,
      googleDataManagerBaseUrl: parsed.LEADS_GOOGLE_DATA_MANAGER_BASE_URL,
    },
    secrets: parsed.LEADS_SECRETS_MANAGER_PREFIX
      ? { source: 'secrets-manager', prefix: parsed.LEADS_SECRETS_MANAGER_PREFIX }
      : { source: 'local', demoFile: parsed.LEADS_DEMO_SECRETS_FILE, localFile: parsed.LEADS_SECRETS_FILE, inline: parsed.LEADS_SECRETS },
    reports: parsed.LEADS_REPORTS_BUCKET ? { bucket: parsed.LEADS_REPORTS_BUCKET } : { directory: parsed.LEADS_REPORTS_DIR ?? '.leads-data/reports' },
  };
}

/** Parses environment variables with `schema`, failing with the name of each offending variable. */
export function parseEnv<S extends z.core.$ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return result.data;
}
