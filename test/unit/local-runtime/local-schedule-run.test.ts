import { describe, expect, it } from 'vitest';
import type { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { localRoutes } from '../../../packages/local-runtime/src/local-routes';
import type { LocalScheduler } from '../../../packages/local-runtime/src/scheduler';

/** `POST /_local/schedules/<name>/run` over a scheduler that records the times it was asked to run at. */
function scheduleRun() {
  const runs: Date[] = [];
  const scheduler = { has: (name: string) => name === 'follow-up-rules', runNow: async (_name: string, now: Date) => (runs.push(now), { time: now.toISOString() }) } as unknown as LocalScheduler;
  const routes = localRoutes({ activity: {} as ActivityLog, scheduler, endpoints: () => ({}), standIns: async () => undefined, invoke: async () => undefined });
  const post = (body: string) => routes({ method: 'POST', url: new URL('http://local/_local/schedules/follow-up-rules/run'), body: Buffer.from(body) } as never);
  return { runs, post };
}

describe('POST /_local/schedules/<name>/run', () => {
  it('runs as of the instant given, normalised to UTC', async () => {
    const { runs, post } = scheduleRun();
    expect(await post('{"now":"2026-03-02T11:00:00+01:00"}')).toMatchObject({ status: 200 });
    expect(runs.map((run) => run.toISOString())).toEqual(['2026-03-02T10:00:00.000Z']);
  });

  it('refuses a date that does not exist and an unknown field, naming it, and runs nothing', async () => {
    const { runs, post } = scheduleRun();
    expect(await post('{"now":"2026-02-30T00:00:00Z"}')).toMatchObject({ status: 400, body: { issues: [{ path: 'now' }] } });
    expect(await post('{"now":"2026-03-02T10:00:00Z","at":"2026-03-03T10:00:00Z"}')).toMatchObject({ status: 400, body: { issues: [expect.objectContaining({ message: expect.stringContaining('at') })] } });
    expect(await post('[1]')).toMatchObject({ status: 400, body: { issues: [{ path: '(body)' }] } });
    expect(await post('not json')).toMatchObject({ status: 400, body: { issues: [{ path: '(body)' }] } });
    expect(runs).toEqual([]);
  });
});
