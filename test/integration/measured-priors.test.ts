import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbChannelRoiStore, DynamoDbMeasuredPriorsReader, scoringRulesFor } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';

let database: TestDatabase;

beforeAll(async () => {
  database = await startTestDatabase();
});
afterAll(() => database?.stop());

/** The demo configuration in apply mode, with the priors configured this morning (website raised, tiktok-ads added). */
function morningConfiguration() {
  const config = demoConfiguration();
  config.channelRoi.measuredChannelPriors = { ...config.channelRoi.measuredChannelPriors, mode: 'apply' };
  config.scoring.channelPriors = { website: 20, 'meta-ads': 5, 'tiktok-ads': 30 };
  return config;
}

const now = new Date('2026-03-11T13:00:00.000Z');

describe('the measured channel priors item', () => {
  it('keeps only the suggestions, which scoring puts over the priors configured when it reads them', async () => {
    await new DynamoDbChannelRoiStore(database.client, database.tableName).writeMeasuredPriors({ suggestedPriors: { 'meta-ads': 15 }, from: '2026-03-04', to: '2026-03-10', measuredAt: '2026-03-11T04:30:00.000Z' });
    const reader = new DynamoDbMeasuredPriorsReader(database.client, database.tableName);
    expect(await reader.readMeasuredPriors()).toEqual({ suggestedPriors: { 'meta-ads': 15 }, from: '2026-03-04', to: '2026-03-10', measuredAt: '2026-03-11T04:30:00.000Z' });
    const rules = await scoringRulesFor({ config: morningConfiguration(), measuredPriors: reader }, now);
    expect(rules.scoring.channelPriors).toEqual({ website: 20, 'meta-ads': 15, 'tiktok-ads': 30 });
  });

  it('reads an item stored before suggestions were kept apart (configured priors and suggestions in one) as suggestions', async () => {
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: { pk: 'SCORING', sk: 'MEASURED_CHANNEL_PRIORS', entity: 'measured-channel-priors', priors: { website: 10, 'meta-ads': 15 }, from: '2026-03-04', to: '2026-03-10', measuredAt: '2026-03-11T04:30:00.000Z' },
      }),
    );
    const reader = new DynamoDbMeasuredPriorsReader(database.client, database.tableName);
    expect((await reader.readMeasuredPriors())?.suggestedPriors).toEqual({ website: 10, 'meta-ads': 15 });
    // Which of its priors were suggestions is not recorded: they all count until the next rollup replaces the item, and a channel configured since counts at once.
    const rules = await scoringRulesFor({ config: morningConfiguration(), measuredPriors: reader }, now);
    expect(rules.scoring.channelPriors).toEqual({ website: 10, 'meta-ads': 15, 'tiktok-ads': 30 });
  });
});
