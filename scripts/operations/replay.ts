/**
 * `npm run replay -- --stage <stage> --from <ISO time> --to <ISO time> [--rule <rule name>]...`: replays
 * the lead events archived between two times onto the stage's bus (EventBridge StartReplay), to every
 * rule or only to the named manifest rules. Consumers are idempotent (assignment skips owned leads, the
 * notifier logs what it sent), so replaying events they already handled does no harm.
 */
import { pathToFileURL } from 'node:url';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { deployedConfiguration } from '@leadflow/domain';
import { manifestFunctions } from '@leadflow/manifest';
import { loadConfigurationFile } from '@leadflow/platform';
import { projectRoot } from '../../infra/lead-app';
import { resolveStage } from '../../infra/stage';
import { outputNames } from '../../infra/operator-outputs';
import { OperatorError, parseOptions, processTerminal, readStackOutputs, requiredOutput, runCommand, type Terminal } from './operator-kit';

export const replayUsage = 'Usage: npm run replay -- --stage <stage> --from <ISO 8601 time> --to <ISO 8601 time> [--rule <rule name>]...';

export interface ReplayDependencies {
  eventBridge: EventBridgeClient;
  cloudFormation: CloudFormationClient;
  terminal: Terminal;
  now: () => Date;
}

export async function runReplay(argv: string[], deps: ReplayDependencies): Promise<number> {
  const { values, positionals } = parseOptions(argv, { stage: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, rule: { type: 'string', multiple: true } });
  if (positionals.length) throw new OperatorError(`unexpected "${positionals.join(' ')}"`);
  const missing = (['stage', 'from', 'to'] as const).filter((option) => !values[option]);
  if (missing.length) throw new OperatorError(`missing ${missing.map((option) => `--${option}`).join(', ')}`);
  const { stage, from: fromText, to: toText } = values;
  if (!stage || !fromText || !toText) throw new OperatorError(`missing ${missing.map((option) => `--${option}`).join(', ')}`);
  const from = instant('--from', fromText);
  const to = instant('--to', toText);
  if (from >= to) throw new OperatorError('--from must be before --to');
  if (to > deps.now()) throw new OperatorError('--to must not be in the future');
  // The stage's routing table and destinations decide which rules exist, so the names come from its configuration as deployed (without local-only destinations).
  const configuration = deployedConfiguration(loadConfigurationFile(resolveStage({ stage }, projectRoot).configurationFile));
  const ruleNames = manifestFunctions(configuration).flatMap((definition) => (definition.trigger.kind === 'event' ? definition.trigger.rules.map((rule) => rule.ruleName) : []));
  const unknown = (values.rule ?? []).filter((rule) => !ruleNames.includes(rule));
  if (unknown.length) throw new OperatorError(`unknown rule ${unknown.map((rule) => `"${rule}"`).join(', ')} (rules: ${ruleNames.join(', ')})`);

  const outputs = await readStackOutputs(deps.cloudFormation, stage);
  const busArn = requiredOutput(outputs, outputNames.eventBusArn);
  // arn:aws:events:<region>:<account>:event-bus/<bus> → arn:aws:events:<region>:<account>:rule/<bus>/<rule>
  const ruleArns = (values.rule ?? []).map((rule) => busArn.replace(/:event-bus\/(.+)$/, `:rule/$1/${rule}`));
  const replayName = `leadflow-${values.stage}-${deps
    .now()
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14)}`;
  const started = await deps.eventBridge.send(
    new StartReplayCommand({
      ReplayName: replayName,
      Description: `npm run replay ${from.toISOString()} → ${to.toISOString()}`,
      EventSourceArn: requiredOutput(outputs, outputNames.eventArchiveArn),
      EventStartTime: from,
      EventEndTime: to,
      Destination: { Arn: busArn, FilterArns: ruleArns.length ? ruleArns : undefined },
    }),
  );
  deps.terminal.print(
    `Replay ${replayName} ${started.State ?? 'started'}: events from ${from.toISOString()} to ${to.toISOString()} onto ${busArn}${ruleArns.length ? ` for ${(values.rule ?? []).join(', ')}` : ' for every rule'}.`,
  );
  deps.terminal.print(`Follow it with: aws events describe-replay --replay-name ${replayName}`);
  return 0;
}

function instant(option: string, value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(Date.parse(value))) throw new OperatorError(`${option} must be an ISO 8601 time such as 2026-03-02T10:00:00Z, not "${value}"`);
  return new Date(value);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCommand(
    () => runReplay(process.argv.slice(2), { eventBridge: new EventBridgeClient({}), cloudFormation: new CloudFormationClient({}), terminal: processTerminal, now: () => new Date() }),
    replayUsage,
  );
}
