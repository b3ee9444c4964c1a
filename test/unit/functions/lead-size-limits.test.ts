import { describe, expect, it, vi } from 'vitest';
import { leadBytes, repeatableStepsLimitBytes, type LeadHistoryEntry } from '@leadflow/domain';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createRelease } from '../../../functions/release-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';
import { fillMemoryLeadToTheBrim } from '../../support/brim-lead';

type Deps = ReturnType<typeof fakeDependencies>;

const asAva = { sub: 'rep-ava', 'cognito:groups': '[rep]' };

async function post(create: typeof createClaim, deps: Deps, action: 'claim' | 'release', leadId: string, body?: unknown) {
  const event = httpEvent({
    method: 'POST',
    path: `/leads/${leadId}/${action}`,
    pathParameters: { leadId },
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    claims: asAva,
  });
  const response = (await create(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) as unknown };
}

/** Everything a refused request must leave as it was. */
const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()], open: [...deps.store.openLeads], daily: [...deps.store.dailyClaims] });

describe('POST /leads/{leadId}/release on a lead past the limit for repeatable steps', () => {
  it('answers 409 lead_full and writes nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'worn-lead', poolId: 'nurture' });
    expect((await post(createClaim, deps, 'claim', 'worn-lead')).status).toBe(200);
    // Claimed and released, again and again, before this claim: no notes, only steps that can repeat.
    const lead = deps.store.leads.get('worn-lead')!;
    const round: LeadHistoryEntry[] = [
      { at: '2026-03-01T09:00:00.000Z', action: 'claimed', by: 'rep-ava', detail: 'claimed from pool nurture (daily limit 20)' },
      { at: '2026-03-01T09:05:00.000Z', action: 'released', by: 'rep-ava', detail: 'released to pool nurture: no_need_now' },
    ];
    const history = [...lead.history];
    while (leadBytes({ ...lead, history }) <= repeatableStepsLimitBytes) history.push(...Array.from({ length: 100 }, () => round).flat());
    deps.store.leads.set('worn-lead', { ...lead, history });
    const before = writes(deps);

    expect(await post(createRelease, deps, 'release', 'worn-lead', { reason: 'no_need_now' })).toEqual({
      status: 409,
      json: {
        rule: 'lead_full',
        error: "lead worn-lead's timeline is full (over 300 KB): releasing is refused so that its steps that happen once (contacted, qualified, converted, invalid) keep room",
      },
    });
    expect(writes(deps)).toBe(before);
  });
});

describe('POST /leads/{leadId}/claim on a waiting lead the store has no room left in', () => {
  it('answers 409 lead_full, not a lost race, and writes nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'brim-lead', poolId: 'nurture' });
    fillMemoryLeadToTheBrim(deps.store, 'brim-lead');
    const before = writes(deps);

    expect(await post(createClaim, deps, 'claim', 'brim-lead')).toEqual({
      status: 409,
      json: { rule: 'lead_full', error: "lead brim-lead's timeline is too long to record this step; nothing was changed" },
    });
    expect(writes(deps)).toBe(before);
  });
});

describe('POST /leads/{leadId}/release the store refuses as taking the lead over its item limit', () => {
  it('answers 409 lead_full rather than the lead as if released', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'grown-lead', poolId: 'nurture' });
    expect((await post(createClaim, deps, 'claim', 'grown-lead')).status).toBe(200);
    // Grown past the limit between the read and the write (a note of someone else's, say).
    vi.spyOn(deps.store, 'releaseLead').mockResolvedValueOnce('lead_full');

    expect(await post(createRelease, deps, 'release', 'grown-lead', { reason: 'no_need_now' })).toEqual({
      status: 409,
      json: { rule: 'lead_full', error: "lead grown-lead's timeline is too long to record this step; nothing was changed" },
    });
    expect(deps.store.leads.get('grown-lead')).toMatchObject({ status: 'assigned', ownerId: 'rep-ava' });
  });
});
