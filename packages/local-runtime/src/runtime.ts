import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { manifestFunctions, tables, type StreamTrigger } from '@leadflow/manifest';
import { createDynamoDbClient, loadConfigurationFile, logger, writeValidatedConfigurationFile, resetLambdaDependencies, type LocalSecretOrigin } from '@leadflow/platform';
import { type LocalRuntimeSettings } from './local-settings';
import { ActivityLog } from './activity-log';
import { LocalAwsEndpoint } from './aws-endpoint';
import { lockDataDir } from './data-dir-lock';
import { DeliveryJournal } from './delivery-journal';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { LocalEventBus } from './event-bus';
import { localClientSettings, localCredentials, localRegion } from './local-aws-clients';
import { FunctionHost } from './function-host';
import { HttpHost, type LocalRouteHandler } from './http-host';
import { guardLocalRoutes, isLoopbackName } from './local-route-guard';
import { localRoutes } from './local-routes';
import { LocalScheduler } from './scheduler';
import { settle } from './settle';
import { StreamPoller } from './stream-poller';
import { freePort } from './free-port';
import { standInsBasePath, thirdPartyStandIns } from './third-party-stand-ins';
import { crmStandIn, crmStandInSecrets } from './crm-stand-in';
import { PartStopError } from './runtime-stop-failure';
import { ensureTable } from './table-setup';
import { checkLocalSecrets, localJwtSecret, localJwtSecretName, localSecretSources, signsWithDemoJwtSecret } from './local-secrets';

export const localEventBusName = 'leadflow';

/** HOST values that mean "every interface". */
const wildcardHosts = new Set(['0.0.0.0', '::', '[::]']);

export interface LocalRuntime {
  url: string;
  endpoints: { http: string; dynamodb: string; eventbridge: string; ses: string; sms: string };
  /** Where report files go (the stand-in of the report bucket): `<data dir>/reports`, or a temporary directory in memory. */
  reportsDir: string;
  activity: ActivityLog;
  /** How many of the configuration's secrets came from each local source. */
  secretOrigins: Record<LocalSecretOrigin, number>;
  /**
   * Waits until everything written so far has gone through the streams and the bus; a stream that
   * keeps finding records for `streamTimeoutMs` (default 10 s) fails it, so give a long catch-up more.
   */
  settle(streamTimeoutMs?: number): Promise<void>;
  /**
   * Stops reading the table streams (every stream-triggered function, the outbox relay among them), as
   * disabling their event source mappings would: what is written waits in the stream. `settle()` waits
   * for them, so resume first.
   */
  pauseStreams(): Promise<void>;
  /** Reads the streams again from where they stopped. */
  resumeStreams(): void;
  /**
   * Stops in the reverse order of the start, DynamoDB Local last, except that the HTTP host closes only after the bus,
   * the stream pollers and the scheduler, whose handlers call its stand-ins. Every part starts nothing new from the
   * call on (no request but the stand-ins' is served, no retry, no waiting delivery, no stream batch, no schedule run),
   * and the work under way on the bus and the scheduler has `stopGraceMs` to finish: a delivery left undone is
   * delivered by the next start on the same data directory. A part that fails to stop does not keep the others
   * running: they all stop, then `stop` fails naming it.
   */
  stop(): Promise<void>;
}

/** How long a stop waits for the bus deliveries and the schedule runs under way, each. */
const stopGraceMs = 10_000;

/**
 * Starts the whole system on this machine, in the order each part needs the one before: DynamoDB Local,
 * the tables, the AWS endpoints (event bus, email), the handlers, the stream pollers, the scheduler,
 * and last the HTTP routes. Whatever started is stopped again if a later step fails.
 */
