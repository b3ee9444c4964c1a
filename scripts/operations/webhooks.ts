/**
 * `npm run webhooks -- list | replay [--since <ISO time>] [--destination <id>] [--state <state>] [--stage <stage> | --url <local runtime>]`:
 * the outbound webhook deliveries of each destination, and their replay. Without `--stage` it works on
 * the running local runtime's DynamoDB (found through `GET /_local/endpoints`) with its configuration;
 * with `--stage`, on that stage's table (the `LeadsTableName` stack output) with the stage's
 * configuration and the operator's own AWS credentials.
 *
 * A replay only writes: each dead-lettered delivery (with `--since`, each one first queued since then,
 * and each one delivered since then) becomes pending again, due at once, with a fresh retry window, and no
 * longer expires until it ends again; one past `retention.webhookDeliveryDays` after it ended is not. The
 * next `retry-webhook-deliveries` run, within a minute, sends them while its time lasts (the runs after
 * it go on with the rest), with the same body and `Idempotency-Key` as before. `list --since` selects alike.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deployedConfiguration, webhookDeliveryStates, type Configuration, type WebhookDelivery, type WebhookDeliveryState } from '@leadflow/domain';
import { localClientSettings, localDynamoDbEndpoint, readLocalRuntimeSettings } from '@leadflow/local-runtime';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, DynamoDbWebhookDeliveryStore, loadConfigurationFile, replayWebhookDeliveries, type WebhookDeliveryStore } from '@leadflow/platform';
import { projectRoot } from '../../infra/lead-app';
import { resolveStage } from '../../infra/stage';
import { OperatorError, parseOptions, processTerminal, readStackOutputs, requiredOutput, runCommand, type Terminal } from './operator-kit';

export const webhooksUsage =
  'Usage: npm run webhooks -- list [--destination <id>] [--state pending|delivered|dead] [--since <ISO time>]\n' +
  '       npm run webhooks -- replay [--since <ISO time>] [--destination <id>]\n' +
  '       (each with --stage <stage> for AWS, or --url http://127.0.0.1:3000 for a local runtime)';

const defaultUrl = 'http://127.0.0.1:3000';
const leadsTableOutput = 'LeadsTableName';

export interface WebhooksDependencies {
  terminal: Terminal;
  cloudFormation: CloudFormationClient;
  now: () => Date;
}

export async function runWebhooks(argv: string[], deps: WebhooksDependencies): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    since: { type: 'string' },
    destination: { type: 'string' },
    state: { type: 'string' },
    stage: { type: 'string' },
    url: { type: 'string' },
  });
  const [action, ...extra] = positionals;
  if ((action !== 'list' && action !== 'replay') || extra.length) throw new OperatorError(`unknown command "${positionals.join(' ')}"`);
  if (values.stage && values.url) throw new OperatorError('give --stage (AWS) or --url (a local runtime), not both');
  if (action === 'replay' && values.state) throw new OperatorError('--state is for list; replay takes dead letters, and with --since what was delivered since');
  const since = values.since === undefined ? undefined : instant('--since', values.since);
  const state = values.state === undefined ? undefined : stateOf(values.state);

  const { config, store } = values.stage ? await stageStore(values.stage, deps) : await localStore(values.url ?? defaultUrl);
  const destinationIds = config.webhooks.destinations.filter((destination) => destination.enabled).map((destination) => destination.id);
  if (values.destination && !destinationIds.includes(values.destination)) {
    throw new OperatorError(`no enabled destination "${values.destination}" (destinations: ${destinationIds.join(', ') || 'none configured'})`, 1);
  }
  const chosen = values.destination ? [values.destination] : destinationIds;

  if (action === 'list') {
    for (const destinationId of chosen) {
      const deliveries = await store.list(destinationId, { states: state ? [state] : undefined, since });
      deps.terminal.print(`${destinationId}: ${summary(deliveries)}`);
      for (const delivery of deliveries) deps.terminal.print(describe(delivery));
    }
    return 0;
  }
  const replayed = await replayWebhookDeliveries({ destinationIds: chosen, since }, { config, webhooks: store }, deps.now());
  for (const delivery of replayed) deps.terminal.print(`queued again: ${delivery.destinationId} ${delivery.eventId} ${delivery.eventType}`);
  deps.terminal.print(`${replayed.length} deliver${replayed.length === 1 ? 'y' : 'ies'} queued again; the retry-webhook-deliveries schedule starts sending them within a minute.`);
  return 0;
}

async function localStore(url: string): Promise<{ config: Configuration; store: WebhookDeliveryStore }> {
  let endpoint: string;
  try {
    endpoint = await localDynamoDbEndpoint(url);
  } catch (error) {
    throw new OperatorError(`${(error as Error).message} Give --url, or --stage for AWS.`, 1);
  }
  const config = loadConfigurationFile(resolve(readLocalRuntimeSettings().configFile));
  return { config, store: new DynamoDbWebhookDeliveryStore(documentClientOf(createDynamoDbClient(localClientSettings({ dynamodb: endpoint }))), tables.leads.name, config.retention) };
}

async function stageStore(stage: string, deps: WebhooksDependencies): Promise<{ config: Configuration; store: WebhookDeliveryStore }> {
  // The destinations the stage deployed: local stand-in ones stay out of AWS.
  const config = deployedConfiguration(loadConfigurationFile(resolveStage({ stage }, projectRoot).configurationFile));
  const tableName = requiredOutput(await readStackOutputs(deps.cloudFormation, stage), leadsTableOutput);
  // The operator's own AWS credentials and region (profile or environment).
  return { config, store: new DynamoDbWebhookDeliveryStore(documentClientOf(new DynamoDBClient({})), tableName, config.retention) };
}

function summary(deliveries: readonly WebhookDelivery[]): string {
  const counts = webhookDeliveryStates.map((state) => `${deliveries.filter((delivery) => delivery.state === state).length} ${state}`);
  return counts.join(', ');
}

function describe(delivery: WebhookDelivery): string {
  const when = delivery.state === 'delivered' ? `delivered ${delivery.deliveredAt}` : delivery.state === 'dead' ? `dead-lettered ${delivery.deadLetteredAt}` : `next attempt ${delivery.nextAttemptAt}`;
  // The status stays when an erasure drops the error (which may quote the person): what the receiver answered, at least.
  const status = delivery.lastStatus === undefined ? '' : `, last status ${delivery.lastStatus}`;
  const error = delivery.lastError ? `, last error: ${delivery.lastError}` : '';
  return `  ${delivery.state.padEnd(9)} ${delivery.eventId} ${delivery.eventType} created ${delivery.createdAt}, ${delivery.attempts} attempt(s), ${when}${delivery.replays ? `, replayed ${delivery.replays}x` : ''}${status}${error}`;
}

function stateOf(value: string): WebhookDeliveryState {
  const state = webhookDeliveryStates.find((candidate) => candidate === value);
  if (!state) throw new OperatorError(`--state must be one of ${webhookDeliveryStates.join(', ')}, not "${value}"`);
  return state;
}

function instant(option: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(Date.parse(value))) throw new OperatorError(`${option} must be an ISO 8601 time such as 2026-03-02T10:00:00Z, not "${value}"`);
  return new Date(value).toISOString();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCommand(() => runWebhooks(process.argv.slice(2), { terminal: processTerminal, cloudFormation: new CloudFormationClient({}), now: () => new Date() }), webhooksUsage);
}
