import { tables } from '@leadflow/manifest';
import { ensureTable, localClientSettings, startDynamoDbLocal } from '@leadflow/local-runtime';
import { createDynamoDbClient, documentClientOf, DynamoDbFollowUpStore, DynamoDbLeadStore } from '@leadflow/platform';
import { createHandler as createJob } from '../../functions/run-follow-up-rules/handler';
import { lambdaContext } from '../support/api-gateway-events';
import { demoConfiguration } from '../support/demo-configuration';
import { countingReads, seedFollowUpHistory } from '../support/follow-up-history';
import { DynamoDbRequestCounter } from './dynamodb-request-counter';
import type { Figure } from './figure';

const history = 500;
const due = 20;

/**
 * What one run of the follow-up job (`follow-up-rules`) reads with N and 10·N leads of history and the same
 * number of leads due: items read, requests and read units. A job that scanned would read ten times as
 * much the second time; the due-time index keeps the ratio at 1.
 */
export async function followUpCostBenchmark(): Promise<Figure[]> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  const counter = new DynamoDbRequestCounter(dynamo.endpoint);
  const clientFor = (endpoint: string) => {
    const raw = createDynamoDbClient(localClientSettings({ dynamodb: endpoint }));
    return { raw, client: documentClientOf(raw) };
  };
  const direct = clientFor(dynamo.endpoint);
  const counted = clientFor(await counter.start());
  try {
    for (const table of Object.values(tables)) await ensureTable(direct.raw, table.name, table);
    const config = demoConfiguration();
    const now = new Date('2026-06-01T12:00:00.000Z');
    const reads = countingReads(counted.client);
    const job = createJob(() => ({ config, leads: new DynamoDbLeadStore(reads.client, tables.leads.name), followUps: new DynamoDbFollowUpStore(reads.client, tables.leads.name) }));
    const measure = async (prefix: string, historyLeads: number) => {
      await seedFollowUpHistory(direct.client, tables.leads.name, config, { prefix, history: historyLeads, due, now });
      reads.reset();
      counter.reset();
      const summary = await job({ scheduleName: 'follow-up-rules', time: now.toISOString() }, lambdaContext);
      const tally = counter.reset();
      return { items: reads.itemsRead(), requests: tally.requests, readUnits: tally.readUnits, checked: summary.checked };
    };
    const atN = await measure('bench-n', history);
    // 9·N more history, and a fresh set of due leads: the table now holds 10·N history leads.
    const at10N = await measure('bench-10n', 9 * history);
    const label = (leads: number) => `follow-up job, ${due} due leads, ${leads} history leads`;
    return [
      { name: `${label(history)}: items read`, value: atN.items, unit: 'items' },
      { name: `${label(10 * history)}: items read`, value: at10N.items, unit: 'items', baseline: { name: `${history} history`, value: atN.items }, target: 'ratio 1', met: at10N.items === atN.items },
      { name: `${label(history)}: read units`, value: atN.readUnits, unit: 'RCU' },
      { name: `${label(10 * history)}: read units`, value: at10N.readUnits, unit: 'RCU', baseline: { name: `${history} history`, value: atN.readUnits }, target: 'ratio ≈ 1', met: at10N.readUnits <= atN.readUnits * 1.1 },
      { name: `${label(10 * history)}: DynamoDB requests`, value: at10N.requests, unit: 'requests', baseline: { name: `${history} history`, value: atN.requests } },
    ];
  } finally {
    direct.raw.destroy();
    counted.raw.destroy();
    await counter.stop();
    await dynamo.stop();
  }
}