export async function startLocalRuntime(settings: LocalRuntimeSettings, rootDir = process.cwd()): Promise<LocalRuntime> {
  const configFile = resolve(rootDir, settings.configFile);
  // Refuses to start on a bad configuration, naming the field; its routing table becomes the bus's rules.
  const configuration = loadConfigurationFile(configFile);
  const functions = manifestFunctions(configuration);
  const secretSources = localSecretSources(settings, rootDir);
  const secretOrigins = await checkLocalSecrets(configuration, secretSources);
  const jwtSecret = localJwtSecret(settings, secretSources);
  // Beyond loopback the API is reachable from other machines: a token key everyone has (it is committed) would let them all in as admins.
  if (!isLoopbackName(settings.host) && signsWithDemoJwtSecret(settings, secretSources)) {
    throw new Error(
      `HOST=${settings.host} makes the API reachable from other machines, and local tokens are signed with the committed demo secret, with which anyone can make a token: set LEADS_LOCAL_JWT_SECRET, or "${localJwtSecretName}" in ${settings.secretsFile}, to a secret of your own (at least 16 characters)`,
    );
  }

  const stops: Array<{ part: string; stop: () => Promise<void> | void }> = [];
  // Called first, all at once: from the signal on, nothing starts a retry or new work while the parts before it stop.
  const halts: Array<() => void> = [];
  const stop = async () => {
    for (const halt of halts.splice(0)) halt();
    // A part that fails to stop leaves none of the parts after it running (DynamoDB Local, the data directory's lock).
    const failures: PartStopError[] = [];
    for (const { part, stop: stopPart } of stops.splice(0).reverse()) {
      try {
        await stopPart();
      } catch (error) {
        failures.push(new PartStopError(part, error));
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `The local runtime stopped, but ${failures.length} of its parts failed to: ${failures.map((error) => error.message).join('; ')}`);
  };
  try {
    const dataDir = settings.inMemory ? undefined : resolve(rootDir, settings.dataDir);
    const dynamoDbPath = dataDir && join(dataDir, 'dynamodb');
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const lock = dataDir && dynamoDbPath ? await lockDataDir(dataDir, dynamoDbPath) : undefined;
    if (lock) stops.push({ part: 'the data directory lock', stop: () => lock.release() });
    const reportsDir = dataDir ? join(dataDir, 'reports') : mkdtempSync(join(tmpdir(), 'leadflow-reports-'));
    if (!dataDir) stops.push({ part: 'the temporary reports directory', stop: () => rmSync(reportsDir, { recursive: true, force: true }) });
    // The handlers read the configuration validated above, defaults applied, as they do in Lambda.
    const configurationDir = dataDir ?? mkdtempSync(join(tmpdir(), 'leadflow-configuration-'));
    if (!dataDir) stops.push({ part: 'the temporary configuration directory', stop: () => rmSync(configurationDir, { recursive: true, force: true }) });
    const validatedConfigurationFile = writeValidatedConfigurationFile(configuration, join(configurationDir, 'validated-configuration.json'));
    const dynamo: DynamoDbLocal = await startDynamoDbLocal({ port: settings.dynamodbPort, dataDir: dynamoDbPath });
    stops.push({ part: 'DynamoDB Local', stop: () => dynamo.stop() });
    lock?.recordDynamoDbLocal(dynamo.pid);

    const dynamodb = createDynamoDbClient(localClientSettings({ dynamodb: dynamo.endpoint }));
    stops.push({ part: 'the DynamoDB client', stop: () => dynamodb.destroy() });
    for (const table of Object.values(tables)) await ensureTable(dynamodb, table.name, table);

    const activity = new ActivityLog({ deadLetterFile: dataDir && join(dataDir, 'dead-letters.jsonl'), sentCountFile: dataDir && join(dataDir, 'sent-message-counts.jsonl') });
    const host = new FunctionHost(functions, rootDir);
    const bus = new LocalEventBus(localEventBusName, functions, host, activity, settings.eventRetryDelayMs, dataDir ? new DeliveryJournal(join(dataDir, 'bus-deliveries.jsonl')) : undefined);
    const aws = new LocalAwsEndpoint(bus, activity);
    const awsEndpoint = await aws.start(settings.awsPort, '127.0.0.1');
    stops.push({ part: 'the local AWS endpoint (EventBridge, SES, SMS)', stop: () => aws.stop() });
    // Started last, the HTTP host stops here all the same, after the bus, the pollers and the scheduler: their
    // handlers still running call the stand-ins it serves. Halted with them, it takes no new request meanwhile.
    const httpHostStopsAt = stops.length;
    stops.push({ part: 'the event bus', stop: () => bus.stop(stopGraceMs) });
    halts.push(() => bus.halt());

    // The HTTP port is fixed now so handlers can be pointed at the stand-ins it will serve.
    const httpPort = settings.port || (await freePort(settings.host));
    const url = `http://${settings.host}:${httpPort}`;
    // The handlers reach the stand-ins over loopback when the host listens on every interface.
    const ownUrl = `http://${wildcardHosts.has(settings.host) ? '127.0.0.1' : settings.host}:${httpPort}`;
    Object.assign(process.env, {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      LEADS_TABLE_NAME: tables.leads.name,
      LEADS_EVENT_BUS_NAME: localEventBusName,
      // The tools run beside the handlers (import, webhooks) read the configuration itself; the handlers its validated copy.
      LEADS_CONFIG_FILE: configFile,
      LEADS_VALIDATED_CONFIG_FILE: validatedConfigurationFile,
      LEADS_DYNAMODB_ENDPOINT: dynamo.endpoint,
      LEADS_EVENTBRIDGE_ENDPOINT: awsEndpoint,
      LEADS_SES_ENDPOINT: awsEndpoint,
      LEADS_SMS_ENDPOINT: awsEndpoint,
      // One-tap links in notifications point at this runtime, whatever port it took.
      LEADS_PUBLIC_BASE_URL: ownUrl,
      LEADS_REPORTS_DIR: reportsDir,
      POWERTOOLS_LOG_LEVEL: settings.logLevel,
      // The handlers' metrics go under this service, as a stage's go under its stack name.
      POWERTOOLS_SERVICE_NAME: 'local',
      LEADS_TURNSTILE_VERIFY_URL: `${ownUrl}${standInsBasePath}/turnstile/siteverify`,
      LEADS_META_GRAPH_BASE_URL: `${ownUrl}${standInsBasePath}/meta-graph`,
      LEADS_LINKEDIN_API_BASE_URL: `${ownUrl}${standInsBasePath}/linkedin`,
      LEADS_TIKTOK_API_BASE_URL: `${ownUrl}${standInsBasePath}/tiktok`,
      LEADS_GOOGLE_DATA_MANAGER_BASE_URL: `${ownUrl}${standInsBasePath}/google-datamanager`,
      LEADS_DEMO_SECRETS_FILE: secretSources.demoFile,
      LEADS_SECRETS_FILE: secretSources.localFile,
    });
    // The handlers read the same sources; LEADS_SECRETS is whatever these settings said, not an older value.
    if (secretSources.inline === undefined) delete process.env.LEADS_SECRETS;
    else process.env.LEADS_SECRETS = secretSources.inline;
    resetLambdaDependencies();
    logger.chooseLogLevel(settings.logLevel as Parameters<typeof logger.chooseLogLevel>[0]);
    await host.load();

    const pollers = functions
      .filter((definition): definition is typeof definition & { trigger: StreamTrigger } => definition.trigger.kind === 'stream')
      .map((definition) => {
        const checkpointFile = dataDir && join(dataDir, `stream-checkpoint-${definition.name}.json`);
        return new StreamPoller(definition, tables[definition.trigger.table].name, dynamodb, dynamo.endpoint, host, activity, checkpointFile);
      });
    for (const poller of pollers) {
      await poller.start();
      stops.push({ part: `the stream poller of ${poller.functionName}`, stop: () => poller.stop() });
      halts.push(() => poller.halt());
      // A handler that just finished may have written outbox events: read them now, not after a quiet wait.
      host.onInvocationEnd(() => poller.wake());
    }

    // After the handlers are loaded: what a killed run accepted on its bus and never delivered goes out now.
    const resumed = bus.resumeJournalledDeliveries();
    if (resumed > 0) console.log(`Resuming ${resumed} event deliveries a previous run accepted and did not finish.`);

    const scheduler = new LocalScheduler(functions, host, activity);
    if (settings.schedulesEnabled) scheduler.start();
    stops.push({ part: 'the scheduler', stop: () => scheduler.stop(stopGraceMs) });
    halts.push(() => scheduler.halt());

    const endpoints = () => ({ http: url, dynamodb: dynamo.endpoint, eventbridge: awsEndpoint, ses: awsEndpoint, sms: awsEndpoint });
    if (!isLoopbackName(settings.host)) {
      console.warn(
        `WARNING: HOST=${settings.host} makes the Leadflow local runtime reachable from other machines. It has no real authentication: anyone who can reach it can post leads.` +
          (settings.exposeLocalRoutes
            ? ' LEADS_EXPOSE_LOCAL_ROUTES=1: /_local/ (every notification, i.e. personal data, and schedule runs) is served too, to requests that name this host.'
            : ' /_local/ is off (set LEADS_EXPOSE_LOCAL_ROUTES=1 to serve it).'),
      );
    }
    const [crm, otherStandIns] = [crmStandIn(crmStandInSecrets(configuration, secretSources)), thirdPartyStandIns()];
    const standIns: LocalRouteHandler = async (request) => (await crm(request)) ?? otherStandIns(request);
    const routes = guardLocalRoutes(localRoutes({ activity, scheduler, endpoints, standIns, invoke: (target, payload) => host.invoke(target, payload) }), {
      hostName: settings.host,
      exposed: settings.exposeLocalRoutes,
    });
    const http = new HttpHost(functions, host, jwtSecret, routes);
    await http.start(httpPort, settings.host);
    stops.splice(httpHostStopsAt, 0, { part: 'the HTTP host', stop: () => http.stop() });
    halts.push(() => http.halt());

    return {
      url,
      endpoints: endpoints(),
      reportsDir,
      activity,
      secretOrigins,
      settle: (streamTimeoutMs?: number) => settle(pollers, bus, streamTimeoutMs),
      pauseStreams: async () => {
        await Promise.all(pollers.map((poller) => poller.pause()));
      },
      resumeStreams: () => {
        for (const poller of pollers) poller.resume();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
