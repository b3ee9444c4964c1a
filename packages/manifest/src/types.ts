import type { SecretKind } from '@leadflow/domain';
import type { TableAccess } from './table-access';

/**
 * How a caller proves who it is: nobody (public capture), a bearer JWT verified before the handler
 * runs (its roles are then checked by the handler, from the token's claims), or a signature the
 * handler checks over the raw body.
 */
export type RouteAuth = { mode: 'public' } | { mode: 'jwt' } | { mode: 'signed-webhook' };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface HttpTrigger {
  kind: 'http';
  method: HttpMethod;
  /** API Gateway path syntax: `/forms/{formId}/submissions`. */
  path: string;
  auth: RouteAuth;
  /** A route that takes leads from the public (a form post, embed.js, an ad platform's delivery): throttled with the stage's `apiThrottle.captureRoutes` rather than `otherRoutes`, and alarmed when throttled. */
  throttle?: 'capture';
  /**
   * A `GET` that answers `HEAD` too, by the same handler, without the body: a link in an email, which mail
   * scanners and link previews probe with `HEAD` before (or instead of) opening it. The handler must change nothing on a `GET`.
   */
  answersHead?: true;
}

/** The `METHOD path` of each route a trigger is: its own, and `HEAD path` beside a `GET` that answers it. */
export function routeKeysOf(trigger: Pick<HttpTrigger, 'method' | 'path' | 'answersHead'>): string[] {
  const own = `${trigger.method} ${trigger.path}`;
  return trigger.answersHead ? [own, `HEAD ${trigger.path}`] : [own];
}

/**
 * What a rule hands its target instead of the whole event: EventBridge's input transformer. Each
 * `inputPathsMap` entry names a JSONPath into the event (`$.detail`); `<name>` in the template is
 * replaced by that value, as are the predefined `<aws.events.rule-name>`, `<aws.events.event>` and
 * `<aws.events.event.json>`.
 */
export interface RuleTargetInput {
  inputPathsMap: Record<string, string>;
  inputTemplate: string;
}

/** One EventBridge rule: its name, its pattern and, optionally, the input it hands the target. */
export interface EventRule {
  ruleName: string;
  pattern: Record<string, unknown>;
  input?: RuleTargetInput;
}

/** EventBridge rules on the lead bus that invoke the function asynchronously. */
export interface EventTrigger {
  kind: 'event';
  rules: readonly EventRule[];
  /**
   * Retries after a failed attempt (0-2, Lambda's asynchronous-invocation limit), after which the event
   * goes to the function's dead-letter queue. Applied to the rule target and to the function alike.
   */
  retryAttempts: 0 | 1 | 2;
  maxEventAgeSeconds: number;
}

/** A schedule: an EventBridge `rate(...)` or `cron(...)` expression, evaluated in `timeZone`. */
export interface ScheduleTrigger {
  kind: 'schedule';
  scheduleName: string;
  expression: string;
  timeZone: string;
  /** Retries of a failed run (0-2) and how late a run may still start; a run works "as of" its own time. */
  retryAttempts: 0 | 1 | 2;
  maxEventAgeSeconds: number;
}

/**
 * What a scheduled function receives, in AWS (EventBridge Scheduler fills `time` from its
 * `<aws.scheduler.scheduled-time>` context attribute) and locally alike. Handlers take `time` as "now".
 */
export interface ScheduledInvocation {
  scheduleName: string;
  /** ISO 8601 instant the run is for. */
  time: string;
}

/** A DynamoDB stream of one of the manifest's tables, with Lambda event-filtering patterns. */
export interface StreamTrigger {
  kind: 'stream';
  table: TableName;
  filterPatterns: ReadonlyArray<Record<string, unknown>>;
  batchSize: number;
  maxRetryAttempts: number;
  /**
   * A batch whose invocation fails (the function throws or times out) is split in half and each half
   * delivered on its own, down to the record that fails: only that record uses up the retries and reaches
   * the on-failure destination. Splitting costs no retry.
   */
  bisectBatchOnError: boolean;
  /**
   * The function answers a batch with `{ batchItemFailures: [{ itemIdentifier: <sequence number> }] }`
   * (Lambda's `ReportBatchItemFailures`): the records before the lowest sequence number named are done,
   * and that record and those after it are retried, a retry that counts. An empty or absent list is
   * success; an entry with an empty or missing `itemIdentifier` fails the whole batch. Without this
   * setting the answer is ignored and a batch fails only by an error, so a function that reports its
   * failures needs it on.
   */
  reportBatchItemFailures: boolean;
  /** Batches of one shard processed at once (1-10); records with the same key stay in order. */
  parallelizationFactor: number;
  /**
   * How long Lambda may gather records before invoking (0-300 s). The local poller delivers what each
   * read finds at once, which is what a window of 0 means.
   */
  maxBatchingWindowSeconds: number;
}

export type Trigger = HttpTrigger | EventTrigger | ScheduleTrigger | StreamTrigger;

export interface FunctionDefinition {
  /** kebab-case; also the folder under `functions/`. */
  name: string;
  description: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  trigger: Trigger;
  /** The access to each table the handler uses (see `tableAccessActions`); a table left out is not granted. */
  tables: Partial<Record<TableName, TableAccess>>;
  /** Needs to put events on the lead bus. */
  publishesEvents?: boolean;
  /** Needs to send email (SES). */
  sendsEmail?: boolean;
  /** Needs to send SMS (AWS End User Messaging SMS `SendTextMessage`). */
  sendsSms?: boolean;
  /**
   * Builds URLs on the HTTP API (one-tap and unsubscribe links; locally, stand-in webhook paths): its handler
   * names the `publicBaseUrl` provider, and the CDK app gives it the API's URL. Never on an HTTP function,
   * whose API URL would then depend on the function itself.
   */
  usesPublicBaseUrl?: boolean;
  /** Files reports into the stack's report bucket (the local runtime: its data directory). */
  writesReports?: boolean;
  /**
   * The kinds of secret the handler reads; it is granted exactly the configured secrets of these kinds
   * (e.g. `google-form-key`: the key of every configured Google form) and no other.
   */
  secrets?: readonly SecretKind[];
  /**
   * Files in the handler's own folder that it reads at run time (e.g. a script it serves). They are
   * copied next to the Lambda bundle, so `new URL('./<file>', import.meta.url)` finds them in both places.
   */
  assets?: readonly string[];
  timeoutSeconds?: number;
  memoryMb?: number;
  /**
   * On the path from a lead's capture to its rep's first message: capture, the relay, assignment and
   * the rep notifiers. In AWS each function runs on its own capacity and this changes nothing; the
   * local runtime, where every function shares two cores, holds other deliveries back while these run.
   */
  speedToLead?: true;
}

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  /** Logical name; the physical name is given per deployment. */
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  timeToLiveAttribute?: string;
  stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  globalSecondaryIndexes: ReadonlyArray<{ indexName: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }>;
}

export type TableName = 'leads';
