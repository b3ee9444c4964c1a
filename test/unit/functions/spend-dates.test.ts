import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandler as createRecordSpend } from '../../../functions/record-spend/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

const rootDir = new URL('../../..', import.meta.url).pathname;
const finance = { sub: 'fin-fiona', 'cognito:groups': '[finance]' };

async function postSpend(now: Date, rows: unknown[]) {
  const deps = fakeDependencies(now);
  const event = httpEvent({ method: 'POST', path: '/spend', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }), claims: finance });
  const response = (await createRecordSpend(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body), spend: deps.roi.spend.size };
}

const row = (date: string) => ({ date, channel: 'meta-ads', campaign: 'spring', amount: '10.00', currency: 'USD' });

describe('POST /spend with many bad rows', () => {
  it('lists the first 1,000 issues and counts the rest, so the answer stays far below what Lambda can send', async () => {
    const answer = await postSpend(
      new Date('2026-03-11T15:00:00.000Z'),
      Array.from({ length: 600 }, () => ({})),
    );
    expect(answer.status).toBe(400);
    expect(answer.json.issues).toHaveLength(1000);
    expect(answer.json.issues[0]).toEqual({ path: 'rows[0].date', message: expect.any(String) });
    // Each empty row misses four fields (date, channel, amount, currency): 2,400 issues in all.
    expect(answer.json.issuesNotListed).toBe(1400);
    expect(answer.spend).toBe(0);
  });
});

describe('POST /spend dates', () => {
  it('refuses a date after today or before 2000-01-01, naming rows[i].date, and writes nothing', async () => {
    const answer = await postSpend(new Date('2026-03-11T15:00:00.000Z'), [row('2099-01-01'), row('0001-01-01'), row('1999-12-31'), row('2026-03-10')]);
    expect(answer.status).toBe(400);
    expect(answer.json.issues).toEqual([
      { path: 'rows[0].date', message: 'must not be after today (2026-03-11 in America/New_York)' },
      { path: 'rows[1].date', message: 'must not be before 2000-01-01' },
      { path: 'rows[2].date', message: 'must not be before 2000-01-01' },
    ]);
    expect(answer.spend).toBe(0);
  });

  it('takes today and 2000-01-01, today being on the organisation’s clock rather than UTC', async () => {
    // 02:00 UTC on 03-11 is 22:00 on 03-10 in New York: 03-11 has not begun there.
    const late = new Date('2026-03-11T02:00:00.000Z');
    expect((await postSpend(late, [row('2026-03-11')])).json.issues).toEqual([{ path: 'rows[0].date', message: 'must not be after today (2026-03-10 in America/New_York)' }]);
    const taken = await postSpend(late, [row('2026-03-10'), row('2000-01-01')]);
    expect(taken.status).toBe(200);
    expect(taken.spend).toBe(2);
  });
});

describe('npm run import-spend dates', () => {
  it('refuses a file with a date after today with the same check, before connecting to anything', { timeout: 90_000 }, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-spend-dates-'));
    const file = join(directory, 'spend.csv');
    writeFileSync(file, 'date,channel,campaign,amount,currency\n2099-01-01,meta-ads,a,10.00,USD\n0001-01-01,meta-ads,b,10.00,USD\n');
    // No runtime listens here: the file is checked whole first, so nothing is ever written.
    const run = await new Promise<{ status: number | null; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'packages/local-runtime/src/import-spend-cli.ts', file, '--url', 'http://127.0.0.1:9'],
        { cwd: rootDir, env: { ...process.env, LEADS_LOG_LEVEL: 'SILENT' } },
        (error, _stdout, stderr) => done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
      );
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('nothing was written');
    const report = readFileSync(`${file}.errors.csv`, 'utf8');
    expect(report).toContain('line 2,date,must not be after today');
    expect(report).toContain('line 3,date,must not be before 2000-01-01');
  });
});
