/**
 * `npm run routing:dry-run -- --config <changed.json> [--days 30] [--table <name>] [--url <local runtime>]`:
 * replays the leads captured in the last days through a changed configuration's scoring and routing
 * and prints what would move, per route and per rep, with examples. In `channelRoi.measuredChannelPriors.mode:
 * apply` it scores as captures do, with the channel priors the last nightly rollup suggested over the
 * changed configuration's. It only reads (a Scan, and the measured priors): nothing is written, locally or in AWS.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError, dryRunRouting, withMeasuredChannelPriors, type Configuration, type LeadReroute, type RoutingDryRunReport } from '@leadflow/domain';
import { localClientSettings, localDynamoDbEndpoint } from '@leadflow/local-runtime';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, DynamoDbMeasuredPriorsReader, loadConfigurationFile, readLeadsCapturedSince, type MeasuredPriors } from '@leadflow/platform';
import { OperatorError, parseOptions, processTerminal, runCommand, type Terminal } from './operator-kit';

export const routingDryRunUsage = 'Usage: npm run routing:dry-run -- --config <changed.json> [--days 30] [--url http://127.0.0.1:3000 | --table <deployed table name>]';

const defaultUrl = 'http://127.0.0.1:3000';
const exampleCount = 5;
/** The longest look back `--days` takes: ten years, the most any retention setting may keep. Far beyond it the start is no date at all ("Invalid time value"). */
export const maxDryRunDays = 3650;

export interface RoutingDryRunDependencies {
  terminal: Terminal;
  now: () => Date;
}

export async function runRoutingDryRun(argv: string[], deps: RoutingDryRunDependencies): Promise<number> {
  const { values, positionals } = parseOptions(argv, { config: { type: 'string' }, days: { type: 'string', default: '30' }, table: { type: 'string' }, url: { type: 'string' } });
  if (positionals.length) throw new OperatorError(`unexpected "${positionals.join(' ')}"`);
  if (!values.config) throw new OperatorError('missing --config (the changed configuration to try)');
  if (values.table && values.url) throw new OperatorError('give --url (the local runtime) or --table (a deployed table), not both');
  if (!/^[1-9]\d*$/.test(values.days) || Number(values.days) > maxDryRunDays) throw new OperatorError(`--days must be a whole number of days from 1 to ${maxDryRunDays}, such as 30, not "${values.days}"`);
  const configuration = changedConfiguration(values.config);
  const now = deps.now();
  const since = new Date(now.getTime() - Number(values.days) * 86_400_000);

  const { client, source } = values.table
    ? // A deployed table: the operator's own AWS credentials and region (profile or environment).
      { client: new DynamoDBClient({}), source: `table ${values.table}` }
    : await localClient(values.url ?? defaultUrl);
  try {
    const documents = DynamoDBDocumentClient.from(client);
    const tableName = values.table ?? tables.leads.name;
    const leads = await readLeadsCapturedSince(documents, tableName, since).catch((error: Error) => {
      throw new OperatorError(`Cannot read the leads from ${source}: ${error.message}`, 1);
    });
    // Captures in `apply` mode score with the suggested priors over the configured ones: so does the replay, or every measured channel would look like a change.
    const measured =
      configuration.channelRoi.measuredChannelPriors.mode === 'apply'
        ? await new DynamoDbMeasuredPriorsReader(documents, tableName).readMeasuredPriors().catch((error: Error) => {
            throw new OperatorError(`Cannot read the measured channel priors from ${source}: ${error.message}`, 1);
          })
        : undefined;
    const report = dryRunRouting(leads, withMeasuredChannelPriors(configuration, measured?.suggestedPriors), now);
    for (const line of reportLines(report, { source, configFile: values.config, days: values.days, since, measured })) deps.terminal.print(line);
    return 0;
  } finally {
    client.destroy();
  }
}

function changedConfiguration(path: string): Configuration {
  try {
    return loadConfigurationFile(resolve(path));
  } catch (error) {
    if (error instanceof ConfigurationError) throw new OperatorError(`The changed configuration is refused: ${error.message}`, 1);
    throw error;
  }
}

