import type { Lead, PreparedIntake, Retention } from '@leadflow/domain';
import { DynamoDbLeadIngestion, DynamoDbLeadStore, type IntakeOutcome, type LeadIngestion } from '@leadflow/platform';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The lead store and lead ingestion on one table as one object, for tests that take leads in and then work them.
 * Functions get them as two dependencies (`leads`, `ingestion`), so that only the intakes bundle the ingestion.
 * The ingestion reads leads through this object's `getLead`, so a test that wraps it to race a write races the touch too.
 */
export class DynamoDbLeadStoreWithIngestion extends DynamoDbLeadStore implements LeadIngestion {
  private readonly ingestion: DynamoDbLeadIngestion;

  constructor(client: DynamoDBDocumentClient, tableName: string, retention?: Retention) {
    super(client, tableName, retention);
    const readThroughStore = (leadId: string) => this.getLead(leadId);
    this.ingestion = new (class extends DynamoDbLeadIngestion {
      protected override currentLead(leadId: string): Promise<Lead | undefined> {
        return readThroughStore(leadId);
      }
    })(client, tableName, retention);
  }

  ingestLead(intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome> {
    return this.ingestion.ingestLead(intake, idempotencyKey);
  }

  replayOfIdempotencyKey(idempotencyKey: string, at: string): Promise<IntakeOutcome | undefined> {
    return this.ingestion.replayOfIdempotencyKey(idempotencyKey, at);
  }
}
