import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { assignToOwner, leaveInPool } from '@leadflow/domain';
import { DynamoDbLeadStore } from '@leadflow/platform';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => documents.reset());

const config = demoConfiguration();
const store = () => new DynamoDbLeadStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'leads');
const conflict = () => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }] });
const now = new Date('2026-03-02T10:01:00.000Z');
const lead = webFormIntake(config, { leadId: 'l1', now }).lead;
const route = config.routing.routes.find((candidate) => candidate.strategy === 'round_robin')!;

describe('routing writes that meet concurrent transactions on the same keys', () => {
  it('assigns after a few conflicts, pausing between tries, and gives up after eight so the event is retried later', async () => {
    const owner = config.reps[0];
    const change = { ...assignToOwner({ lead, route, poolId: 'americas-inbound', owner, passedOver: [], skipped: [], eventId: 'l1-assigned', now }), leadId: 'l1', capacity: 10 };
    documents.on(TransactWriteCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({});
    await expect(store().assignOwner(change)).resolves.toBe('assigned');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);

    documents.reset();
    documents.on(TransactWriteCommand).rejects(conflict());
    await expect(store().assignOwner(change)).rejects.toThrow(TransactionCanceledException);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(8);
  });

  it('leaves a lead in its pool under the same bounded retries', async () => {
    const change = { ...leaveInPool({ lead, route, poolId: 'americas-inbound', skipped: [], eventId: 'l1-pooled', now }), leadId: 'l1' };
    documents.on(TransactWriteCommand).rejects(conflict());
    await expect(store().leaveInPool(change)).rejects.toThrow(TransactionCanceledException);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(8);
  });
});
