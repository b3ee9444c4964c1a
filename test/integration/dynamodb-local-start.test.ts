import { describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '@leadflow/local-runtime';

describe('starting DynamoDB Local', { timeout: 120_000 }, () => {
  it('fails a start whose port another DynamoDB Local took first, rather than take that one for its own', async () => {
    const first = await startDynamoDbLocal({ port: 0 });
    try {
      const port = Number(new URL(first.endpoint).port);
      // Before, the second start waited for an answer on the port, got the first's, and shared it: tests that
      // picked the same free port wrote into each other's tables and lost their database when the other stopped.
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(/exited with code/);
      const again = await startDynamoDbLocal({ port: 0 });
      expect(again.endpoint).not.toBe(first.endpoint);
      await again.stop();
    } finally {
      await first.stop();
    }
  });
});
