import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbNotificationSendLedger } from '@leadflow/platform';

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => documents.reset());
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => documents.restore());

const ledger = () => new DynamoDbNotificationSendLedger(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'leads');
const key = { leadId: 'l1', repId: 'rep-ava', reason: 'assigned', channel: 'sms' as const };
const charge = { day: '2026-03-02', segments: 1, costMicros: 10_000, limits: { organisation: { count: 500, micros: 10_000_000 }, perRep: { count: 50, micros: 1_000_000 } } };
const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('DynamoDbNotificationSendLedger.claimSms', () => {
  it('tries again when a concurrent SMS of the day conflicts on the budget counters', async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict', 'None'))
      .resolves({});
    await expect(ledger().claimSms(key, '2026-03-02T17:00:00.000Z', charge)).resolves.toBe('claimed');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it.each([
    [['ConditionalCheckFailed', 'None', 'None'], 'already_claimed'],
    [['None', 'ConditionalCheckFailed', 'None'], 'over_organisation_budget'],
    [['None', 'None', 'ConditionalCheckFailed'], 'over_rep_budget'],
  ])('names which condition refused (%j → %s)', async (codes, outcome) => {
    documents.on(TransactWriteCommand).rejects(cancelled(...codes));
    await expect(ledger().claimSms(key, '2026-03-02T17:00:00.000Z', charge)).resolves.toBe(outcome);
  });
});
