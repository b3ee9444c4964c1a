import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCsvLine, resolveImportTarget, textEncodingNamed, type Configuration, type DecodedText, type ImportRowError, type ImportTarget, type LeadImportFile } from '@leadflow/domain';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, DynamoDbMeasuredPriorsReader, DynamoDbLeadIngestion, DynamoDbLeadStore, importLeadChunks, loadConfigurationFile, type ImportSummary } from '@leadflow/platform';
import { readLocalRuntimeSettings } from './local-settings';
import { localClientSettings } from './local-aws-clients';
import { interruptedExitCode, stopOnCtrlC } from './ctrl-c';
import { dynamoDbEndpointOf, httpUrlOption, leadsTableAt, runImportCommand, UsageError } from './import-command';
import { progressBar } from './progress-bar';
import { UnreadableFileError, withCheckedLeadFile, type LeadFileCheck } from './lead-file-reading';

/** Rows held and stored at a time: a file of any length imports in the memory of this many. */
const chunkRows = 1000;

const usage = `Usage: npm run import -- <file.csv> --source <channel> [--campaign <id>] [--pool <poolId>] [--country <CC>]
                          [--encoding utf-8 | windows-1252 | gbk] [--url http://127.0.0.1:3000 | --dynamodb-endpoint <url>]`;

/**
 * `npm run import -- leads.csv --source trade-shows --pool americas-inbound`: imports a lead list into
 * the running local runtime (`npm start`) through the same intake as the HTTP endpoint, so the leads are
 * routed and notified like any other. Row errors go to `<file>.errors.csv`. The file is read once, a part at
 * a time, to check all of it (its encoding, its layout and header, its row errors) before anything is stored,
 * and copied as it is read; the copy is then imported `chunkRows` rows at a time (see `withCheckedLeadFile`).
 */
async function main(): Promise<number> {
  // Lambda runs Node 22; on a Node 20 workstation the SDK's upgrade notice is only noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      campaign: { type: 'string' },
      pool: { type: 'string' },
      country: { type: 'string' },
      encoding: { type: 'string', default: 'utf-8' },
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      'dynamodb-endpoint': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `give one file, not ${positionals.length}` : 'give the CSV file to import');
  const path = positionals[0];
  httpUrlOption('--url', values.url);
  if (values['dynamodb-endpoint'] !== undefined) httpUrlOption('--dynamodb-endpoint', values['dynamodb-endpoint']);

  const config = loadConfigurationFile(resolve(readLocalRuntimeSettings().configFile));
  const target = resolveImportTarget(config, { source: values.source, campaign: values.campaign, pool: values.pool, country: values.country });
  if (!target.ok) throw new UsageError(target.issues.map((issue) => `--${issue.path}: ${issue.message}`).join('\n'));

  const encoding = textEncodingNamed(values.encoding);
  if (!encoding) throw new UsageError(`--encoding: "${values.encoding}" is not read; give utf-8, windows-1252 (also called latin1, iso-8859-1, cp1252) or gbk (also called gb18030, gb2312, cp936)`);
  // Ctrl-C: no further row starts; the rows being stored finish, the summary says where the import stopped,
  // and the checked copy is removed.
  const interrupted = stopOnCtrlC('Interrupted: stopping once the rows being stored are stored…');
  try {
    return await withCheckedLeadFile(path, encoding, (checked, chunks) => importChecked(path, checked, chunks, target.target, config, values, interrupted), interrupted);
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new UsageError(`cannot read ${path}: ${error.message}`, 1);
    if (interrupted.aborted && error === interrupted.reason) {
      console.error(`The import of ${path} was interrupted while the file was being checked: nothing was stored.`);
      return interruptedExitCode;
    }
    throw error;
  }
}

