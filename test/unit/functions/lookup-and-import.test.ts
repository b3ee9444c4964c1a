import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxResponseBytes } from '@leadflow/platform';
import { createHandler as createLookupHandler } from '../../../functions/lookup-lead/handler';
import { createHandler as createImportHandler } from '../../../functions/import-leads/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { webFormIntake } from '../../support/intakes';

type Deps = ReturnType<typeof fakeDependencies>;
const asRep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });
const asManager = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
const asAdmin = { sub: 'root', 'cognito:groups': '[admin]' };
const asFinance = { sub: 'fin', 'cognito:groups': '[finance]' };
const sample = readFileSync(new URL('../../../examples/trade-show-leads.csv', import.meta.url), 'utf8');

/** `null` claims: a request without a verified token. */
function lookup(deps: Deps, query: Record<string, string>, claims: Record<string, string> | null = asRep('rep-ben')) {
  const event = httpEvent({ path: '/leads/lookup', claims: claims ?? undefined });
  event.queryStringParameters = query;
  return createLookupHandler(() => deps)(event, lambdaContext) as Promise<any>;
}

function postImport(deps: Deps, body: string, query: Record<string, string> = { source: 'trade-shows', pool: 'americas-inbound' }, claims: Record<string, string> | null = asManager, contentType = 'text/csv') {
  const event = httpEvent({ method: 'POST', path: '/imports', headers: { 'content-type': contentType }, body, claims: claims ?? undefined });
  event.queryStringParameters = query;
  return createImportHandler(() => deps)(event, lambdaContext) as Promise<any>;
}

/** Everything the fake store holds, to show a failed request wrote nothing. */
const snapshot = (deps: Deps) => JSON.stringify([[...deps.store.leads], [...deps.store.outbox], [...deps.store.keys]]);

async function withLead(ownerId?: string) {
  const deps = fakeDependencies();
  await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'lead-1', contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' } }));
  if (ownerId) Object.assign(deps.store.leads.get('lead-1')!, { ownerId, status: 'assigned', assignment: { rule: 'round_robin', poolId: 'americas-inbound', assignedAt: '2026-03-02T10:00:05.000Z' } });
  return deps;
}

