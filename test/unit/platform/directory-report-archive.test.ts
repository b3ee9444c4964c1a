import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelDaySpend } from '@leadflow/domain';
import { DirectoryReportArchive, rollUpChannelRoiDays, rollupVersionCsv, rollupVersionFunnelCsv, type ReportArchive } from '@leadflow/platform';
import { fakeDependencies } from '../../support/fakes';

const directories: string[] = [];
async function reportDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'leadflow-reports-'));
  directories.push(directory);
  return directory;
}
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('DirectoryReportArchive', () => {
  it('takes two puts of one key at once: both succeed, the file is one of the bodies whole, and no temporary file is left', async () => {
    const key = 'channel-roi/date=2026-11-28/v2.csv';
    const long = `header\n${'row-of-version-a,1,2,3\n'.repeat(20_000)}`;
    const short = `header\n${'row-of-version-b,1,2,3\n'.repeat(10)}`;
    for (let trial = 0; trial < 20; trial += 1) {
      const directory = await reportDirectory();
      const archive: ReportArchive = new DirectoryReportArchive(directory);
      await Promise.all([archive.put(key, long, 'text/csv'), archive.put(key, short, 'text/csv')]);
      expect([long, short]).toContain(await readFile(join(directory, key), 'utf8'));
      expect(await readdir(join(directory, 'channel-roi/date=2026-11-28'))).toEqual(['v2.csv']);
    }
  });

  it('refuses a key that leaves its directory', async () => {
    await expect(new DirectoryReportArchive(await reportDirectory()).put('../outside.csv', 'x')).rejects.toThrow('leaves the report directory');
  });
});

describe('two rollups of one day at once, filing locally', () => {
  const day = '2026-03-10';
  const spend = (cents: number): ChannelDaySpend[] => [{ day, channel: 'meta-ads', campaigns: Array.from({ length: 40 }, (_, index) => ({ campaign: `campaign-${index}`, cents: cents + index })) }];

  it('leaves the version stored with its own files: the rollup that lost the race files them again, and neither fails', async () => {
    for (let trial = 0; trial < 10; trial += 1) {
      const deps = fakeDependencies(new Date('2026-03-11T04:30:00.000Z'));
      const directory = await reportDirectory();
      const archive: ReportArchive = new DirectoryReportArchive(directory);
      // Two rollups (the nightly run and POST /rollups/channel-roi, say) reach version 2's file at the same moment, as two handlers of the local runtime's one process may.
      const waiting: Array<() => void> = [];
      let together = false;
      const reports = {
        put: async (key: string, body: string, contentType: string) => {
          if (together && key === `channel-roi/date=${day}/v2.csv` && waiting.length < 2) {
            await new Promise<void>((go) => {
              waiting.push(go);
              if (waiting.length === 2) waiting.forEach((release) => release());
            });
          }
          await archive.put(key, body, contentType);
        },
      };
      await deps.roi.replaceSpend(spend(40_000), { markedAt: '2026-03-10T20:00:00.000Z', expiresAt: () => 0 });
      await rollUpChannelRoiDays([day], { ...deps, reports });
      // Finance corrects the day's spend twice; one rollup reads it between the corrections, the other after both.
      await deps.roi.replaceSpend(spend(42_000), { markedAt: '2026-03-11T04:28:00.000Z', expiresAt: () => 0 });
      const between = await deps.roi.spendOn(day);
      await deps.roi.replaceSpend(spend(45_000), { markedAt: '2026-03-11T04:29:00.000Z', expiresAt: () => 0 });
      let staleReads = 1;
      const staleRoi = Object.assign(Object.create(deps.roi) as typeof deps.roi, { spendOn: async (of: string) => (staleReads-- > 0 ? between : deps.roi.spendOn(of)) });
      together = true;
      await Promise.all([rollUpChannelRoiDays([day], { ...deps, reports }), rollUpChannelRoiDays([day], { ...deps, roi: staleRoi, reports })]);
      const stored = (await deps.roi.version(day, 2))!;
      expect(await readFile(join(directory, `channel-roi/date=${day}/v2.csv`), 'utf8')).toBe(rollupVersionCsv(stored));
      expect(await readFile(join(directory, `funnel/date=${day}/v2.csv`), 'utf8')).toBe(rollupVersionFunnelCsv(stored));
      // Whichever stored version 2, the day's latest version holds the spend as corrected last, with its own file.
      const latest = (await deps.roi.latestVersion(day))!;
      expect(latest.rows.filter((row) => row.attribution === 'first').reduce((sum, row) => sum + row.spendCents, 0)).toBe(40 * 45_000 + (39 * 40) / 2);
      expect(await readFile(join(directory, `channel-roi/date=${day}/v${latest.version}.csv`), 'utf8')).toBe(rollupVersionCsv(latest));
    }
  });
});
