import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { deadLetterRetentionDays } from '@leadflow/manifest';

/**
 * Where a function's undeliverable or repeatedly failing events end up, for inspection and redrive.
 * SQS-managed encryption rather than a KMS key: EventBridge, Scheduler and Lambda can all write to it
 * without key-policy grants, and the messages (lead events) stay encrypted at rest.
 */
export class DeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(deadLetterRetentionDays),
    });
  }
}
