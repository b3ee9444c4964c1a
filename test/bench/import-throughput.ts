import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { readLeadImportFile, resolveImportTarget } from '@leadflow/domain';
import { ensureTable, localClientSettings, startDynamoDbLocal } from '@leadflow/local-runtime';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, DynamoDbMeasuredPriorsReader, DynamoDbLeadIngestion, DynamoDbLeadStore, importLeads, loadConfigurationFile } from '@leadflow/platform';
import type { Figure } from './figure';

const rootDir = new URL('../..', import.meta.url).pathname;
const rows = 10_000;
/** The importer's default: rows stored at once. The raw baseline issues its transactions as many at a time. */
const concurrency = 8;
const target = { source: 'trade-shows', pool: 'americas-inbound' };

/** A trade-show list of `count` different people (distinct emails and phones), so every row creates a lead; lists with other prefixes and area codes share no one. */
function leadListCsv(count: number, prefix: string, areaCode: number): string {
  const lines = ['First Name,Last Name,E-mail,Mobile,Company,Job Title,Country'];
  for (let index = 0; index < count; index += 1) {
    lines.push(`Ada${index},Lovelace,${prefix}.${index}@example.com,+1 ${areaCode} 555 ${String(index).padStart(4, '0')},Company ${index % 97},Plant Manager,US`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `npm run import` of a generated 10,000-row list into DynamoDB Local, as a user runs it (a separate
 * process), beside the same count of raw `TransactWriteItems` of the shape one imported row writes
 * (copied from an in-process import of one row of the same list), issued `concurrency` at a time.
 */
export async function importThroughputBenchmark(): Promise<Figure[]> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: dynamo.endpoint }));
  const workDir = mkdtempSync(join(tmpdir(), 'leadflow-bench-import-'));
  try {
    for (const table of Object.values(tables)) await ensureTable(raw, table.name, table);
    const template = await oneRowTransaction(dynamo.endpoint);

    const file = join(workDir, 'leads.csv');
    writeFileSync(file, leadListCsv(rows, 'bench', 415));
    const started = performance.now();
    const output = await runImportCommand(file, dynamo.endpoint);
    const commandSeconds = (performance.now() - started) / 1000;
    const created = Number(/created\s+(\d+)/.exec(output)?.[1]);
    const importSeconds = Number(/time\s+([\d.]+) s/.exec(output)?.[1]);
    if (created !== rows || !importSeconds) throw new Error(`npm run import created ${created} of ${rows} leads:\n${output}`);

    const rawSeconds = await issueRawTransactions(raw, template, rows);
    const rawRate = rows / rawSeconds;
    const baseline = { name: `raw transactions, ${concurrency} at a time`, value: rawRate };
    return [
      { name: `import of ${rows} rows: raw transactions of the same shape`, value: rawRate, unit: 'rows/s' },
      { name: `import of ${rows} rows: npm run import (its own time)`, value: rows / importSeconds, unit: 'rows/s', baseline },
      { name: `import of ${rows} rows: npm run import (whole command, start-up included)`, value: rows / commandSeconds, unit: 'rows/s', baseline },
    ];
  } finally {
    raw.destroy();
    rmSync(workDir, { recursive: true, force: true });
    await dynamo.stop();
  }
}

function runImportCommand(file: string, endpoint: string): Promise<string> {
  const args = ['--import', 'tsx', 'packages/local-runtime/src/import-cli.ts', file, '--source', target.source, '--pool', target.pool, '--dynamodb-endpoint', endpoint];
  // Not this process's LEADS_* settings: a runtime started by an earlier case set them to its own, now removed, files.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LEADS_')));
  const env = { ...inherited, LEADS_CONFIG_FILE: join(rootDir, 'config/leads.config.json'), LEADS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { cwd: rootDir, env, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => (error ? reject(new Error(`npm run import failed: ${stderr || error.message}`)) : resolve(stdout))),
  );
}

/** The transaction an import of one row of the list sends (its document form, before marshalling), taken from the client's request. */
async function oneRowTransaction(endpoint: string): Promise<TransactWriteCommandInput> {
  const config = loadConfigurationFile(join(rootDir, 'config/leads.config.json'));
  const resolved = resolveImportTarget(config, target);
  const list = readLeadImportFile(leadListCsv(1, 'template', 212));
  if (!resolved.ok || !list.ok) throw new Error('The generated lead list or its target is refused by the importer');
  const transactions: TransactWriteCommandInput[] = [];
  const recording = createDynamoDbClient(localClientSettings({ dynamodb: endpoint }));
  recording.middlewareStack.add(
    (next, context) => async (args) => {
      if (/^TransactWrite/.test(context.commandName ?? '')) transactions.push(structuredClone(args.input as TransactWriteCommandInput));
      return next(args);
    },
    { step: 'serialize', name: 'recordTransactions', priority: 'high' },
  );
  try {
    const documents = documentClientOf(recording);
    await importLeads(list.file, resolved.target, {
      config,
      leads: new DynamoDbLeadStore(documents, tables.leads.name, config.retention),
      ingestion: new DynamoDbLeadIngestion(documents, tables.leads.name, config.retention),
      measuredPriors: new DynamoDbMeasuredPriorsReader(documents, tables.leads.name),
      now: () => new Date(),
      newId: randomUUID,
    });
  } finally {
    recording.destroy();
  }
  if (transactions.length !== 1) throw new Error(`Importing one row sent ${transactions.length} transactions, not one`);
  return transactions[0];
}

/** `count` copies of `template` with fresh keys, `concurrency` in flight; the seconds they took. */
async function issueRawTransactions(raw: ReturnType<typeof createDynamoDbClient>, template: TransactWriteCommandInput, count: number): Promise<number> {
  const documents = documentClientOf(raw);
  let next = 0;
  const worker = async () => {
    for (let copy = next++; copy < count; copy = next++) {
      const id = randomUUID();
      const TransactItems = template.TransactItems!.map((item, index) => (item.Put ? { Put: { ...item.Put, Item: { ...item.Put.Item, pk: `BENCH#${id}#${index}` } } } : item));
      await documents.send(new TransactWriteCommand({ ...template, TransactItems }));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (performance.now() - started) / 1000;
}
