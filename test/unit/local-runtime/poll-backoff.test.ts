import { describe, expect, it } from 'vitest';
import { PollBackoff } from '../../../packages/local-runtime/src/poll-backoff';

describe('PollBackoff', () => {
  it('reads again at once while reads find records, and backs off by doubling up to the ceiling when quiet', () => {
    const backoff = new PollBackoff(10, 100);
    expect([true, true].map((found) => backoff.next(found))).toEqual([0, 0]);
    expect(Array.from({ length: 6 }, () => backoff.next(false))).toEqual([10, 20, 40, 80, 100, 100]);
  });

  it('starts over from the shortest wait after records come back, or when woken', () => {
    const backoff = new PollBackoff(10, 100);
    for (let reads = 0; reads < 5; reads += 1) backoff.next(false);
    expect(backoff.next(true)).toBe(0);
    expect(backoff.next(false)).toBe(10);
    for (let reads = 0; reads < 5; reads += 1) backoff.next(false);
    backoff.wake();
    expect(backoff.next(false)).toBe(10);
  });
});
