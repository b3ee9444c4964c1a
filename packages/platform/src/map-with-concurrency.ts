/**
 * `Promise.all(items.map(task))` with at most `limit` tasks running at once; the results in the order of
 * `items`. For many calls to one AWS client: its HTTP handler keeps 50 sockets, and a call waiting for one
 * counts against the connection timeout, so hundreds of calls started together fail rather than queue.
 * The first failure rejects, as `Promise.all` does, and no task starts after it.
 *
 * @example
 * await mapWithConcurrency(daysBetween(from, to), 16, (day) => roi.latestVersion(day))
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`A concurrency limit must be a whole number of at least 1, not ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
