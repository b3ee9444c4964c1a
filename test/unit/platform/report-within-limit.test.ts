import { describe, expect, it } from 'vitest';
import { HttpError, jsonResponse, maxResponseBytes, reportWithinLimit } from '@leadflow/platform';

/** The 400 `reportWithinLimit` answers a report of `megabytes` over the days `from` to `to`. */
function refusal(megabytes: number, range: { from: string; to: string }, smaller: readonly string[]): { error: string; issues: Array<{ path: string; message: string }> } {
  const report = jsonResponse(200, { rows: 'x'.repeat(megabytes * 1024 * 1024) });
  try {
    reportWithinLimit(report, range, smaller);
  } catch (error) {
    if (error instanceof HttpError) return { error: error.message, issues: error.details.issues as Array<{ path: string; message: string }> };
    throw error;
  }
  throw new Error('expected the report to be refused');
}

describe('reportWithinLimit', () => {
  it('answers a report that fits as it is', () => {
    const report = jsonResponse(200, { rows: 'x'.repeat(maxResponseBytes - 1000) });
    expect(reportWithinLimit(report, { from: '2026-03-01', to: '2026-03-01' }, [])).toBe(report);
  });

  it('asks for fewer days when some would fit, naming how many of how many', () => {
    expect(refusal(10, { from: '2026-03-01', to: '2026-03-10' }, ['format=csv']).issues).toEqual([
      { path: 'from', message: '2026-03-01 to 2026-03-10 is too long for one response: ask for about 4 of its 10 days at a time, or use format=csv' },
    ]);
  });

  it('says a day alone is too large, and what would shrink it, rather than asking for 1 of its 1 days', () => {
    expect(refusal(6, { from: '2026-03-01', to: '2026-03-01' }, ['format=csv', 'groupBy=channel']).issues).toEqual([
      { path: 'from', message: '2026-03-01 alone is too large for one response: use format=csv or groupBy=channel' },
    ]);
    // Days that are each over the limit on average: asking for one at a time would not do either.
    expect(refusal(20, { from: '2026-03-01', to: '2026-03-02' }, ['groupBy=channel']).issues).toEqual([
      { path: 'from', message: 'even one day of 2026-03-01 to 2026-03-02 is too large for one response: use groupBy=channel' },
    ]);
  });
});
