import { describe, expect, it } from 'vitest';
import { actionLinkToken, secretRefs, signLinkPayload } from '@leadflow/domain';
import { createHandler as createPoolList } from '../../../functions/list-pool-leads/handler';
import { createHandler as createMyList } from '../../../functions/list-my-leads/handler';
import { createHandler as createShowOneTap } from '../../../functions/show-one-tap-action/handler';
import { createHandler as createUnsubscribe } from '../../../functions/unsubscribe-lead/handler';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';

// Cursors and signed links outlive the version that gave them out: one it can no longer read is a 4xx, never a 500.
describe('cursors and links an earlier version gave out', () => {
  const asRep = { sub: 'rep-ava', 'cognito:groups': '[rep]' };
  const answer = async (handler: (event: never, context: never) => unknown, event: unknown) => (await handler(event as never, lambdaContext as never)) as { statusCode: number; body: string };
  // Before 2026-12-01 06:14 a cursor was the store's position alone, as base64url JSON.
  const positionOnly = (position: object) => Buffer.from(JSON.stringify(position)).toString('base64url');

  it('a cursor given before cursors named their list is a 400 naming cursor, on both lists', async () => {
    const deps = fakeDependencies();
    const pool = await answer(
      createPoolList(() => deps),
      {
        ...httpEvent({ path: '/pools/nurture/leads', pathParameters: { poolId: 'nurture' }, claims: asRep }),
        queryStringParameters: { cursor: positionOnly({ capturedAt: '2026-11-30T10:00:00.000Z', leadId: 'l-1' }) },
      },
    );
    expect(pool.statusCode).toBe(400);
    expect(JSON.parse(pool.body).issues).toEqual([{ path: 'cursor', message: 'must be the cursor of a previous page' }]);
    const mine = await answer(
      createMyList(() => deps),
      { ...httpEvent({ path: '/me/leads', claims: asRep }), queryStringParameters: { cursor: positionOnly({ agenda: '9999-12-31T23:59:59.999Z#3E', leadId: 'l-1' }) } },
    );
    expect(mine.statusCode).toBe(400);
    expect(JSON.parse(mine.body).issues).toEqual([{ path: 'cursor', message: 'must be the cursor of a previous page' }]);
  });

  it('a one-tap link and a signed unsubscribe link whose key has since been rotated out answer a 4xx page, not a 500', async () => {
    const deps = fakeDependencies();
    // The lead is still there: the link of a lead gone since is answered as unsubscribed, whatever signed it.
    await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'l-1', contact: { name: 'Ada Lovelace', email: 'ada@example.com' } }));
    const key = await deps.secrets.get(secretRefs.actionLinkKey);
    const oneTap = actionLinkToken({ leadId: 'l-1', repId: 'rep-ava', action: 'accept', expiresAt: Math.floor(deps.now().getTime() / 1000) + 3600 }, key);
    const unsubscribe = `l-1.${signLinkPayload(key.current, 'unsubscribe.l-1')}`;
    // Two rotations: the key that signed them is neither current nor previous.
    deps.secrets.rotate(secretRefs.actionLinkKey, 'second-action-link-key-0123456789abcdef');
    deps.secrets.rotate(secretRefs.actionLinkKey, 'third-action-link-key-0123456789abcdefg');
    const shown = await answer(
      createShowOneTap(() => deps),
      httpEvent({ path: `/a/${oneTap}`, pathParameters: { token: oneTap } }),
    );
    expect(shown.statusCode).toBeGreaterThanOrEqual(400);
    expect(shown.statusCode).toBeLessThan(500);
    const unsubscribed = await answer(
      createUnsubscribe(() => deps),
      httpEvent({ method: 'POST', path: `/u/${unsubscribe}`, pathParameters: { token: unsubscribe }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }),
    );
    expect(unsubscribed.statusCode).toBe(403);
  });
});
