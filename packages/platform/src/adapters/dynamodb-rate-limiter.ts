import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../ports/abuse-controls';

const windowSeconds = 60;

/** A fixed-window counter per key and minute; items expire by TTL soon after their window. */
export class DynamoDbRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(key: string, limit: number, now: Date, hits = 1) {
    const windowStart = Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `RATE#${key}`, sk: `WINDOW#${windowStart}` },
        UpdateExpression: 'ADD hits :hits SET entity = :entity, expiresAt = :expiresAt',
        ExpressionAttributeValues: { ':hits': hits, ':entity': 'rate-window', ':expiresAt': windowStart + 2 * windowSeconds },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    if (Number(Attributes?.hits) <= limit) return { allowed: true as const };
    return { allowed: false as const, retryAfterSeconds: Math.max(1, windowStart + windowSeconds - Math.floor(now.getTime() / 1000)) };
  }
}
