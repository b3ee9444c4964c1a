import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { amountDecimalsOf, decodeText, formatAmount, formatCsvLine, rollupNeededNote, type ChannelDaySpend, type SpendRowIssue } from '@leadflow/domain';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, DynamoDbChannelRoiStore, loadConfigurationFile, readSpend, recordSpend } from '@leadflow/platform';
import { localClientSettings } from './local-aws-clients';
import { readLocalRuntimeSettings } from './local-settings';
import { interruptedExitCode, stopOnCtrlC } from './ctrl-c';
import { dynamoDbEndpointOf, httpUrlOption, leadsTableAt, runImportCommand, UsageError } from './import-command';
import { progressBar } from './progress-bar';

const usage = 'Usage: npm run import-spend -- <file.csv> [--url http://127.0.0.1:3000 | --dynamodb-endpoint <url>]';
/** Day-and-channel groups written per step of the progress bar (each a transaction of its own). */
const groupsPerWrite = 25;

/**
 * `npm run import-spend -- spend.csv`: records ad spend (date, channel, campaign, amount, currency) in the
 * running local runtime with the checks of `POST /spend`. The file is taken whole or not at all: with any
 * row error nothing is written and the errors go to `<file>.errors.csv`. It is written `groupsPerWrite` days
 * and channels at a time, each with its days' changed marks: Ctrl-C starts no further write, and the command
 * says which days and channels were replaced and which were not.
 */
async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, 'dynamodb-endpoint': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `give one file, not ${positionals.length}` : 'give the spend CSV file to import');
  const path = positionals[0];
  httpUrlOption('--url', values.url);
  if (values['dynamodb-endpoint'] !== undefined) httpUrlOption('--dynamodb-endpoint', values['dynamodb-endpoint']);
  const config = loadConfigurationFile(resolve(readLocalRuntimeSettings().configFile));
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`, 1);
  }
  const text = decodeText(bytes);
  if (!text.ok) throw new UsageError(`${path} is not UTF-8 (line ${text.line} is not); save it as "CSV UTF-8"`, 1);

  const parsed = readSpend({ csv: text.text }, config, new Date());
  const reportPath = `${path}.errors.csv`;
  if (!parsed.ok) {
    writeFileSync(reportPath, [formatCsvLine(['row', 'field', 'message']), ...parsed.issues.map(errorLine)].join(''));
    console.error(`${path} was not imported: ${parsed.issues.length} problem(s), nothing was written. See ${reportPath}:\n${parsed.issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`);
    return 1;
  }
  if (existsSync(reportPath)) rmSync(reportPath);

  // Ctrl-C: the write in flight finishes (a transaction: its days and channels are replaced whole, with their changed marks), none starts after it.
  const interrupted = stopOnCtrlC('Interrupted: stopping once the days and channels being written are written…');
  const endpoint = values['dynamodb-endpoint'] ?? (await dynamoDbEndpointOf(values.url));
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: endpoint }));
  const roi = new DynamoDbChannelRoiStore(documentClientOf(raw), tables.leads.name);
  const rollupNeeded = new Set<string>();
  let written = 0;
  try {
    // Before anything is written: another server at the endpoint would otherwise fail the first write with an unnamed error.
    await leadsTableAt(raw, endpoint);
    const bar = progressBar(process.stderr, `Importing ${path}`);
    try {
      while (written < parsed.spend.length && !interrupted.aborted) {
        bar.update(written, parsed.spend.length);
        const groups = parsed.spend.slice(written, written + groupsPerWrite);
        const recorded = await recordSpend(groups, { config, roi, now: () => new Date() });
        for (const day of recorded.rollupNeeded) rollupNeeded.add(day);
        written += groups.length;
      }
      bar.update(written, parsed.spend.length);
    } catch (error) {
      bar.finish();
      console.error(`The import stopped: ${(error as Error).message}\nDays and channels written before it stopped are replaced; running the same import again replaces them all.`);
      return 1;
    }
    bar.finish();
  } finally {
    raw.destroy();
  }
  const stoppedAt = written < parsed.spend.length ? parsed.spend[written] : undefined;
  const spendOf = parsed.spend.slice(0, written);
  const total = spendOf.reduce((sum, group) => sum + group.campaigns.reduce((campaigns, campaign) => campaigns + campaign.cents, 0), 0);
  const days = new Set(spendOf.map((group) => group.day));
  console.log(
    [
      `Imported ${path}${stoppedAt ? ' in part (interrupted)' : ''}`,
      `  rows read        ${String(parsed.rows).padStart(7)}`,
      `  days × channels  ${String(written).padStart(7)}   replaced whole (${days.size} day(s))${stoppedAt ? `; ${parsed.spend.length - written} of the file's ${parsed.spend.length} not written` : ''}`,
      `  total spend      ${formatAmount(total, amountDecimalsOf(config.organisation.currency)).padStart(7)}   ${config.organisation.currency}${stoppedAt ? ' (written)' : ''}`,
      ...(rollupNeeded.size ? [rollupNeededNote([...rollupNeeded].sort(), config.channelRoi.lookbackDays)] : []),
    ].join('\n'),
  );
  if (!stoppedAt) return 0;
  console.error(interruptedNote(parsed.spend, written, stoppedAt));
  return interruptedExitCode;
}

/** Where an interrupted import stopped, what that leaves in the table, and that running it again finishes it. */
function interruptedNote(spend: readonly ChannelDaySpend[], written: number, stoppedAt: ChannelDaySpend): string {
  const last = spend[spend.length - 1];
  const notWritten = `${stoppedAt.day} ${stoppedAt.channel} to ${last.day} ${last.channel}`;
  if (written === 0) return `The import was interrupted (Ctrl-C) before anything was written: the table is as it was (${spend.length} days × channels not written, ${notWritten}).`;
  const previous = spend[written - 1];
  return [
    `The import stopped at ${stoppedAt.day} ${stoppedAt.channel}: it was interrupted (Ctrl-C).`,
    `Written: ${spend[0].day} ${spend[0].channel} to ${previous.day} ${previous.channel}, each day and channel replaced whole and its day marked for the nightly rollup;`,
    `not written: ${notWritten}, which keep the spend they had. Running the same import again replaces them all, the written ones with the same figures.`,
  ].join('\n');
}

/** `line 4.amount` → row `line 4`, field `amount`; `(header)` stays whole. */
function errorLine(issue: SpendRowIssue): string {
  const dot = issue.path.indexOf('.');
  return formatCsvLine(dot === -1 ? [issue.path, '', issue.message] : [issue.path.slice(0, dot), issue.path.slice(dot + 1), issue.message]);
}

runImportCommand(main, usage);
