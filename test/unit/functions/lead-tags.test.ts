import { describe, expect, it } from 'vitest';
import { parseConfiguration } from '@leadflow/domain';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createTag } from '../../../functions/tag-lead/handler';
import { createHandler as createUntag } from '../../../functions/untag-lead/handler';
import { createHandler as createMyLeads } from '../../../functions/list-my-leads/handler';
import { createHandler as createPoolList } from '../../../functions/list-pool-leads/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';
import { webFormIntake } from '../../support/intakes';
import { demoConfiguration } from '../../support/demo-configuration';

type Deps = ReturnType<typeof fakeDependencies>;
type Claims = Record<string, string>;
const asRep = (id: string): Claims => ({ sub: id, 'cognito:groups': '[rep]' });
const asManager: Claims = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
const asFinance: Claims = { sub: 'fin-fay', 'cognito:groups': '[finance]' };

async function call(handler: ReturnType<typeof createTag>, event: Parameters<ReturnType<typeof createTag>>[0]) {
  const response = (await handler(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

const tag = (deps: Deps, leadId: string, claims: Claims, body: unknown) =>
  call(
    createTag(() => deps),
    httpEvent({ method: 'POST', path: `/leads/${leadId}/tags`, pathParameters: { leadId }, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), claims }),
  );
const untag = (deps: Deps, leadId: string, claims: Claims, name: string) =>
  call(
    createUntag(() => deps),
    httpEvent({ method: 'DELETE', path: `/leads/${leadId}/tags/${name}`, pathParameters: { leadId, tag: name }, claims }),
  );
const myLeads = (deps: Deps, claims: Claims, query: Record<string, string>) =>
  call(
    createMyLeads(() => deps),
    httpEvent({ path: '/me/leads', query, claims }),
  );
const poolLeads = (deps: Deps, claims: Claims, query: Record<string, string>) =>
  call(
    createPoolList(() => deps),
    httpEvent({ path: '/pools/nurture/leads', pathParameters: { poolId: 'nurture' }, query, claims }),
  );

const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()] });
const taggedEvents = (deps: Deps) => [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.tagged').map((event) => event.detail);

async function ownedLead(deps: Deps, leadId: string, repId = 'rep-ava') {
  await pooledLead(deps.store, deps.config, { leadId, poolId: 'nurture' });
  const claim = httpEvent({ method: 'POST', path: `/leads/${leadId}/claim`, pathParameters: { leadId }, claims: asRep(repId) });
  expect(
    (
      await call(
        createClaim(() => deps),
        claim,
      )
    ).status,
  ).toBe(200);
}

describe('POST /leads/{leadId}/tags and DELETE /leads/{leadId}/tags/{tag}', () => {
  it('the owner adds and removes a tag: on the lead, on its timeline and in lead.tagged', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 't-1');
    const added = await tag(deps, 't-1', asRep('rep-ava'), { tag: 'needs-follow-up' });
    expect(added).toMatchObject({ status: 200, json: { tags: ['needs-follow-up'] } });
    expect(added.json.history.at(-1)).toMatchObject({ action: 'tagged', by: 'rep-ava', detail: 'needs-follow-up' });
    const removed = await untag(deps, 't-1', asRep('rep-ava'), 'needs-follow-up');
    expect(removed).toMatchObject({ status: 200, json: { tags: [] } });
    expect(removed.json.history.at(-1)).toMatchObject({ action: 'untagged', by: 'rep-ava', detail: 'needs-follow-up' });
    expect(taggedEvents(deps)).toEqual([
      expect.objectContaining({ leadId: 't-1', by: 'rep-ava', ownerId: 'rep-ava', added: ['needs-follow-up'], removed: [], tags: ['needs-follow-up'] }),
      expect.objectContaining({ leadId: 't-1', by: 'rep-ava', added: [], removed: ['needs-follow-up'], tags: [] }),
    ]);
  });

  it('a manager may set a manager-only tag the owner may not', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 't-2');
    const before = writes(deps);
    expect(await tag(deps, 't-2', asRep('rep-ava'), { tag: 'vip' })).toMatchObject({ status: 403, json: { rule: 'may_not_tag' } });
    expect(writes(deps)).toBe(before);
    expect(await tag(deps, 't-2', asManager, { tag: 'vip' })).toMatchObject({ status: 200, json: { tags: ['vip'] } });
    expect(await untag(deps, 't-2', asRep('rep-ava'), 'vip')).toMatchObject({ status: 403, json: { rule: 'may_not_tag' } });
  });

  it('refuses wrong roles, other reps, rule-only and unknown tags, repeats and absent tags with a 4xx, writing nothing', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 't-3');
    await tag(deps, 't-3', asRep('rep-ava'), { tag: 'high-intent' });
    const before = writes(deps);
    expect((await tag(deps, 't-3', asFinance, { tag: 'needs-follow-up' })).status).toBe(403);
    expect(await tag(deps, 't-3', asRep('rep-ben'), { tag: 'needs-follow-up' })).toMatchObject({ status: 403, json: { rule: 'may_not_tag' } });
    expect(await tag(deps, 't-3', asManager, { tag: 'partner-referral' })).toMatchObject({ status: 403, json: { rule: 'may_not_tag' } });
    const unknown = await tag(deps, 't-3', asRep('rep-ava'), { tag: 'gold' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.issues).toEqual([expect.objectContaining({ path: 'tag', message: expect.stringContaining('unknown tag') })]);
    expect((await untag(deps, 't-3', asRep('rep-ava'), 'gold')).json.issues).toEqual([expect.objectContaining({ path: 'tag' })]);
    expect((await tag(deps, 't-3', asRep('rep-ava'), { tag: 'needs-follow-up', colour: 'red' })).status).toBe(400);
    expect(await tag(deps, 't-3', asRep('rep-ava'), { tag: 'high-intent' })).toMatchObject({ status: 409, json: { rule: 'already_tagged' } });
    expect(await untag(deps, 't-3', asRep('rep-ava'), 'needs-follow-up')).toMatchObject({ status: 409, json: { rule: 'not_tagged' } });
    expect((await tag(deps, 'nobody', asManager, { tag: 'vip' })).status).toBe(404);
    expect(writes(deps)).toBe(before);
  });
});