/** Imports the rows of a checked file, `chunks` of it at a time, or says why it is refused whole. */
async function importChecked(
  path: string,
  checked: LeadFileCheck,
  chunks: (chunkRows: number) => AsyncIterable<LeadImportFile>,
  target: ImportTarget,
  config: Configuration,
  values: { url: string; 'dynamodb-endpoint'?: string },
  interrupted: AbortSignal,
): Promise<number> {
  if (!checked.ok) {
    // Refused whole: a report from an earlier run of this file would describe another file.
    writeErrorReport(path, []);
    console.error('undecoded' in checked ? `${path} ${undecodedReason(checked.undecoded)}` : `${path} cannot be imported:\n${checked.issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`);
    return 1;
  }
  // The rows the file itself refuses are known now: reported even when the import then fails (no runtime, no database).
  const fileErrorReport = writeErrorReport(path, checked.errors);

  const endpoint = values['dynamodb-endpoint'] ?? (await dynamoDbEndpointOf(values.url));
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: endpoint }));
  const documents = documentClientOf(raw);
  const leads = new DynamoDbLeadStore(documents, tables.leads.name, config.retention);
  const ingestion = new DynamoDbLeadIngestion(documents, tables.leads.name, config.retention);
  const measuredPriors = new DynamoDbMeasuredPriorsReader(documents, tables.leads.name);
  const started = performance.now();
  const bar = progressBar(process.stderr, `Importing ${path}`);
  try {
    await leadsTableAt(raw, endpoint);
    const deps = { config, leads, ingestion, measuredPriors, now: () => new Date(), newId: randomUUID };
    // Ctrl-C is the only time limit here: once interrupted, no further row starts.
    const summary = await importLeadChunks(chunks(chunkRows), target, deps, { onProgress: (done) => bar.update(done, checked.rowsToStore), remainingMs: () => (interrupted.aborted ? 0 : Infinity) });
    bar.finish();
    const { nextLine } = summary;
    // Stopped early: the summary's errors cover the lines before the stop; the file's own errors after it still belong in the report.
    const errorFile = writeErrorReport(path, nextLine === undefined ? summary.errors : [...summary.errors, ...checked.errors.filter((error) => error.row >= nextLine)]);
    const where = [`channel ${target.channel}`, target.campaign && `campaign ${target.campaign}`, `pool ${target.poolId}`].filter(Boolean).join(', ');
    console.log(closingSummary(`Imported ${path} (${where})`, summary, errorFile, performance.now() - started));
    if (nextLine === undefined) return 0;
    const why = interrupted.aborted ? 'it was interrupted (Ctrl-C)' : 'the database became unavailable';
    console.error(`The import stopped at line ${nextLine}: ${why}. The rows before it are counted above; running the same import again stores the rest and skips those.`);
    return interrupted.aborted ? interruptedExitCode : 1;
  } catch (error) {
    bar.finish();
    if (fileErrorReport) console.error(`Rows of the file that cannot be imported are listed in ${fileErrorReport}.`);
    console.error(`The import stopped: ${(error as Error).message}\nRows stored before it stopped are kept; running the same import again stores the rest and skips those.`);
    return 1;
  } finally {
    raw.destroy();
  }
}

/** Why `decodeText` did not read the file, after its path. */
function undecodedReason(failure: Exclude<DecodedText, { ok: true }>): string {
  if (failure.reason === 'is-utf-8') {
    return `is UTF-8 (line ${failure.line} has UTF-8 text), not windows-1252, so it was not imported: leave out --encoding, so that it is not stored as "Ã©" for "é".`;
  }
  if (failure.encoding === 'gb18030') return `is not GBK or GB18030 text (line ${failure.line} is not), so it was not imported. Give the --encoding it is in, or leave it out if the file is UTF-8.`;
  return `is not UTF-8 (line ${failure.line} is not), so it was not imported. Save it as "CSV UTF-8"; or, as Excel writes "CSV" on Windows, give --encoding windows-1252 if it is Latin-1 (Western) text, or --encoding gbk if it is Chinese (GBK) text.`;
}

/** Writes `<file>.errors.csv` when rows failed, and removes a stale one from an earlier run when none did. */
function writeErrorReport(path: string, errors: readonly ImportRowError[]): string | undefined {
  const reportPath = `${path}.errors.csv`;
  if (!errors.length) {
    if (existsSync(reportPath)) rmSync(reportPath);
    return undefined;
  }
  writeFileSync(reportPath, [formatCsvLine(['row', 'column', 'message']), ...errors.map((error) => formatCsvLine([error.row, error.column, error.message]))].join(''));
  return reportPath;
}

function closingSummary(title: string, summary: ImportSummary, errorFile: string | undefined, elapsedMs: number): string {
  const rejected = new Set(summary.errors.map((error) => error.row)).size;
  const line = (label: string, count: number | string, note = '') => `  ${label.padEnd(11)}${String(count).padStart(7)}${note ? `   ${note}` : ''}`;
  return [
    title,
    line('rows read', summary.rows),
    line('created', summary.created, 'new leads, routed to reps'),
    line('touched', summary.touched, 'people who already had a lead: a touch was recorded'),
    line('replayed', summary.replayed, 'imported before: nothing written'),
    line('invalid', summary.invalid, 'kept as invalid leads: no usable email or phone'),
    line('row errors', rejected, errorFile ? `not imported: see ${errorFile}` : ''),
    line('time', `${(elapsedMs / 1000).toFixed(1)} s`),
  ].join('\n');
}

runImportCommand(main, usage);
