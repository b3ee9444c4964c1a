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
    // Refused deliveries add nothing: the count is the reads let through.
    expect(windows).toEqual([expect.objectContaining({ pk: 'RATE#webhook:tiktok:unsigned-reads:ip:127.0.0.1', hits: defaultUnsignedTikTokLeadReadsPerMinute, expiresAt: expect.any(Number) })]);
  });

  it('counts nothing for a refused delivery, so a smaller one from the same address that still fits is read within the minute', async () => {
    const deps = { ...fakeDependencies(), rateLimiter: new DynamoDbRateLimiter(database.client, database.tableName) };
    deps.config.integrations.tiktok!.forms[0].allowUnsigned = true;
    deps.platformLeads.down.add('tiktok');
    let nextId = 0;
    const deliver = async (leads: number) => {
      const entry = Array.from({ length: leads }, () => ({ id: `forged-${(nextId += 1)}`, page_id: '7410000000000000001' }));
      const event = httpEvent({ method: 'POST', path: '/webhooks/tiktok', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ entry }) });
      // An address of its own, so the other test's window (same clock) is not this one's.
      const answer = await createHandler(() => deps)({ ...event, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, sourceIp: '203.0.113.7' } } }, lambdaContext);
      return (answer as { statusCode: number }).statusCode;
    };
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    // 25 of the 30 reads a minute spent; one full delivery more does not fit and is refused.
    const spent = [await deliver(maxTikTokLeadsPerDelivery), await deliver(maxTikTokLeadsPerDelivery), await deliver(defaultUnsignedTikTokLeadReadsPerMinute - 2 * maxTikTokLeadsPerDelivery - 5)];
    const refused = await deliver(maxTikTokLeadsPerDelivery);
    const fits = await deliver(5);
    warn.mockRestore();
    expect(spent).toEqual([503, 503, 503]);
    expect(refused).toBe(429);
    // Read (the Lead API is down here, hence 503), not refused for reads the refused delivery never made.
    expect(fits).toBe(503);
    expect(deps.platformLeads.calls).toHaveLength(defaultUnsignedTikTokLeadReadsPerMinute);
  });
});

describe('DynamoDbRateLimiter on DynamoDB Local', () => {
  it('still counts every plain hit, refused or not, while hits to admit are counted only when they fit', async () => {
    const limiter = new DynamoDbRateLimiter(database.client, database.tableName);
    const now = new Date('2026-03-02T10:00:30Z');
    const single = [];
    for (let hit = 0; hit < 4; hit++) single.push((await limiter.hit('test:single', 2, now)).allowed);
    expect(single).toEqual([true, true, false, false]);
    const admit = (hits: number) => limiter.hit('test:several', 5, now, { hits });
    expect([await admit(3), await admit(3), await admit(6), await admit(1), await admit(1), await admit(1)]).toEqual([
      { allowed: true },
      { allowed: false, retryAfterSeconds: 30 },
      { allowed: false, retryAfterSeconds: 30 },
      { allowed: true },
      { allowed: true },
      { allowed: false, retryAfterSeconds: 30 },
    ]);
    const hits = (await database.items()).filter((item) => String(item.pk).startsWith('RATE#test:')).map((item) => [item.pk, item.hits]);
    expect(hits.sort()).toEqual([
      ['RATE#test:several', 5],
      ['RATE#test:single', 4],
    ]);
  });
});
