/**
 * `npm run dlq -- list|show <function>|redrive <function> [--stage <stage>] [--url <local runtime>]`:
 * what exhausted its retries. With `--stage`, the stage's SQS dead-letter queues (found through the
 * `DeadLetterQueues` stack output); without it, the running local runtime's dead letters.
 *
 * A redrive runs the function once more with each message (Lambda asynchronous invoke) and deletes the
 * message once Lambda has accepted it; the function's own retries and queue apply again. Consumers are
 * idempotent, so a message redriven twice does no harm. A message EventBridge wrote itself (it could not
 * invoke the function) holds the bus event and names its rule in `RULE_ARN`: the function is handed what
 * that rule would have given it (its input transformer, from the stage's configuration). Stream failures are descriptions (shard and
 * sequence numbers), not records: they cannot be redriven; the outbox sweep republishes what the relay missed.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { deployedConfiguration } from '@leadflow/domain';
import { applyRuleTargetInput, readLocalRuntimeSettings, type BusEvent, type DeadLetter } from '@leadflow/local-runtime';
import { manifestFunctions, type RuleTargetInput } from '@leadflow/manifest';
import { loadConfigurationFile } from '@leadflow/platform';
import { projectRoot } from '../../infra/lead-app';
import { outputNames, type DeadLetterQueueOutput } from '../../infra/operator-outputs';
import { resolveStage } from '../../infra/stage';
import { OperatorError, parseOptions, processTerminal, readStackOutputs, requiredOutput, runCommand, type Terminal } from './operator-kit';

export const dlqUsage = 'Usage: npm run dlq -- list | show <function> | redrive <function>   [--stage <stage> | --url http://127.0.0.1:3000]';

export interface DlqDependencies {
  sqs: SQSClient;
  lambda: LambdaClient;
  cloudFormation: CloudFormationClient;
  fetch: typeof fetch;
  terminal: Terminal;
  /** The local runtime's function names, for `show` and `redrive` without `--stage`; by default from its configuration file. */
  localFunctionNames?: () => readonly string[];
}

type Command = { action: 'list' } | { action: 'show' | 'redrive'; functionName: string };

export async function runDlq(argv: string[], deps: DlqDependencies): Promise<number> {
  const { values, positionals } = parseOptions(argv, { stage: { type: 'string' }, url: { type: 'string' }, max: { type: 'string' } });
  const command = commandOf(positionals);
  if (values.stage && values.url) throw new OperatorError('give --stage (AWS) or --url (a local runtime), not both');
  const max = values.max === undefined ? 100 : Number(values.max);
  if (!Number.isInteger(max) || max < 1) throw new OperatorError(`--max must be a positive whole number, not "${values.max}"`);
  if (values.stage) return stageDeadLetters(values.stage, command, max, deps);
  return localDeadLetters(values.url ?? 'http://127.0.0.1:3000', command, deps);
}

function commandOf(positionals: string[]): Command {
  const [action, functionName, ...extra] = positionals;
  if (action === 'list' && !functionName) return { action };
  if ((action === 'show' || action === 'redrive') && functionName && extra.length === 0) return { action, functionName };
  throw new OperatorError(action === 'show' || action === 'redrive' ? `${action} needs one function name, e.g. ${action} notify-rep` : `unknown command "${positionals.join(' ')}"`);
}

