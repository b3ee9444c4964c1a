import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lambdaRequestTimeouts } from '@leadflow/platform';
import { createHandler } from '../../../functions/import-leads/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

const sample = readFileSync(new URL('../../../examples/trade-show-leads.csv', import.meta.url), 'utf8');

/** The longest a row in flight takes when DynamoDB goes silent: the SDK's three attempts of `requestTimeout` each, and a second for its backoff and the answer. */
const silentRowMs = 3 * lambdaRequestTimeouts.requestTimeout + 1_000;

function importWith(deps: ReturnType<typeof fakeDependencies>, remainingMs: number) {
  const event = httpEvent({ method: 'POST', path: '/imports', headers: { 'content-type': 'text/csv' }, body: sample, claims: { sub: 'mgr-maya', 'cognito:groups': '[manager]' } });
  event.queryStringParameters = { source: 'trade-shows', pool: 'americas-inbound' };
  return createHandler(() => deps)(event, { ...lambdaContext, getRemainingTimeInMillis: () => remainingMs }) as Promise<{ statusCode: number; body: string }>;
}

describe('import-leads finish margin', () => {
  it('starts no row when the time left would not cover a row whose DynamoDB call goes silent, so the answer still reaches API Gateway', async () => {
    const deps = fakeDependencies();
    const response = await importWith(deps, silentRowMs);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ rows: 0, created: 0, touched: 0, replayed: 0, invalid: 0, errors: [], nextLine: 2 });
    expect(deps.store.leads.size).toBe(0);
  });

  it('stores the file when the invocation has its time', async () => {
    const deps = fakeDependencies();
    const response = await importWith(deps, 29_000);
    expect(JSON.parse(response.body)).not.toHaveProperty('nextLine');
    expect(deps.store.leads.size).toBeGreaterThan(0);
  });
});
