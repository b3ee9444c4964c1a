import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultUnsignedTikTokLeadReadsPerMinute, maxTikTokLeadsPerDelivery } from '@leadflow/domain';
import { DynamoDbRateLimiter, logger } from '@leadflow/platform';
import { createHandler } from '../../functions/receive-tiktok-leads/handler';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { fakeDependencies } from '../support/fakes';

let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
});
afterAll(() => database?.stop());

describe('unsigned TikTok Lead API reads, counted on DynamoDB Local', () => {
  it('lets concurrent unsigned deliveries from one address read no more than the limit in a minute, all instances sharing one count', async () => {
    const deps = { ...fakeDependencies(), rateLimiter: new DynamoDbRateLimiter(database.client, database.tableName) };
    deps.config.integrations.tiktok!.forms[0].allowUnsigned = true;
    // Forged ids: the Lead API does not answer them.
    deps.platformLeads.down.add('tiktok');
    const deliveries = defaultUnsignedTikTokLeadReadsPerMinute / maxTikTokLeadsPerDelivery + 2;
    const body = (delivery: number) => JSON.stringify({ entry: Array.from({ length: maxTikTokLeadsPerDelivery }, (_, index) => ({ id: `forged-${delivery}-${index}`, page_id: '7410000000000000001' })) });
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const answers = await Promise.all(
      Array.from({ length: deliveries }, (_, delivery) =>
        createHandler(() => deps)(httpEvent({ method: 'POST', path: '/webhooks/tiktok', headers: { 'content-type': 'application/json' }, body: body(delivery) }), lambdaContext),
      ),
    );
    warn.mockRestore();
    const statuses = (answers as Array<{ statusCode: number }>).map((answer) => answer.statusCode).sort();
    expect(statuses).toEqual([429, 429, ...Array(deliveries - 2).fill(503)]);
    expect(deps.platformLeads.calls).toHaveLength(defaultUnsignedTikTokLeadReadsPerMinute);
    const windows = (await database.items()).filter((item) => String(item.pk).startsWith('RATE#webhook:tiktok:unsigned-reads:'));
    expect(windows).toEqual([expect.objectContaining({ pk: 'RATE#webhook:tiktok:unsigned-reads:ip:127.0.0.1', hits: deliveries * maxTikTokLeadsPerDelivery, expiresAt: expect.any(Number) })]);
  });
});
