import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { assignToOwner, leaveInPool } from '@leadflow/domain';
import { DynamoDbLeadIngestion, DynamoDbLeadStore, isBackendUnavailable } from '@leadflow/platform';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => documents.reset());
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => documents.restore());

const config = demoConfiguration();
const documentClient = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const store = () => new DynamoDbLeadStore(documentClient(), 'leads');
const ingestion = () => new DynamoDbLeadIngestion(documentClient(), 'leads');
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

  it('tries again a transaction cancelled because one of its writes was throttled, which the SDK does not retry', async () => {
    const change = { ...leaveInPool({ lead, route, poolId: 'americas-inbound', skipped: [], eventId: 'l1-pooled', now }), leadId: 'l1' };
    const throttled = new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }] });
    documents.on(TransactWriteCommand).rejectsOnce(throttled).resolves({});
    await expect(store().leaveInPool(change)).resolves.toBe('pooled');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('leaves a lead in its pool under the same bounded retries', async () => {
    const change = { ...leaveInPool({ lead, route, poolId: 'americas-inbound', skipped: [], eventId: 'l1-pooled', now }), leadId: 'l1' };
    documents.on(TransactWriteCommand).rejects(conflict());
    await expect(store().leaveInPool(change)).rejects.toThrow(TransactionCanceledException);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(8);
  });

  it('gives up on a touch whose lead keeps changing as a busy database, which capture answers 503 with Retry-After', async () => {
    const repeat = webFormIntake(config, { leadId: 'l2', now, contact: { name: 'Ada', email: 'l1@example.com' } });
    const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
    // The create finds the person's email key held by l1; every touch of l1 then meets another write to it.
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'))
      .rejects(cancelled('TransactionConflict', 'None', 'None'));
    documents.on(GetCommand, { Key: { pk: 'DEDUP#email#l1@example.com', sk: 'DEDUP' } }).resolves({ Item: { leadId: 'l1' } });
    documents.on(GetCommand, { Key: { pk: 'LEAD#l1', sk: 'LEAD' } }).resolves({ Item: { pk: 'LEAD#l1', sk: 'LEAD', entity: 'lead', ...lead } });
    const failure = await ingestion()
      .ingestLead(repeat)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'WriteContentionError', message: 'Lead l1 kept changing under a touch; it may be sent again' });
    expect(isBackendUnavailable(failure)).toBe(true);
  });
});
