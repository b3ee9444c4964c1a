import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MeasuredPriors, MeasuredPriorsReader } from '../ports/channel-roi-store';
import { leadsTableKeys } from './leads-table-keys';

/**
 * The measured channel priors (`SCORING` / `MEASURED_CHANNEL_PRIORS`), all that intake reads of channel ROI.
 * A class of its own, so the capture functions do not bundle the rest of the ROI store.
 */
export class DynamoDbMeasuredPriorsReader implements MeasuredPriorsReader {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async readMeasuredPriors(): Promise<MeasuredPriors | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.measuredPriors() }));
    if (!Item) return undefined;
    // An item stored before suggestions were kept apart holds `priors`: the configured priors of that night with the suggestions over
    // them. Read as suggestions, it scores as it did until the next rollup replaces it, and a channel configured since then counts.
    const suggestedPriors = (Item.suggestedPriors ?? Item.priors) as Record<string, number>;
    return { suggestedPriors, from: String(Item.from), to: String(Item.to), measuredAt: String(Item.measuredAt) };
  }
}
