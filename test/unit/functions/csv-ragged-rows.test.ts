import { describe, expect, it } from 'vitest';
import { createHandler as createImportLeads } from '../../../functions/import-leads/handler';
import { createHandler as createRecordSpend } from '../../../functions/record-spend/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

const oneMegabyte = 1024 * 1024;

/** A file of the largest size accepted: `header`, then one-value rows (`x`) up to 1 MB, each missing columns. */
function raggedFile(header: string): { body: string; rows: number } {
  const rows = Math.floor((oneMegabyte - header.length - 1) / 2);
  return { body: `${header}\n${'x\n'.repeat(rows)}`, rows };
}

// The timeouts guard the complexity, not a speed: each answer took 5–6 s on a busy shared 2-core machine, and 54 s
// there while every row of a wrong length built an error object with a stack trace.
describe('CSV files of 1 MB of rows missing columns', () => {
  it('POST /imports answers each row as an error, listing as many as fit', { timeout: 30_000 }, async () => {
    const deps = fakeDependencies();
    const { body, rows } = raggedFile('name,email');
    const started = Date.now();
    const context = { ...lambdaContext, getRemainingTimeInMillis: () => 29_000 - (Date.now() - started) };
    const event = httpEvent({
      method: 'POST',
      path: '/imports',
      query: { source: 'trade-shows', pool: 'americas-inbound' },
      headers: { 'content-type': 'text/csv' },
      body,
      claims: { sub: 'mgr-maya', 'cognito:groups': '[manager]' },
    });
    const answer = (await createImportLeads(() => deps)(event, context)) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    const json = JSON.parse(answer.body);
    expect(json).toMatchObject({ rows, created: 0 });
    expect(json.errors[0]).toEqual({ row: 2, column: '(row)', message: expect.stringContaining('has 1 values') });
    expect(json.errors.length + json.errorsNotListed).toBe(rows);
  });

  it('POST /spend is refused naming the first rows and counting the rest', { timeout: 30_000 }, async () => {
    const deps = fakeDependencies();
    const { body, rows } = raggedFile('date,channel,campaign,amount,currency');
    const event = httpEvent({ method: 'POST', path: '/spend', headers: { 'content-type': 'text/csv' }, body, claims: { sub: 'fin-fay', 'cognito:groups': '[finance]' } });
    const answer = (await createRecordSpend(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(400);
    const json = JSON.parse(answer.body);
    expect(json.issues[0]).toEqual({ path: 'line 2', message: 'has 1 values; the header has 5' });
    expect(json.issues.length + json.issuesNotListed).toBe(rows);
    expect(deps.roi.spend.size).toBe(0);
  });
});
