import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultUnsignedTikTokLeadReadsPerMinute, maxTikTokLeadsPerDelivery, secretRefs, tikTokIntegrationSchema, tikTokSignature } from '@leadflow/domain';
import { logger } from '@leadflow/platform';
import { createHandler } from '../../../functions/receive-tiktok-leads/handler';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { signWithDemoSecrets } from '../../support/demo-secrets';
import { fakeDependencies } from '../../support/fakes';

/**
 * An anonymous POST naming invented lead ids for a form with `allowUnsigned` makes us read each from TikTok
 * with the company's token. Those reads are limited per sender address, far below the webhook limit.
 */

type Deps = ReturnType<typeof fakeDependencies>;
const formP = '7410000000000000001';
let batch = 0;
/** A body naming `count` lead ids never seen before. */
const invented = (count = maxTikTokLeadsPerDelivery) => {
  batch += 1;
  return JSON.stringify({ entry: Array.from({ length: count }, (_, index) => ({ id: `forged-${batch}-${index}`, page_id: formP })) });
};

function allowingUnsigned() {
  const deps = fakeDependencies();
  deps.config.integrations.tiktok!.forms[0].allowUnsigned = true;
  // Forged ids: the Lead API does not answer them.
  deps.platformLeads.down.add('tiktok');
  return deps;
}

async function deliver(deps: Deps, body: string, options: { sourceIp?: string; signed?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.signed) headers['tiktok-signature'] = tikTokSignature(body, signWithDemoSecrets(secretRefs.tikTokAppSecret), Math.floor(deps.now().getTime() / 1000));
  const event = httpEvent({ method: 'POST', path: '/webhooks/tiktok', headers, body });
  if (options.sourceIp) event.requestContext.http.sourceIp = options.sourceIp;
  return (await createHandler(() => deps)(event, lambdaContext)) as { statusCode: number; headers: Record<string, string> };
}

const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
afterEach(() => warn.mockClear());

describe('unsigned TikTok triggers: Lead API reads per sender', () => {
  it(`reads at most ${defaultUnsignedTikTokLeadReadsPerMinute} leads a minute for one address's unsigned deliveries, then answers 429 reading nothing`, async () => {
    const deps = allowingUnsigned();
    const statuses: number[] = [];
    for (let delivery = 0; delivery < defaultUnsignedTikTokLeadReadsPerMinute / maxTikTokLeadsPerDelivery; delivery++) statuses.push((await deliver(deps, invented())).statusCode);
    expect(statuses).toEqual([503, 503, 503]);
    expect(deps.platformLeads.calls).toHaveLength(defaultUnsignedTikTokLeadReadsPerMinute);

    const over = await deliver(deps, invented(1));
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toMatch(/^\d+$/);
    expect(deps.platformLeads.calls).toHaveLength(defaultUnsignedTikTokLeadReadsPerMinute);
    expect(deps.intakes.records.size).toBe(0);
  });

  it('counts each lead a delivery names once, whatever the number of deliveries, and follows integrations.tiktok.unsignedLeadReadsPerMinute', async () => {
    const deps = allowingUnsigned();
    deps.config.integrations.tiktok!.unsignedLeadReadsPerMinute = 12;
    const twice = JSON.stringify({ entry: [{ id: 'same', page_id: formP }, { id: 'same', page_id: formP }, ...JSON.parse(invented(8)).entry] });
    expect((await deliver(deps, twice)).statusCode).toBe(503);
    expect((await deliver(deps, invented(3))).statusCode).toBe(503);
    expect((await deliver(deps, invented(1))).statusCode).toBe(429);
    expect(deps.platformLeads.calls).toHaveLength(12);
  });

  it('leaves signed deliveries and other addresses their own reads', async () => {
    const deps = allowingUnsigned();
    for (let delivery = 0; delivery < 3; delivery++) await deliver(deps, invented());
    expect((await deliver(deps, invented(1))).statusCode).toBe(429);
    expect((await deliver(deps, invented(1), { sourceIp: '198.51.100.7' })).statusCode).toBe(503);
    deps.platformLeads.down.delete('tiktok');
    expect((await deliver(deps, invented(1), { signed: true })).statusCode).toBe(200);
    expect(deps.platformLeads.calls).toHaveLength(defaultUnsignedTikTokLeadReadsPerMinute + 2);
  });

  it('refuses a limit below what one delivery may name, since such a delivery could never be read', () => {
    const tiktok = { advertiserId: '7000000000000000001', forms: [{ pageId: formP, poolId: 'p', channel: 'c', defaultCountry: 'US', allowUnsigned: true }] };
    expect(tikTokIntegrationSchema.safeParse({ ...tiktok, unsignedLeadReadsPerMinute: maxTikTokLeadsPerDelivery }).success).toBe(true);
    const refused = tikTokIntegrationSchema.safeParse({ ...tiktok, unsignedLeadReadsPerMinute: maxTikTokLeadsPerDelivery - 1 });
    expect(refused.error?.issues).toEqual([expect.objectContaining({ path: ['unsignedLeadReadsPerMinute'], message: `must be at least ${maxTikTokLeadsPerDelivery}, the leads one delivery may name` })]);
  });
});