describe('lookup-lead handler (查重)', () => {
  it('answers exists: false for a person nobody holds', async () => {
    const response = await lookup(fakeDependencies(), { email: 'nobody@example.com' });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ exists: false });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('does not find a lead past its retention, as good as deleted though the table still holds it', async () => {
    const deps = await withLead();
    Object.assign(deps.store.leads.get('lead-1')!, { isTest: true }); // a platform test lead, kept 30 days from capture (the default)
    const capturedAt = Date.parse(deps.store.leads.get('lead-1')!.capturedAt);
    deps.now = () => new Date(capturedAt + 30 * 86_400_000 - 1000);
    expect(JSON.parse((await lookup(deps, { email: 'ada@example.com' })).body)).toMatchObject({ exists: true, leadId: 'lead-1' });
    deps.now = () => new Date(capturedAt + 30 * 86_400_000);
    expect(JSON.parse((await lookup(deps, { email: 'ada@example.com' })).body)).toEqual({ exists: false });
  });

  it('shows a lead still in its pool as held by the pool', async () => {
    const response = await lookup(await withLead(), { email: 'ADA@example.com' });
    expect(JSON.parse(response.body)).toEqual({ exists: true, leadId: 'lead-1', status: 'new', heldBy: 'pool', poolId: 'americas-inbound', owner: null, since: '2026-03-02T10:00:00.000Z' });
  });

  it('masks the owner’s name and leaves out their id for another rep; the owner, a manager and an admin see both', async () => {
    const deps = await withLead('rep-ava');
    const asOtherRep = await lookup(deps, { email: 'ada@example.com' }, asRep('rep-ben'));
    expect(asOtherRep.body).not.toContain('rep-ava');
    expect(JSON.parse(asOtherRep.body)).toEqual({
      exists: true,
      leadId: 'lead-1',
      status: 'assigned',
      heldBy: 'owner',
      poolId: 'americas-inbound',
      owner: { id: null, name: 'A*** C***' },
      since: '2026-03-02T10:00:05.000Z',
    });
    for (const claims of [asRep('rep-ava'), asManager, asAdmin]) {
      expect(JSON.parse((await lookup(deps, { email: 'ada@example.com' }, claims)).body).owner).toEqual({ id: 'rep-ava', name: 'Ava Chen' });
    }
  });

  it('finds a person by phone, national numbers read in the organisation’s country or the one given', async () => {
    const deps = await withLead('rep-ava');
    for (const query of [{ phone: '+14155550100' }, { phone: '(415) 555-0100' }, { phone: '415 555 0100', country: 'US' }, { phone: ' 14155550100' }] as Array<Record<string, string>>) {
      expect(JSON.parse((await lookup(deps, query)).body)).toMatchObject({ exists: true, leadId: 'lead-1' });
    }
    expect(JSON.parse((await lookup(deps, { phone: '020 7946 0958', country: 'GB' })).body)).toEqual({ exists: false });
  });

  it('never answers with contact details', async () => {
    const deps = await withLead('rep-ava');
    for (const claims of [asRep('rep-ben'), asRep('rep-ava'), asManager]) {
      const { body } = await lookup(deps, { email: 'ada@example.com' }, claims);
      for (const secret of ['ada@example.com', '+14155550100', 'Lovelace', 'contact', 'answers']) expect(body).not.toContain(secret);
    }
  });

  it('is 400 naming the parameter for a missing, doubled or invalid email, phone or country', async () => {
    const deps = await withLead();
    const issues = async (query: Record<string, string>) => {
      const response = await lookup(deps, query);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error).toBe('The dedup check needs exactly one valid email or phone');
      return JSON.parse(response.body).issues.map((issue: { path: string }) => issue.path);
    };
    expect(await issues({})).toEqual(['(query)']);
    expect(await issues({ email: 'ada@example.com', phone: '+14155550100' })).toEqual(['phone']);
    expect(await issues({ email: 'not-an-email' })).toEqual(['email']);
    expect(await issues({ email: '' })).toEqual(['email']);
    expect(await issues({ phone: '555' })).toEqual(['phone']);
    expect(await issues({ phone: '+14155550100', country: 'Narnia' })).toEqual(['country']);
    expect(await issues({ email: 'ada@example.com', emial: 'ada@example.com' })).toEqual(['emial']);
    // A refused check looks nothing up, so it does not count against the caller's checks a minute.
    for (let time = 0; time < 40; time++) await issues({ emial: 'ada@example.com' });
    expect((await lookup(deps, { email: 'ada@example.com' })).statusCode).toBe(200);
  });

  it('answers each caller 30 checks a minute, then 429 with Retry-After until the next minute', async () => {
    const deps = await withLead('rep-ava');
    const statuses = async (claims: Record<string, string>, times: number) => {
      const seen: number[] = [];
      for (let time = 0; time < times; time++) seen.push((await lookup(deps, { email: 'ada@example.com' }, claims)).statusCode);
      return seen;
    };
    expect(await statuses(asRep('rep-ben'), 30)).toEqual(Array(30).fill(200));
    const over = await lookup(deps, { phone: '+14155550199' }, asRep('rep-ben'));
    expect(over.statusCode).toBe(429);
    // The fake clock stands at 10:15:00: the window ends in a minute.
    expect(over.headers['retry-after']).toBe('60');
    expect(over.body).not.toContain('exists');
    // Counted per caller: another rep, or a manager, still gets an answer.
    expect(await statuses(asRep('rep-ava'), 1)).toEqual([200]);
    expect(await statuses(asManager, 1)).toEqual([200]);
    deps.now = () => new Date('2026-03-02T10:16:00.000Z');
    expect(await statuses(asRep('rep-ben'), 1)).toEqual([200]);
  });

  it('is 403 for finance and 401 without a verified token', async () => {
    const deps = await withLead('rep-ava');
    const before = snapshot(deps);
    const forbidden = await lookup(deps, { email: 'ada@example.com' }, asFinance);
    expect(forbidden.statusCode).toBe(403);
    expect(JSON.parse(forbidden.body)).toEqual({ error: 'The dedup check is for reps, managers and admins' });
    expect((await lookup(deps, { email: 'ada@example.com' }, null)).statusCode).toBe(401);
    expect(snapshot(deps)).toBe(before);
  });
});

