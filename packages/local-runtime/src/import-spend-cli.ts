import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeText, formatCents, formatCsvLine, rollupNeededNote, type SpendRowIssue } from '@leadflow/domain';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, DynamoDbChannelRoiStore, loadConfigurationFile, readSpend, recordSpend } from '@leadflow/platform';
import { localClientSettings } from './local-aws-clients';
import { readLocalRuntimeSettings } from './local-settings';
import { dynamoDbEndpointOf, runImportCommand, UsageError } from './import-command';
import { progressBar } from './progress-bar';

const usage = 'Usage: npm run import-spend -- <file.csv> [--url http://127.0.0.1:3000 | --dynamodb-endpoint <url>]';
/** Day-and-channel groups written per step of the progress bar (each a transaction of its own). */
const groupsPerWrite = 25;

/**
 * `npm run import-spend -- spend.csv`: records ad spend (date, channel, campaign, amount, currency) in the
 * running local runtime with the checks of `POST /spend`. The file is taken whole or not at all: with any
 * row error nothing is written and the errors go to `<file>.errors.csv`.
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

  const endpoint = values['dynamodb-endpoint'] ?? (await dynamoDbEndpointOf(values.url));
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: endpoint }));
  const roi = new DynamoDbChannelRoiStore(documentClientOf(raw), tables.leads.name);
  const bar = progressBar(process.stderr, `Importing ${path}`);
  const rollupNeeded = new Set<string>();
  try {
    for (let done = 0; done < parsed.spend.length; done += groupsPerWrite) {
      bar.update(done, parsed.spend.length);
      const written = await recordSpend(parsed.spend.slice(done, done + groupsPerWrite), { config, roi, now: () => new Date() });
      for (const day of written.rollupNeeded) rollupNeeded.add(day);
    }
    bar.update(parsed.spend.length, parsed.spend.length);
    bar.finish();
  } catch (error) {
    bar.finish();
    console.error(`The import stopped: ${(error as Error).message}\nDays and channels written before it stopped are replaced; running the same import again replaces them all.`);
    return 1;
  } finally {
    raw.destroy();
  }
  const total = parsed.spend.reduce((sum, group) => sum + group.campaigns.reduce((campaigns, campaign) => campaigns + campaign.cents, 0), 0);
  const days = new Set(parsed.spend.map((group) => group.day));
  console.log(
    [
      `Imported ${path}`,
      `  rows read        ${String(parsed.rows).padStart(7)}`,
      `  days × channels  ${String(parsed.spend.length).padStart(7)}   replaced whole (${days.size} day(s))`,
      `  total spend      ${formatCents(total).padStart(7)}   ${config.organisation.currency}`,
      ...(rollupNeeded.size ? [rollupNeededNote([...rollupNeeded].sort(), config.channelRoi.lookbackDays)] : []),
    ].join('\n'),
  );
  return 0;
}

/** `line 4.amount` → row `line 4`, field `amount`; `(header)` stays whole. */
function errorLine(issue: SpendRowIssue): string {
  const dot = issue.path.indexOf('.');
  return formatCsvLine(dot === -1 ? [issue.path, '', issue.message] : [issue.path.slice(0, dot), issue.path.slice(dot + 1), issue.message]);
}

runImportCommand(main, usage);
