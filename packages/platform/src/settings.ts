import { z } from 'zod';
import type { LocalSecretSources } from './adapters/local-secret-store';

/**
 * The only module that reads `process.env`. Settings are parsed once and fail fast with the name of
 * the offending variable, so a misconfigured function dies at cold start rather than mid-request.
 */
const lambdaSettingsSchema = z.object({
  LEADS_TABLE_NAME: z.string().min(1),
  LEADS_EVENT_BUS_NAME: z.string().min(1),
  LEADS_CONFIG_FILE: z.string().min(1),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Endpoint overrides, set only by the local runtime and tests. */
  LEADS_DYNAMODB_ENDPOINT: z.url().optional(),
  LEADS_EVENTBRIDGE_ENDPOINT: z.url().optional(),
  LEADS_SES_ENDPOINT: z.url().optional(),
  /** Third-party APIs the handlers call; the local runtime points them at its stand-ins. */
  LEADS_TURNSTILE_VERIFY_URL: z.url().default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  /** Ad-platform APIs that leads are read back from (Meta Graph API, LinkedIn Marketing API, TikTok Business API). */
  LEADS_META_GRAPH_BASE_URL: z.url().default('https://graph.facebook.com'),
  LEADS_LINKEDIN_API_BASE_URL: z.url().default('https://api.linkedin.com'),
  LEADS_TIKTOK_API_BASE_URL: z.url().default('https://business-api.tiktok.com'),
  /** Google's Data Manager API, where conversions are reported (Meta's go to the Graph API above). */
  LEADS_GOOGLE_DATA_MANAGER_BASE_URL: z.url().default('https://datamanager.googleapis.com'),
  /** Set by the CDK app: secrets come from AWS Secrets Manager, each named `<prefix><secret name>`. */
  LEADS_SECRETS_MANAGER_PREFIX: z.string().min(1).optional(),
  /** Without a prefix (locally): demo values, then a git-ignored file, then `LEADS_SECRETS`, the last winning. */
  LEADS_DEMO_SECRETS_FILE: z.string().min(1).optional(),
  LEADS_SECRETS_FILE: z.string().min(1).optional(),
  LEADS_SECRETS: z.string().min(1).optional(),
  /** Where the channel-ROI rollup files its CSVs: the stack's bucket (set by the CDK app), else a directory (set by the local runtime). */
  LEADS_REPORTS_BUCKET: z.string().min(1).optional(),
  LEADS_REPORTS_DIR: z.string().min(1).optional(),
});

export interface LambdaSettings {
  tableName: string;
  eventBusName: string;
  configFile: string;
  region: string;
  endpoints: { dynamodb?: string; eventbridge?: string; ses?: string };
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
    configFile: parsed.LEADS_CONFIG_FILE,
    region: parsed.AWS_REGION,
    endpoints: { dynamodb: parsed.LEADS_DYNAMODB_ENDPOINT, eventbridge: parsed.LEADS_EVENTBRIDGE_ENDPOINT, ses: parsed.LEADS_SES_ENDPOINT },
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

const flag = z.enum(['0', '1', 'true', 'false', '']).transform((value) => value === '1' || value === 'true');
const port = z.coerce.number().int().min(0).max(65535);

const localSettingsSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().default('127.0.0.1'),
  LEADS_DATA_DIR: z.string().default('.leads-data'),
  LEADS_IN_MEMORY: flag.default(false),
  LEADS_CONFIG_FILE: z.string().default('config/leads.config.json'),
  LEADS_DYNAMODB_PORT: port.default(0),
  LEADS_AWS_PORT: port.default(0),
  /** Overrides the local secret `local/jwt-signing-secret`; no default here, as this module is in every bundle. */
  LEADS_LOCAL_JWT_SECRET: z.string().min(16).optional(),
  LEADS_SECRETS_FILE: z.string().default('config/secrets.local.json'),
  LEADS_SECRETS: z.string().min(1).optional(),
  LEADS_SCHEDULES: flag.default(true),
  LEADS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('WARN'),
  LEADS_EXPOSE_LOCAL_ROUTES: flag.default(false),
});

export interface LocalRuntimeSettings {
  port: number;
  host: string;
  dataDir: string;
  inMemory: boolean;
  configFile: string;
  /** 0 means "any free port". */
  dynamodbPort: number;
  awsPort: number;
  /** HS256 secret of local tokens, when given; else the local secret `local/jwt-signing-secret`. */
  jwtSecret?: string;
  /** The git-ignored file of local secret values. */
  secretsFile: string;
  /** JSON secret values that win over the file's (`LEADS_SECRETS`). */
  inlineSecrets?: string;
  /** Whether schedules fire on the local clock; they can always be run by hand. */
  schedulesEnabled: boolean;
  /** Log level of the handlers' Powertools logger while they run locally. */
  logLevel: string;
  /** Serve `/_local/` even when `host` is not a loopback address (they hold personal data). */
  exposeLocalRoutes: boolean;
}

export function readLocalRuntimeSettings(env: NodeJS.ProcessEnv = process.env): LocalRuntimeSettings {
  const parsed = parseEnv(localSettingsSchema, env);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    dataDir: parsed.LEADS_DATA_DIR,
    inMemory: parsed.LEADS_IN_MEMORY,
    configFile: parsed.LEADS_CONFIG_FILE,
    dynamodbPort: parsed.LEADS_DYNAMODB_PORT,
    awsPort: parsed.LEADS_AWS_PORT,
    jwtSecret: parsed.LEADS_LOCAL_JWT_SECRET,
    secretsFile: parsed.LEADS_SECRETS_FILE,
    inlineSecrets: parsed.LEADS_SECRETS,
    schedulesEnabled: parsed.LEADS_SCHEDULES,
    logLevel: parsed.LEADS_LOG_LEVEL,
    exposeLocalRoutes: parsed.LEADS_EXPOSE_LOCAL_ROUTES,
  };
}

function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return result.data;
}