async function localClient(url: string): Promise<{ client: DynamoDBClient; source: string }> {
  const endpoint = await localDynamoDbEndpoint(url).catch((error: Error) => {
    throw new OperatorError(`${error.message} Give --url, or --table for a deployed table.`, 1);
  });
  return { client: createDynamoDbClient(localClientSettings({ dynamodb: endpoint })), source: `the local runtime at ${url}` };
}

/** The report as printed: what was compared, then per route, per rep, and a few example leads. */
export function reportLines(report: RoutingDryRunReport, run: { source: string; configFile: string; days: string; since: Date; measured?: MeasuredPriors }): string[] {
  const column = (text: string | number, width: number) => String(text).padStart(width);
  const routeWidth = Math.max(5, ...report.routes.map((route) => route.routeId.length));
  const repWidth = Math.max(3, ...report.reps.map((rep) => rep.repId.length));
  return [
    `Routing dry run of ${run.configFile} over ${report.replayed} leads captured since ${run.since.toISOString()} (last ${run.days} days), read from ${run.source}. Nothing was written.`,
    'Compared with each lead record: its stored score, the route and pool of its routing decision, and its owner.',
    ...(run.measured ? [`Scored with the channel priors measured from ${run.measured.from} to ${run.measured.to} (${priorsText(run.measured.suggestedPriors)}) over the configured ones.`] : []),
    "Not replayed: round-robin and weighted turns, reps' open-lead counts, out of office and working hours at the time.",
    '',
    `Score:  ${report.pointsChanged} leads would change points, ${report.gradeChanged} grade, ${report.temperatureChanged} temperature.`,
    `Routes: ${report.routeChanged} leads would take another route, ${report.poolChanged} another pool.`,
    '',
    `${'route'.padEnd(routeWidth)}  ${column('now', 5)}  ${column('after', 5)}  ${column('in', 5)}  ${column('out', 5)}`,
    ...report.routes.map((route) => `${route.routeId.padEnd(routeWidth)}  ${column(route.before, 5)}  ${column(route.after, 5)}  ${column(route.movingIn, 5)}  ${column(route.movingOut, 5)}`),
    '',
    `Reps: a gain is a lead the route would give the rep as its only candidate (active, in the pool, covering the territory);`,
    `a loss is a lead the rep owns that the changed route could no longer give them. ${report.ownerDecidedByTurnOrLoad} leads would get an owner chosen by turn or load, counted for nobody.`,
    ...(report.reps.length
      ? [`${'rep'.padEnd(repWidth)}  ${column('gains', 6)}  ${column('losses', 6)}`, ...report.reps.map((rep) => `${rep.repId.padEnd(repWidth)}  ${column(rep.gains, 6)}  ${column(rep.losses, 6)}`)]
      : ['No rep gains or loses a lead.']),
    '',
    ...(report.changes.length
      ? [`Examples (${Math.min(exampleCount, report.changes.length)} of ${report.changes.length} leads that would change, newest first):`, ...report.changes.slice(0, exampleCount).map(exampleLine)]
      : ['No lead would change.']),
  ];
}

function priorsText(priors: Record<string, number>): string {
  const entries = Object.entries(priors).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([channel, prior]) => `${channel} ${prior}`).join(', ') : 'no channel had enough leads for one';
}

function exampleLine({ leadId, before, after }: LeadReroute): string {
  const owner = after.pooled ? 'pool' : (after.firstCandidate ?? `turn or load (${after.candidates.join(', ')})`);
  return `  ${leadId}: route ${before.routeId} → ${after.routeId}, pool ${before.poolId ?? '-'} → ${after.poolId}, grade ${before.grade ?? '-'} → ${after.grade}, temperature ${before.temperature ?? '-'} → ${after.temperature}, owner ${before.ownerId ?? 'none'} → ${owner}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCommand(() => runRoutingDryRun(process.argv.slice(2), { terminal: processTerminal, now: () => new Date() }), routingDryRunUsage);
}