async function stageDeadLetters(stage: string, command: Command, max: number, deps: DlqDependencies): Promise<number> {
  const queues = JSON.parse(requiredOutput(await readStackOutputs(deps.cloudFormation, stage), outputNames.deadLetterQueues)) as DeadLetterQueueOutput;
  if (command.action === 'list') {
    for (const [name, queue] of Object.entries(queues)) {
      const { Attributes } = await deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      deps.terminal.print(`${name.padEnd(28)} ${Attributes?.ApproximateNumberOfMessages ?? '?'} waiting`);
    }
    return 0;
  }
  const queue = queues[command.functionName];
  if (!queue) throw new OperatorError(`"${command.functionName}" has no dead-letter queue in stage ${stage} (functions with one: ${Object.keys(queues).join(', ')})`, 1);

  if (command.action === 'show') {
    // A zero visibility timeout peeks: the messages stay in the queue for the next look or a redrive. A long
    // poll asks every SQS server, where a short one samples a few and can answer empty while messages wait.
    const { Messages = [] } = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 2,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    if (Messages.length === 0) deps.terminal.print(`${command.functionName}: no dead letters.`);
    for (const message of Messages) deps.terminal.print(describeMessage(message));
    return 0;
  }

  if (queue.trigger === 'stream') {
    throw new OperatorError(
      `${command.functionName} reads a table stream: its dead letters describe failed batches (shard and sequence numbers) and cannot be run again. Inspect them with "show"; the outbox sweep republishes events the relay missed.`,
      1,
    );
  }
  const ruleInputs = lazyRuleInputs(stage, command.functionName);
  let redriven = 0;
  const left = new Set<string>();
  receiving: while (redriven < max) {
    const { Messages = [] } = await deps.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: Math.min(10, max - redriven), VisibilityTimeout: 60, WaitTimeSeconds: 1, MessageAttributeNames: [ruleArnAttribute] }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      // One left in the queue came back (its 60 s were up): every message still there has been seen.
      if (left.has(message.MessageId ?? '')) break receiving;
      const payload = redrivePayload(message, ruleInputs);
      if (typeof payload !== 'string') {
        // Stays in the queue (visible again after the receive's 60 s) for the operator to look at.
        left.add(message.MessageId ?? '');
        deps.terminal.warn(`${message.MessageId}: left in the queue: ${payload.problem}`);
        continue;
      }
      await deps.lambda.send(new InvokeCommand({ FunctionName: queue.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(payload) }));
      await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      redriven += 1;
    }
  }
  deps.terminal.print(`${command.functionName}: ${redriven} message(s) handed back to ${queue.functionName}${left.size ? `, ${left.size} left in the queue` : ''}.`);
  return left.size === 0 ? 0 : 1;
}

/** The attribute EventBridge puts on a dead letter it wrote itself; Lambda's own dead letters carry `RequestID`, `ErrorCode` and `ErrorMessage` instead. */
const ruleArnAttribute = 'RULE_ARN';

/** The input transformer of each rule of a function, by rule name, as the stage's configuration deploys them; read once, when first needed. */
function lazyRuleInputs(stage: string, functionName: string): () => ReadonlyMap<string, RuleTargetInput | undefined> {
  let inputs: ReadonlyMap<string, RuleTargetInput | undefined> | undefined;
  return () => {
    if (inputs) return inputs;
    const configuration = deployedConfiguration(loadConfigurationFile(resolveStage({ stage }, projectRoot).configurationFile));
    const trigger = manifestFunctions(configuration).find((definition) => definition.name === functionName)?.trigger;
    inputs = new Map(trigger?.kind === 'event' ? trigger.rules.map((rule) => [rule.ruleName, rule.input]) : []);
    return inputs;
  };
}

/**
 * What to invoke the function with: a Lambda dead letter's body as it is (the function's own input); for
 * one EventBridge wrote, what its rule hands the target (the event, or its input transformer's output),
 * since the body is the event as it was on the bus.
 */
function redrivePayload(message: Message, ruleInputs: () => ReadonlyMap<string, RuleTargetInput | undefined>): string | { problem: string } {
  const body = message.Body ?? '{}';
  const ruleArn = message.MessageAttributes?.[ruleArnAttribute]?.StringValue;
  if (ruleArn === undefined) return body;
  // arn:aws:events:<region>:<account>:rule/<bus>/<rule> (a custom bus), or rule/<rule> on the default bus.
  const [, eventBusName = 'default', ruleName] = /:rule\/(?:([^/]+)\/)?([^/]+)$/.exec(ruleArn) ?? [];
  if (!ruleName || !ruleInputs().has(ruleName)) return { problem: `EventBridge dead-lettered it from rule ${ruleArn}, which the stage's configuration does not give this function.` };
  const input = ruleInputs().get(ruleName);
  if (!input) return body;
  const event = JSON.parse(body) as BusEvent;
  // The dead letter does not say when EventBridge took the event in: its own time stands in for that.
  return JSON.stringify(applyRuleTargetInput(input, event, { ruleName, eventBusName, ingestedAt: event.time }));
}

