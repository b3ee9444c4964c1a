import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ConversionFeedback } from '@leadflow/domain';
import { DynamoDbConversionFeedbackQueue } from '@leadflow/platform';

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => documents.reset());
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => documents.restore());

const queue = () => new DynamoDbConversionFeedbackQueue(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'leads');
/** Cancellation reasons in the transaction's order: the SENT and DEAD checks, the lead check, the PENDING put. */
const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const item: ConversionFeedback = {
  platform: 'meta',
  feedbackId: 'l1:qualified',
  leadId: 'l1',
  stage: 'qualified',
  occurredAt: '2026-03-02T10:00:00.000Z',
  metaLeadId: '123',
  attempts: 0,
  dueAt: '2026-03-02T10:00:00.000Z',
};

describe('queueing a conversion beside writes to its lead', () => {
  it('retries a transaction that met another write to the lead (its follow-up tracking takes the same event), instead of taking it as queued before', async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'None', 'TransactionConflict', 'None'))
      .resolves({});
    await expect(queue().enqueue(item)).resolves.toBe(true);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);

    documents.reset();
    documents.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'TransactionConflict', 'None'));
    await expect(queue().enqueue(item)).rejects.toThrow(TransactionCanceledException);
  });

  it('answers false, without retrying, when it was queued, sent or given up on before, or the lead was erased', async () => {
    for (const codes of [
      ['ConditionalCheckFailed', 'None', 'None', 'None'],
      ['None', 'ConditionalCheckFailed', 'None', 'None'],
      ['None', 'None', 'ConditionalCheckFailed', 'None'],
      ['None', 'None', 'None', 'ConditionalCheckFailed'],
    ]) {
      documents.reset();
      documents.on(TransactWriteCommand).rejects(cancelled(...codes));
      await expect(queue().enqueue(item), codes.join()).resolves.toBe(false);
      expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
    }
  });
});