describe('import-leads handler', () => {
  it('imports the sample file as a manager: counts, row errors, and leads from the import channel', async () => {
    const deps = fakeDependencies();
    const response = await postImport(deps, sample, { source: 'trade-shows', campaign: 'automate-2026', pool: 'americas-inbound' });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      rows: 16,
      created: 13,
      touched: 1,
      replayed: 0,
      invalid: 1,
      errors: [{ row: 13, column: '(row)', message: 'has 12 values; the header has 11 columns (is a comma inside a value missing its quotes?)' }],
    });
    const leads = [...deps.store.leads.values()];
    expect(leads).toHaveLength(14);
    const priya = leads.find((lead) => lead.contact.email === 'priya.raman@example.com')!;
    expect(priya).toMatchObject({
      status: 'new',
      channel: 'trade-shows',
      poolId: 'americas-inbound',
      source: { kind: 'import', sourceId: 'automate-2026', platformLeadId: expect.stringMatching(/^[0-9a-f]{32}$/) },
      contact: { name: 'Priya Raman', phone: '+14155550134', company: 'Brightline Logistics', title: 'VP Operations' },
      answers: { badge_id: 'A26-10481', interest: 'Palletizing' },
      attribution: { firstTouch: { campaign_id: 'automate-2026' }, lastTouch: { campaign_id: 'automate-2026' } },
      touches: 2,
    });
    expect(priya.history.map((entry) => [entry.action, entry.by])).toEqual([
      ['captured', 'import:automate-2026'],
      ['touched', 'import:automate-2026'],
    ]);
    expect(leads.find((lead) => lead.contact.name === 'Leo Martins')).toMatchObject({ status: 'invalid', statusReason: 'no usable email or phone' });
    expect(leads.find((lead) => lead.contact.name === "Tom O'Brien")?.contact).toMatchObject({ phone: '+442079460958', message: 'Budget approved for Q3,\nneeds an ROI case before the board meeting' });
    expect(leads.some((lead) => lead.contact.email === 'carla.nguyen@example.com')).toBe(false);
    // Announced through the outbox like any other lead: routing picks up the new ones.
    const events = [...deps.store.outbox.values()];
    expect(events.filter((event) => event.detailType === 'lead.captured')).toHaveLength(14);
    expect(events.filter((event) => event.detailType === 'lead.touched')).toHaveLength(1);
    expect(events.find((event) => event.detail.leadId === priya.leadId && event.detailType === 'lead.captured')?.detail).toMatchObject({ sourceKind: 'import', status: 'new', channel: 'trade-shows' });
  });

  it('replays the same file a second time, writing nothing', async () => {
    const deps = fakeDependencies();
    await postImport(deps, sample, { source: 'trade-shows', campaign: 'automate-2026', pool: 'americas-inbound' });
    const before = snapshot(deps);
    const again = await postImport(deps, sample, { source: 'trade-shows', campaign: 'automate-2026', pool: 'americas-inbound' }, asAdmin, 'text/csv; charset=utf-8');
    expect(JSON.parse(again.body)).toMatchObject({ rows: 16, created: 0, touched: 0, replayed: 15, invalid: 0 });
    expect(snapshot(deps)).toBe(before);
  });

  it('reads a base64-encoded body, as API Gateway may pass it', async () => {
    const deps = fakeDependencies();
    const event = httpEvent({ method: 'POST', path: '/imports', headers: { 'content-type': 'text/csv' }, body: Buffer.from('email\nbo@example.com\n').toString('base64'), claims: asManager });
    Object.assign(event, { isBase64Encoded: true, queryStringParameters: { source: 'trade-shows', pool: 'emea-inbound' } });
    const response = (await createImportHandler(() => deps)(event, lambdaContext)) as any;
    expect(JSON.parse(response.body)).toMatchObject({ rows: 1, created: 1 });
    expect([...deps.store.leads.values()][0]).toMatchObject({ poolId: 'emea-inbound', source: { sourceId: 'trade-shows' } });
  });

  it('is 403 for reps and finance, and 401 without a token, writing nothing', async () => {
    const deps = fakeDependencies();
    for (const claims of [asRep('rep-ava'), asFinance]) {
      const response = await postImport(deps, sample, undefined, claims);
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toEqual({ error: 'Importing leads needs the manager or admin role' });
    }
    expect((await postImport(deps, sample, undefined, null)).statusCode).toBe(401);
    expect(deps.store.leads.size + deps.store.outbox.size + deps.store.keys.size).toBe(0);
  });

  it('is 415 for other content types and 413 over 1 MB, writing nothing', async () => {
    const deps = fakeDependencies();
    const json = await postImport(deps, '{"email":"a@example.com"}', undefined, asManager, 'application/json');
    expect(json.statusCode).toBe(415);
    expect(JSON.parse(json.body)).toEqual({ error: 'Content-Type "application/json" is not accepted; send one of: text/csv' });
    expect((await postImport(deps, sample, undefined, asManager, '')).statusCode).toBe(415);
    const big = `email,notes\n${`a@example.com,${'x'.repeat(1000)}\n`.repeat(1100)}`;
    const tooLarge = await postImport(deps, big);
    expect(tooLarge.statusCode).toBe(413);
    expect(JSON.parse(tooLarge.body)).toEqual({ error: 'Request body is larger than 1048576 bytes' });
    expect(deps.store.leads.size + deps.store.outbox.size).toBe(0);
  });

  it('is 400 naming the parameter for a missing or unknown source, a missing or unknown pool, and a bad campaign', async () => {
    const deps = fakeDependencies();
    const paths = async (query: Record<string, string>) => {
      const response = await postImport(deps, sample, query);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error).toBe('The import parameters are invalid');
      return JSON.parse(response.body).issues;
    };
    expect(await paths({ pool: 'americas-inbound' })).toEqual([{ path: 'source', message: expect.stringMatching(/^is required/) }]);
    expect(await paths({ source: 'fax', pool: 'americas-inbound' })).toEqual([{ path: 'source', message: `unknown channel "fax"; configured channels: ${deps.config.channels.map((channel) => channel.id).join(', ')}` }]);
    expect(await paths({ source: 'trade-shows' })).toEqual([{ path: 'pool', message: 'is required: the pool the leads go to (one of americas-inbound, emea-inbound, key-accounts, nurture)' }]);
    expect(await paths({ source: 'trade-shows', pool: 'apac' })).toEqual([{ path: 'pool', message: 'unknown pool "apac"; configured pools: americas-inbound, emea-inbound, key-accounts, nurture' }]);
    expect(await paths({ source: 'trade-shows', pool: 'americas-inbound', campaign: '' })).toEqual([{ path: 'campaign', message: expect.any(String) }]);
    // A misspelt parameter is refused by name, not dropped: the leads would otherwise be stored without their campaign.
    expect(await paths({ source: 'trade-shows', pool: 'americas-inbound', campagin: 'automate-2026' })).toEqual([
      { path: 'campagin', message: 'is not a parameter of this request; it takes source, campaign, pool, country, fromLine' },
    ]);
    expect(deps.store.leads.size + deps.store.outbox.size).toBe(0);
  });

  it('is 400 naming the problem for a file without a usable header or without data rows, writing nothing', async () => {
    const deps = fakeDependencies();
    const problem = async (body: string) => {
      const response = await postImport(deps, body);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error).toBe('The file cannot be imported');
      return JSON.parse(response.body).issues;
    };
    expect(await problem('')).toEqual([{ path: '(header)', message: 'the first row must name the columns, such as "name,email,phone,company"' }]);
    expect(await problem('name,email,phone\r\n')).toEqual([{ path: '(rows)', message: 'the file has a header row but no data rows' }]);
    expect(await problem('name,company\nAda,Acme\n')).toEqual([{ path: '(header)', message: expect.stringMatching(/^no column holds an email or a phone/) }]);
    expect(await problem('email,Email\na@example.com,b@example.com\n')).toEqual([{ path: 'Email', message: 'holds the same lead field "email" as column "email"; keep one of them' }]);
    expect(deps.store.leads.size + deps.store.outbox.size).toBe(0);
  });

  it('imports the good rows of a file whose rows all have errors or none, reporting each', async () => {
    const deps = fakeDependencies();
    const response = await postImport(deps, 'name,email\nAda,a@example.com,extra\n');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ rows: 1, created: 0, touched: 0, replayed: 0, invalid: 0, errors: [{ row: 2, column: '(row)', message: expect.stringMatching(/^has 3 values/) }] });
    expect(deps.store.leads.size).toBe(0);
  });

  it('answers nextLine when its time runs out, and stores only the rest when the file is sent again with fromLine', async () => {
    const deps = fakeDependencies();
    const send = (query: Record<string, string>, remainingMs: number) => {
      const event = httpEvent({ method: 'POST', path: '/imports', headers: { 'content-type': 'text/csv' }, body: sample, claims: asManager });
      event.queryStringParameters = { source: 'trade-shows', campaign: 'automate-2026', pool: 'americas-inbound', ...query };
      return createImportHandler(() => deps)(event, { ...lambdaContext, getRemainingTimeInMillis: () => remainingMs }) as Promise<any>;
    };
    // Ten seconds are kept for the rows in flight and the answer: no row starts.
    const stopped = await send({}, 5_000);
    expect(JSON.parse(stopped.body)).toEqual({ rows: 0, created: 0, touched: 0, replayed: 0, invalid: 0, errors: [], nextLine: 2 });
    expect(deps.store.leads.size).toBe(0);
    // From the sample's line 10 on: 9 rows, one with an error (line 13); Priya's second row (18) is now her first.
    const rest = await send({ fromLine: '10' }, 30_000);
    expect(JSON.parse(rest.body)).toEqual({ rows: 9, created: 7, touched: 0, replayed: 0, invalid: 1, errors: [{ row: 13, column: '(row)', message: expect.stringMatching(/^has 12 values/) }] });
    expect(deps.store.leads.size).toBe(8);
  });

  it('is 400 naming fromLine when it is not a line after the header', async () => {
    const deps = fakeDependencies();
    for (const fromLine of ['1', '0', '-3', 'two', '2.5', '']) {
      const response = await postImport(deps, sample, { source: 'trade-shows', pool: 'americas-inbound', fromLine });
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: 'The import parameters are invalid', issues: [{ path: 'fromLine', message: expect.stringMatching(/^must be a whole number of 2 or more/) }] });
    }
    expect(deps.store.leads.size).toBe(0);
  });

  it('is 400 naming fromLine when it is past the last row of the file, which no import answers as nextLine', async () => {
    const deps = fakeDependencies();
    const response = await postImport(deps, sample, { source: 'trade-shows', pool: 'americas-inbound', fromLine: '19' });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'The import parameters are invalid', issues: [{ path: 'fromLine', message: "is past the file's last row (line 18)" }] });
    expect(JSON.parse((await postImport(deps, sample, { source: 'trade-shows', pool: 'americas-inbound', fromLine: '18' })).body)).toMatchObject({ rows: 1 });
  });

  it('answers the counts of a file of nothing but bad rows with as many row errors as fit in one answer, and how many more there are', async () => {
    const deps = fakeDependencies();
    // About 1 MB of rows with one value too many: each row error is far longer than its row.
    const rows = 'a@example.com,x,y\n'.repeat(55_000);
    const response = await postImport(deps, `email,notes\n${rows}`);
    expect(response.statusCode).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(maxResponseBytes);
    const answer = JSON.parse(response.body);
    expect(answer).toMatchObject({ rows: 55_000, created: 0 });
    expect(answer.errors.length).toBeGreaterThan(1000);
    expect(answer.errors.length + answer.errorsNotListed).toBe(55_000);
    expect(answer.errors.at(-1).row).toBe(answer.errors.length + 1);
  });

  it('touches the lead of a person who came in through a web form before', async () => {
    const deps = await withLead('rep-ava');
    const response = await postImport(deps, 'Name,E-mail\nAda Lovelace,ada@example.com\n');
    expect(JSON.parse(response.body)).toMatchObject({ created: 0, touched: 1 });
    expect(deps.store.leads.get('lead-1')).toMatchObject({ touches: 2, ownerId: 'rep-ava' });
  });
});
