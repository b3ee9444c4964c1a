import { describe, expect, it } from 'vitest';
import { teamsDueForDigest, teamsOwedDigest } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

/** The Americas team alone, its digest at `at` in New York. */
function americasAt(at: string) {
  const config = demoConfiguration();
  config.teams = [{ ...config.teams.find((team) => team.id === 'americas')!, digest: { at, timeZone: 'America/New_York' } }];
  return config;
}

/** Every 15-minute tick from `from`, `count` of them. */
const ticksFrom = (from: string, count: number) => Array.from({ length: count }, (_, index) => new Date(Date.parse(from) + index * 15 * 60_000));

describe("the managers' morning digest: which ticks owe it", () => {
  it('is owed on every tick of the local day from its time on, for the day before, and not before it nor after local midnight', () => {
    const config = americasAt('08:30');
    // 2026-03-03 in New York (EST, UTC-5): 05:00 UTC to 05:00 UTC the next day.
    const owed = ticksFrom('2026-03-03T05:00:00Z', 96).flatMap((tick) => teamsOwedDigest(config, tick).map(({ day }) => [tick.toISOString(), day]));
    expect(owed[0]).toEqual(['2026-03-03T13:30:00.000Z', '2026-03-02']);
    expect(owed.at(-1)).toEqual(['2026-03-04T04:45:00.000Z', '2026-03-02']);
    expect(owed).toHaveLength(62);
    expect(teamsOwedDigest(config, new Date('2026-03-04T05:00:00Z'))).toEqual([]);
  });

  it('is owed from the first tick after a time the clocks skip, and from the first pass of a time they repeat on (due once)', () => {
    // 2026-03-08: New York skips 02:00–03:00; 02:30 is owed from 03:00 EDT (07:00 UTC).
    const skipped = americasAt('02:30');
    expect(teamsOwedDigest(skipped, new Date('2026-03-08T06:45:00Z'))).toEqual([]);
    expect(teamsOwedDigest(skipped, new Date('2026-03-08T07:00:00Z')).map(({ day }) => day)).toEqual(['2026-03-07']);
    // 2026-11-01: 01:00–02:00 comes twice (EDT, UTC-4, then EST, UTC-5).
    const repeated = americasAt('01:30');
    const ticks = ticksFrom('2026-11-01T05:00:00Z', 12);
    const owed = ticks.flatMap((tick) => teamsOwedDigest(repeated, tick).map(() => tick.toISOString()));
    const due = ticks.flatMap((tick) => teamsDueForDigest(repeated, tick).map(() => tick.toISOString()));
    // 01:30 EDT is 05:30 UTC; back to 01:00 EST at 06:00 UTC, still owed (a run that failed at 01:30 and 01:45 EDT is made up at once); 01:30 EST is 06:30 UTC.
    expect(owed).toEqual(ticks.slice(2).map((tick) => tick.toISOString()));
    expect(due).toEqual(['2026-11-01T05:30:00.000Z']);
    // A time after the repeated hour is owed when the clock reaches it, not an hour early: 02:30 EST is 07:30 UTC.
    for (const tick of ticksFrom('2026-11-01T05:00:00Z', 10)) expect(teamsOwedDigest(americasAt('02:30'), tick), tick.toISOString()).toEqual([]);
    expect(teamsOwedDigest(americasAt('02:30'), new Date('2026-11-01T07:30:00Z')).map(({ day }) => day)).toEqual(['2026-10-31']);
  });
});
