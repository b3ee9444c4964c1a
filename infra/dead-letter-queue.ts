import { Duration, Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { deadLetterRetentionDays } from '@leadflow/manifest';

/**
 * Where a function's undeliverable or repeatedly failing events end up, for inspection and redrive.
 * SQS-managed encryption rather than a KMS key: EventBridge, Scheduler and Lambda can all write to it
 * without key-policy grants, and the messages (lead events) stay encrypted at rest.
 *
 * EventBridge's permission to send here is one statement naming every rule that may: CDK writes one
 * statement per rule, and an SQS policy holds at most 20 statements and 8 KB, which a routing table of
 * twenty routes (one rule each for `assign-lead`) would pass.
 */
export class DeadLetterQueue extends sqs.Queue {
  private readonly eventRuleArns: string[] = [];
  private eventRulesStatement?: iam.AddToResourcePolicyResult;

  constructor(scope: Construct, id: string) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(deadLetterRetentionDays),
    });
  }

  override addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    const ruleArn = eventRuleArnOf(statement);
    if (ruleArn === undefined) return super.addToResourcePolicy(statement);
    this.eventRuleArns.push(ruleArn);
    this.eventRulesStatement ??= super.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => this.eventRuleArns }) } },
      }),
    );
    return this.eventRulesStatement;
  }
}

/** The rule of a statement CDK writes for an EventBridge rule's dead letters (`AllowEventRule…`, `ArnEquals aws:SourceArn`), else `undefined`. */
function eventRuleArnOf(statement: iam.PolicyStatement): string | undefined {
  if (!statement.sid?.startsWith('AllowEventRule')) return undefined;
  const sourceArn = (statement.conditions as { ArnEquals?: Record<string, unknown> }).ArnEquals?.['aws:SourceArn'];
  return typeof sourceArn === 'string' ? sourceArn : undefined;
}
