import { ensureTable, localClientSettings, startDynamoDbLocal } from '@leadflow/local-runtime';
import { tables } from '@leadflow/manifest';
import { addDays, configurationSchema, type LeadRoiFacts } from '@leadflow/domain';
import { createDynamoDbClient, documentClientOf, DynamoDbChannelRoiStore, rollUpChannelRoiDays, type ReportArchive } from '@leadflow/platform';
import { readFileSync } from 'node:fs';
import type { Figure } from './figure';

const day = '2026-05-20';
const leadsOnTheDay = 100;
const history = 100;

/**
 * The rollup of one day against DynamoDB Local, with the other days holding `history` and then ten
 * times as many leads: the items it reads (and its time, as a same-run ratio) should not grow.
 */
export async function channelRoiRollupBenchmark(): Promise<Figure[]> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: dynamo.endpoint }));
  try {
    for (const table of Object.values(tables)) await ensureTable(raw, table.name, table);
    const client = documentClientOf(raw);
    let itemsRead = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = (result.output ?? {}) as { Items?: unknown[]; Item?: unknown };
        itemsRead += (output.Items?.length ?? 0) + (output.Item ? 1 : 0);
        return result;
      },
      { step: 'initialize', name: 'countItemsRead' },
    );
    const roi = new DynamoDbChannelRoiStore(client, tables.leads.name);
    const config = configurationSchema.parse(JSON.parse(readFileSync(new URL('../../config/leads.config.json', import.meta.url), 'utf8')));
    const reports: ReportArchive = { put: async () => undefined };
    const deps = { config, roi, reports, now: () => new Date('2026-05-21T04:30:00.000Z') };
    const addLeads = async (onDay: string, count: number, prefix: string) => {
      for (let index = 0; index < count; index += 1) {
        const facts: Omit<LeadRoiFacts, 'slaBreached'> = {
          leadId: `${prefix}-${onDay}-${index}`,
          day: onDay,
          channel: index % 2 ? 'meta-ads' : 'google-ads',
          firstCampaign: `c${index % 5}`,
          lastCampaign: `c${index % 3}`,
          kind: 'lead',
          invalid: false,
          contacted: index % 2 === 0,
          qualified: index % 4 === 0,
          converted: index % 8 === 0,
          revenueCents: index % 8 === 0 ? 100_000 : 0,
          ...(index % 2 === 0 ? { firstContactSeconds: 60 * index } : {}),
          leadUpdatedAt: `${onDay}T15:00:00.000Z`,
        };
        await roi.recordFacts(facts, { eventId: `${facts.leadId}-captured`, slaBreached: false, otherCaptureDays: [], markedAt: `${onDay}T15:00:00.000Z`, markExpiresAt: () => 0 });
      }
    };
    const measure = async () => {
      itemsRead = 0;
      const started = performance.now();
      await rollUpChannelRoiDays([day], deps);
      return { itemsRead, ms: performance.now() - started };
    };

    await addLeads(day, leadsOnTheDay, 'day');
    await addLeads(addDays(day, -1), history, 'history');
    await rollUpChannelRoiDays([day], deps);
    const short = await measure();
    for (let back = 2; back <= 10; back += 1) await addLeads(addDays(day, -back), history, 'history');
    const long = await measure();
    return [
      { name: `channel-ROI rollup: items read, ${history} leads of history`, value: short.itemsRead, unit: 'items' },
      {
        name: `channel-ROI rollup: items read, ${history * 10} leads of history`,
        value: long.itemsRead,
        unit: 'items',
        baseline: { name: `${history} leads of history`, value: short.itemsRead },
        target: 'the same items (the day’s leads, spend and latest version)',
        met: long.itemsRead === short.itemsRead,
      },
      { name: `channel-ROI rollup of ${leadsOnTheDay} leads, ${history * 10} leads of history`, value: long.ms, unit: 'ms', baseline: { name: `${history} leads of history`, value: short.ms } },
    ];
  } finally {
    raw.destroy();
    await dynamo.stop();
  }
}
