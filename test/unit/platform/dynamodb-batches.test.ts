import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLeadStore, DynamoDbOutboxStore, DynamoDbNotificationSendLedger, isBackendUnavailable } from '@leadflow/platform';

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  documents.reset();
  vi.useRealTimers();
  vi.restoreAllMocks();
});
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => documents.restore());

const client = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const outboxKey = (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' });

describe('batch reads and deletes that DynamoDB leaves partly unprocessed (throttled)', () => {
  it('sends what was left again only after a pause, not at once into the same throttle', async () => {
    vi.useFakeTimers();
    // The jitter drawn mid-range: a draw near 0 is a pause under 1 ms, which fake timers fire at once.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    documents
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { leads: [{ DeleteRequest: { Key: outboxKey('e2') } }] } })
      .resolves({});
    const deleting = new DynamoDbOutboxStore(client(), 'leads').markPublished(['e1', 'e2']);
    await vi.advanceTimersByTimeAsync(0);
    expect(documents.commandCalls(BatchWriteCommand)).toHaveLength(1);
    await vi.runAllTimersAsync();
    await deleting;
    expect(documents.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems?.leads.map((request) => request.DeleteRequest?.Key))).toEqual([[outboxKey('e1'), outboxKey('e2')], [outboxKey('e2')]]);
  });

  it('gives up after its rounds with an error an HTTP handler answers 503, rather than asking until the function times out', async () => {
    vi.useFakeTimers();
    documents.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => ({ Responses: { leads: [] }, UnprocessedKeys: input.RequestItems }));
    const reading = new DynamoDbNotificationSendLedger(client(), 'leads').readForNotifying('l1', 'rep-ava', 'assigned').catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = await reading;
    expect(error).toMatchObject({ name: 'UnprocessedKeysError', message: expect.stringContaining('unprocessed to read after 6 retries') });
    expect(isBackendUnavailable(error)).toBe(true);
    expect(documents.commandCalls(BatchGetCommand)).toHaveLength(7);
  });

  it('reads more keys than one call takes in calls of 100, and returns every item found', async () => {
    documents.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Array<{ pk: string; sk: string }> }> }) => ({
      Responses: { leads: input.RequestItems.leads.Keys.filter((key) => key.sk === 'LOAD').map((key) => ({ ...key, entity: 'rep-load', repId: key.pk, open: 1 })) },
    }));
    const repIds = Array.from({ length: 120 }, (_, index) => `rep-${index}`);
    const states = await new DynamoDbLeadStore(client(), 'leads').readRepStates(repIds);
    expect(documents.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.leads.Keys?.length)).toEqual([100, 100, 40]);
    expect(documents.commandCalls(BatchGetCommand).every((call) => call.args[0].input.RequestItems?.leads.ConsistentRead === true)).toBe(true);
    expect(states.openLeads.size).toBe(repIds.length);
  });
});