function describeMessage(message: Message): string {
  const attributes = Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => `${name}=${value.StringValue ?? ''}`);
  const sent = message.Attributes?.SentTimestamp ? new Date(Number(message.Attributes.SentTimestamp)).toISOString() : 'unknown time';
  return [`--- ${message.MessageId} (dead-lettered ${sent})${attributes.length ? ` ${attributes.join(' ')}` : ''}`, message.Body ?? ''].join('\n');
}

async function localDeadLetters(url: string, command: Command, deps: DlqDependencies): Promise<number> {
  const request = async (path: string, init?: RequestInit) => {
    try {
      return await deps.fetch(new URL(path, url), init);
    } catch (error) {
      throw new OperatorError(`Cannot reach the local runtime at ${url} (${(error as Error).message}); start it with npm start, or give --stage for AWS`, 1);
    }
  };
  const deadLetters = await localDeadLetterList(await request('/_local/dead-letters'), url);
  if (command.action !== 'list') {
    // A misspelt name would otherwise read as "no dead letters" and exit 0.
    const known = (deps.localFunctionNames ?? localFunctionNames)();
    if (!known.includes(command.functionName)) throw new OperatorError(`"${command.functionName}" is not a function of the local runtime (functions: ${known.join(', ')})`, 1);
  }
  if (command.action === 'list') {
    const counts = new Map<string, number>();
    for (const deadLetter of deadLetters) counts.set(deadLetter.target, (counts.get(deadLetter.target) ?? 0) + 1);
    if (counts.size === 0) deps.terminal.print('No dead letters.');
    for (const [target, count] of counts) deps.terminal.print(`${target.padEnd(28)} ${count} waiting`);
    return 0;
  }
  const mine = deadLetters.filter((deadLetter) => deadLetter.target === command.functionName);
  if (command.action === 'show') {
    if (mine.length === 0) deps.terminal.print(`${command.functionName}: no dead letters.`);
    for (const deadLetter of mine) deps.terminal.print(`--- ${deadLetter.id} (${deadLetter.origin}, ${deadLetter.at}) ${deadLetter.error}\n${JSON.stringify(deadLetter.payload)}`);
    return 0;
  }
  let failed = 0;
  for (const deadLetter of mine) {
    const response = await request(`/_local/dead-letters/${encodeURIComponent(deadLetter.id)}/redrive`, { method: 'POST' });
    if (!response.ok) {
      failed += 1;
      deps.terminal.warn(`${deadLetter.id}: ${((await response.json()) as { error: string }).error}`);
    }
  }
  deps.terminal.print(`${command.functionName}: ${mine.length - failed} of ${mine.length} dead letter(s) redriven.`);
  return failed === 0 ? 0 : 1;
}

/** The dead letters of a local runtime's answer, or why the answer is not one (another server at `--url`, a runtime of another version). */
async function localDeadLetterList(response: Response, url: string): Promise<DeadLetter[]> {
  const body: unknown = response.ok ? await response.json().catch(() => undefined) : undefined;
  if (!Array.isArray(body)) throw new OperatorError(`${url} did not answer as a Leadflow local runtime (GET /_local/dead-letters: HTTP ${response.status}); give the URL npm start printed, or --stage for AWS`, 1);
  return body as DeadLetter[];
}

/** The functions of the local runtime's configuration (`LEADS_CONFIG_FILE`, as `npm start` reads it). */
function localFunctionNames(): string[] {
  return manifestFunctions(loadConfigurationFile(resolve(readLocalRuntimeSettings().configFile))).map((definition) => definition.name);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCommand(
    () => runDlq(process.argv.slice(2), { sqs: new SQSClient({}), lambda: new LambdaClient({}), cloudFormation: new CloudFormationClient({}), fetch, terminal: processTerminal }),
    dlqUsage,
  );
}
