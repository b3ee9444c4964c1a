import * as z from 'zod';
import { parseEnv } from '@leadflow/platform';

/** The local runtime's own settings (`npm start`, the import and token commands); Lambda bundles never read them. */
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
  /** Overrides the local secret `local/jwt-signing-secret`. */
  LEADS_LOCAL_JWT_SECRET: z.string().min(16).optional(),
  LEADS_SECRETS_FILE: z.string().default('config/secrets.local.json'),
  LEADS_SECRETS: z.string().min(1).optional(),
  LEADS_SCHEDULES: flag.default(true),
  LEADS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('WARN'),
  LEADS_EXPOSE_LOCAL_ROUTES: flag.default(false),
  LEADS_EVENT_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
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
  /**
   * Wait before a failed event target's first retry; the second waits twice as long. Lambda waits about
   * one and two minutes; a sixth of that still outlasts a database away for half a minute.
   */
  eventRetryDelayMs: number;
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
    eventRetryDelayMs: parsed.LEADS_EVENT_RETRY_DELAY_MS,
  };
}