describe('tags as list filters', () => {
  it("filter the rep's own list and the pool list; an unknown tag is a 400 naming the field", async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'f-1');
    await ownedLead(deps, 'f-2');
    await tag(deps, 'f-2', asRep('rep-ava'), { tag: 'needs-follow-up' });
    expect((await myLeads(deps, asRep('rep-ava'), {})).json.leads.map((lead: { leadId: string }) => lead.leadId).sort()).toEqual(['f-1', 'f-2']);
    expect((await myLeads(deps, asRep('rep-ava'), { tag: 'needs-follow-up' })).json.leads).toEqual([expect.objectContaining({ leadId: 'f-2', tags: ['needs-follow-up'] })]);
    expect(await myLeads(deps, asRep('rep-ava'), { tag: 'gold' })).toMatchObject({ status: 400, json: { issues: [expect.objectContaining({ path: 'tag' })] } });

    await pooledLead(deps.store, deps.config, { leadId: 'p-1', poolId: 'nurture' });
    await pooledLead(deps.store, deps.config, { leadId: 'p-2', poolId: 'nurture' });
    await tag(deps, 'p-2', asManager, { tag: 'vip' });
    expect((await poolLeads(deps, asManager, { tag: 'vip' })).json.leads).toEqual([expect.objectContaining({ leadId: 'p-2', tags: ['vip'] })]);
    expect((await poolLeads(deps, asManager, {})).json.leads).toHaveLength(2);
    expect((await poolLeads(deps, asManager, { tag: 'Not A Tag' })).status).toBe(400);
  });
});

describe('tag rules', () => {
  it('tag a lead when it is scored, from the channel or the temperature, with lead.tagged by system; a touch adds what now holds', () => {
    const config = demoConfiguration();
    const cold = webFormIntake(config, { leadId: 'r-1', formId: 'emea-contact', contact: { name: 'Ada', email: 'ada@acme.example' } });
    expect(cold.lead.score?.temperature).not.toBe('hot');
    expect(cold.lead.tags).toBeUndefined();
    expect(cold.events.map((event) => event.type)).toEqual(['lead.captured', 'lead.scored']);

    const hot = webFormIntake(config, { leadId: 'r-2', contact: { name: 'Bo', email: 'bo@acme.example', title: 'CEO', message: 'call me' }, answers: { company_size: '1000+' } });
    expect(hot.lead.score?.temperature).toBe('hot');
    expect(hot.lead.tags).toEqual(['high-intent']);
    expect(hot.events.at(-1)).toMatchObject({ type: 'lead.tagged', detail: { leadId: 'r-2', by: 'system', added: ['high-intent'], removed: [], tags: ['high-intent'] } });

    const warming = webFormIntake(config, { leadId: 'r-3', contact: { name: 'Cy', email: 'cy@acme.example', title: 'Sales manager' }, answers: { company_size: '51-200' } });
    expect(warming.lead.score?.temperature).toBe('warm');
    const touch = warming.touch({ ...warming.lead, tags: ['needs-follow-up'] }, warming.dedupKeys);
    expect(touch.score?.temperature).toBe('hot');
    expect(touch.tags).toEqual(['needs-follow-up', 'high-intent']);
    expect(touch.events.at(-1)).toMatchObject({ type: 'lead.tagged', detail: { added: ['high-intent'], tags: ['needs-follow-up', 'high-intent'] } });
  });

  it('refuses a configuration whose rules name a tag outside the vocabulary, naming the field', () => {
    const document = JSON.parse(JSON.stringify(demoConfiguration()));
    document.tags.rules.push({ tag: 'gold', grades: ['A'] });
    document.tags.vocabulary.push({ id: 'vip', name: 'Twice', colour: '#000000' });
    document.tags.rules.push({ tag: 'vip' });
    expect(() => parseConfiguration(document)).toThrow(/tags\.rules\[2\]\.tag: unknown tag "gold"/);
    expect(() => parseConfiguration(document)).toThrow(/tags\.rules\[3\]: a tag rule needs "when", "grades" or "temperatures"/);
    expect(() => parseConfiguration(document)).toThrow(/tags\.vocabulary\[4\]\.id: duplicate id "vip"/);
  });
});
