import { localClientSettings } from '@leadflow/local-runtime';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, paginateScan, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { createDynamoDbClient, leadsTableKeys, outboxItem } from '@leadflow/platform';
import type { LeadEvent } from '@leadflow/domain';

type Item = Record<string, AttributeValue>;

/**
 * The database work one form capture does, issued straight at DynamoDB Local with pre-marshalled items
 * copied from a real captured lead: the per-IP rate-limit update and the transaction that writes the
 * dedup key, the lead and its two outbox events. The copies use `BENCH#` keys and an entity the relay's
 * filter ignores, so they are not routed. This is the same-run baseline capture is measured against.
 */
export class RawCaptureWork {
  private readonly client: DynamoDBClient;

  private constructor(
    endpoint: string,
    private readonly tableName: string,
    private readonly templates: { lead: Item; dedupKey: Item; outbox: Item[] },
  ) {
    this.client = createDynamoDbClient(localClientSettings({ dynamodb: endpoint }));
  }

  /** Copies the items of `leadId`, a lead captured through the form, as templates. */
  static async from(runtime: LocalRuntime, tableName: string, leadId: string): Promise<RawCaptureWork> {
    const client = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
    try {
      const { Item: lead } = await client.send(new GetItemCommand({ TableName: tableName, Key: marshall(leadsTableKeys.lead(leadId)) }));
      // Every page of the scan: after a burst the key is rarely on the first.
      let dedupKey: Item | undefined;
      const scan = { TableName: tableName, FilterExpression: 'entity = :entity AND leadId = :leadId', ExpressionAttributeValues: { ':entity': { S: 'dedup-key' }, ':leadId': { S: leadId } } };
      for await (const page of paginateScan({ client }, scan)) if ((dedupKey = page.Items?.[0])) break;
      // A capture writes two outbox events with the lead: lead.captured and lead.scored.
      const events = ['lead.captured', 'lead.scored'].map((type) => runtime.activity.events.find((event) => event.detailType === type && (event.detail as { leadId: string }).leadId === leadId));
      if (!lead || !dedupKey || events.some((event) => !event)) throw new Error(`Lead ${leadId} cannot be copied as a template`);
      const outbox = events.map((recorded) =>
        marshall({ ...outboxItem({ type: recorded?.detailType, time: recorded?.time, detail: recorded?.detail } as LeadEvent), entity: 'bench-outbox' }, { removeUndefinedValues: true }),
      );
      return new RawCaptureWork(runtime.endpoints.dynamodb, tableName, { lead, dedupKey, outbox });
    } finally {
      client.destroy();
    }
  }

  /** One capture's worth of database calls, with fresh keys. */
  async captureOnce(): Promise<void> {
    const id = randomUUID();
    const windowStart = Math.floor(Date.now() / 60_000) * 60;
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: 'RATE#form:bench:ip:127.0.0.1' }, sk: { S: `WINDOW#${windowStart}` } },
        UpdateExpression: 'ADD hits :one SET entity = :entity, expiresAt = :expiresAt',
        ExpressionAttributeValues: { ':one': { N: '1' }, ':entity': { S: 'rate-window' }, ':expiresAt': { N: String(windowStart + 120) } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const condition = 'attribute_not_exists(pk)';
    await this.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...this.templates.dedupKey, pk: { S: `BENCH#DEDUP#${id}` } }, ConditionExpression: condition } },
          { Put: { TableName: this.tableName, Item: { ...this.templates.lead, pk: { S: `BENCH#LEAD#${id}` } }, ConditionExpression: condition } },
          ...this.templates.outbox.map((outbox, index) => ({ Put: { TableName: this.tableName, Item: { ...outbox, pk: { S: `BENCH#OUTBOX#${id}#${index}` } }, ConditionExpression: condition } })),
        ],
      }),
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}
