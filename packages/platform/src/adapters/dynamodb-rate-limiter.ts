import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../ports/abuse-controls';

const windowSeconds = 60;

/**
 * A fixed-window counter per key and minute; items expire by TTL soon after their window. A plain hit is
 * counted whether or not it is allowed (a request refused for the limit still counts). Hits to `admit` (e.g.
 * one per lead a delivery makes us read) are counted only when they all fit under the limit: refused, they add
 * nothing, so a refused request does not hold back a smaller one (or its redelivery) later in the window.
 */
export class DynamoDbRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(key: string, limit: number, now: Date, admit?: { hits: number }) {
    const hits = admit?.hits ?? 1;
    const windowStart = Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;
    const refused = { allowed: false as const, retryAfterSeconds: Math.max(1, windowStart + windowSeconds - Math.floor(now.getTime() / 1000)) };
    const admitsOnlyWhatFits = admit !== undefined;
    // More than the limit never fits, not even in an empty window.
    if (admitsOnlyWhatFits && hits > limit) return refused;
    let Attributes;
    try {
      ({ Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${key}`, sk: `WINDOW#${windowStart}` },
          UpdateExpression: 'ADD hits :hits SET entity = :entity, expiresAt = :expiresAt',
          ...(admitsOnlyWhatFits ? { ConditionExpression: 'attribute_not_exists(hits) OR hits <= :ceiling' } : {}),
          ExpressionAttributeValues: { ':hits': hits, ':entity': 'rate-window', ':expiresAt': windowStart + 2 * windowSeconds, ...(admitsOnlyWhatFits ? { ':ceiling': limit - hits } : {}) },
          ReturnValues: 'UPDATED_NEW',
        }),
      ));
    } catch (error) {
      if (admitsOnlyWhatFits && (error as { name?: string }).name === 'ConditionalCheckFailedException') return refused;
      throw error;
    }
    if (Number(Attributes?.hits) <= limit) return { allowed: true as const };
    return refused;
  }
}
