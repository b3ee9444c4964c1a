import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../../packages/platform/src/map-with-concurrency';

// Answered on a later turn of the event loop, as a call to a service is.
const later = () => new Promise((answered) => setImmediate(answered));

describe('mapWithConcurrency', () => {
  it('runs at most `limit` tasks at once and gives the results in the order of the items', async () => {
    let running = 0;
    let most = 0;
    const doubled = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (item) => {
      running += 1;
      most = Math.max(most, running);
      for (let turn = 0; turn < item; turn += 1) await later();
      running -= 1;
      return item * 2;
    });
    expect({ doubled, most }).toEqual({ doubled: [10, 2, 8, 4, 6], most: 2 });
  });

  it('rejects with the first failure and starts no task after it, as the caller has given up', async () => {
    const started: number[] = [];
    const failing = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await later();
      if (item === 0) throw new Error('DynamoDB unavailable');
      await later();
      return item;
    });
    await expect(failing).rejects.toThrow('DynamoDB unavailable');
    await later();
    await later();
    expect(started).toEqual([0, 1]);
  });
});
