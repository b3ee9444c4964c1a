import { describe, expect, it } from 'vitest';
import { leadSignature } from '@leadflow/domain';
import { crmStandInPath, type CrmDelivery } from '@leadflow/local-runtime';
import { crmStandIn } from '../../../packages/local-runtime/src/crm-stand-in';

const secret = 'crm-stand-in-secret-0123456789';
const request = (method: string, path: string, body = '', headers: Record<string, string> = {}) => ({ method, url: new URL(`http://127.0.0.1${path}`), body: Buffer.from(body), headers });
const delivery = (eventId: string, signWith = secret) => {
  const body = JSON.stringify({ id: eventId, type: 'lead.assigned', occurredAt: '2026-03-02T10:00:00Z', data: { eventId } });
  return request('POST', crmStandInPath, body, { 'x-lead-signature': leadSignature(body, signWith, Math.floor(Date.now() / 1000)), 'idempotency-key': eventId, 'x-lead-event-type': 'lead.assigned' });
};

describe('the CRM stand-in', () => {
  it('records each POST with whether its signature verified, and drops a repeated idempotency key', async () => {
    const crm = crmStandIn(async () => [secret]);
    expect(await crm(delivery('evt-1'))).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    expect(await crm(delivery('evt-1'))).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await crm(delivery('evt-2', 'a-forger-secret-0123456789'))).toMatchObject({ status: 401 });
    const listed = (await crm(request('GET', crmStandInPath)))!.body as { deliveries: CrmDelivery[] };
    expect(listed.deliveries.map((entry) => [entry.idempotencyKey, entry.status, entry.accepted, entry.signatureVerified])).toEqual([
      ['evt-1', 200, true, true],
      ['evt-1', 200, false, true],
      ['evt-2', 401, false, false],
    ]);
    expect(listed.deliveries[2].signatureProblem).toBe('The X-Lead-Signature does not match the body');
  });

  it('fails the next n POSTs, or every one until told to stop', async () => {
    const crm = crmStandIn(async () => [secret]);
    await crm(request('POST', `${crmStandInPath}/fail`, '{"times": 2}'));
    const statuses = [];
    for (const eventId of ['a', 'b', 'c']) statuses.push((await crm(delivery(eventId)))!.status);
    expect(statuses).toEqual([503, 503, 200]);
    await crm(request('POST', `${crmStandInPath}/fail`, '{"always": true}'));
    expect((await crm(delivery('d')))!.status).toBe(503);
    expect((await crm(delivery('d')))!.status).toBe(503);
    expect(await crm(request('POST', `${crmStandInPath}/fail`, '{"times": 0}'))).toEqual({ status: 200, body: { failing: { remaining: 0, always: false } } });
    expect((await crm(delivery('d')))!.status).toBe(200);
  });

  it('refuses a bad fail request, naming the field', async () => {
    const crm = crmStandIn(async () => [secret]);
    expect(await crm(request('POST', `${crmStandInPath}/fail`, '{"times": -1}'))).toMatchObject({ status: 400, body: { issues: [{ path: 'times' }] } });
    // A count past the largest it takes says what that is, not that the count is no whole number.
    const tooMany = { status: 400, body: { issues: [{ path: 'times', message: `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}; send {"always": true} to fail every POST` }] } };
    expect(await crm(request('POST', `${crmStandInPath}/fail`, '{"times": 1e16}'))).toMatchObject(tooMany);
    expect(await crm(request('POST', `${crmStandInPath}/fail`, '{"times": 2.5}'))).toMatchObject(tooMany);
    expect(await crm(request('POST', `${crmStandInPath}/fail`, '{"always": "yes"}'))).toMatchObject({ status: 400, body: { issues: [{ path: 'always' }] } });
    expect(await crm(request('POST', `${crmStandInPath}/fail`, 'not json'))).toMatchObject({ status: 400, body: { issues: [{ path: '(body)' }] } });
    expect(await crm(request('POST', `${crmStandInPath}/fail`, '{"times": 0, "tims": 2}'))).toMatchObject({ status: 400, body: { issues: [{ path: 'tims', message: 'is not a field: send "times" or "always"' }] } });
    expect(await crm(request('POST', `${crmStandInPath}/fail`, '{}'))).toMatchObject({ status: 400, body: { error: '(body) must name "times" or "always", as {"times": 2} or {"always": true}' } });
    expect(await crm(request('GET', '/_local/stand-ins/outage'))).toBeUndefined();
  });
});
