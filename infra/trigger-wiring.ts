import { Aspects, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { EventTrigger, RuleTargetInput, ScheduledInvocation, ScheduleTrigger, StreamTrigger, TableName } from '@leadflow/manifest';
import { pascalCase } from './construct-names';
import type { LeadHttpApi } from './lead-http-api';
import { asyncDeliveryOf, GrantsInsideTheRole, type AsyncDelivery, type LeadFunction } from './lead-function';

/** What triggers attach to; the schedules' group and role are created on first use. */
export interface TriggerSources {
  api: LeadHttpApi;
  eventBus: events.IEventBus;
  tables: Record<TableName, dynamodb.Table>;
  schedules: () => ScheduleSources;
}

/** The group every schedule is in, and the one role EventBridge Scheduler runs them all with. */
export interface ScheduleSources {
  group: scheduler.IScheduleGroup;
  role: iam.Role;
}

/**
 * Makes the schedules' group and role once, when the first schedule asks. One role for every schedule
 * rather than one each: it may invoke only the scheduled functions and reach only their dead-letter
 * queues, and only Scheduler may assume it, for this group's schedules; a role (and its policy) per
 * schedule cost two of CloudFormation's 500 resources each.
 */
export function scheduleSourcesOf(scope: Construct): () => ScheduleSources {
  let sources: ScheduleSources | undefined;
  return () => {
    if (sources) return sources;
    // Schedules get a group of their own so two deployments in one account cannot clash on names.
    const group = new scheduler.ScheduleGroup(scope, 'Schedules');
    const stack = Stack.of(scope);
    const role = new iam.Role(scope, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': group.scheduleGroupArn } },
      }),
      description: 'Lets EventBridge Scheduler run the scheduled functions.',
    });
    Aspects.of(role).add(new GrantsInsideTheRole('RunScheduledFunctions'));
    sources = { group, role };
    return sources;
  };
}

/** Connects a manifest function to its trigger. A new trigger kind fails type-checking here until wired. */
export function connectTrigger(id: string, leadFunction: LeadFunction, sources: TriggerSources): void {
  const trigger = leadFunction.definition.trigger;
  switch (trigger.kind) {
    case 'http':
      sources.api.addRoute(id, trigger, leadFunction.function);
      return;
    case 'event':
      connectEventRule(leadFunction, trigger, sources.eventBus);
      return;
    case 'schedule':
      connectSchedule(leadFunction, trigger, sources.schedules());
      return;
    case 'stream':
      connectStream(leadFunction, trigger, sources.tables[trigger.table]);
      return;
    default:
      throw new Error(`Unknown trigger ${JSON.stringify(trigger satisfies never)}`);
  }
}

/** The policy shared by the delivering service and Lambda's own asynchronous retries. */
function deliveryOf(leadFunction: LeadFunction): AsyncDelivery & { deadLetterQueue: NonNullable<LeadFunction['deadLetterQueue']> } {
  const delivery = asyncDeliveryOf(leadFunction.definition.trigger);
  const deadLetterQueue = leadFunction.deadLetterQueue;
  if (!delivery || !deadLetterQueue) throw new Error(`${leadFunction.definition.name} is not invoked asynchronously`);
  return { ...delivery, deadLetterQueue };
}

function connectEventRule(leadFunction: LeadFunction, trigger: EventTrigger, eventBus: events.IEventBus): void {
  const { retryAttempts, maxEventAge, deadLetterQueue } = deliveryOf(leadFunction);
  for (const rule of trigger.rules) {
    new events.Rule(leadFunction, `${pascalCase(rule.ruleName)}Rule`, {
      ruleName: rule.ruleName,
      description: `Delivers matching lead events to ${leadFunction.definition.name}.`,
      eventBus,
      // The manifest pattern is EventBridge's own JSON ("detail-type", not "detailType"); the L2 passes
      // such keys through unchanged, and the infra tests compare the synthesised pattern with it.
      eventPattern: rule.pattern,
      targets: [new eventTargets.LambdaFunction(leadFunction.function, { retryAttempts, maxEventAge, deadLetterQueue, event: rule.input && new ManifestRuleInput(rule.input) })],
    });
  }
}

/** The manifest's input transformer, handed to CloudFormation exactly as written (the local bus applies the same). */
class ManifestRuleInput extends events.RuleTargetInput {
  constructor(private readonly input: RuleTargetInput) {
    super();
  }

  bind(): events.RuleTargetInputProperties {
    return { inputPathsMap: this.input.inputPathsMap, inputTemplate: this.input.inputTemplate };
  }
}

function connectSchedule(leadFunction: LeadFunction, trigger: ScheduleTrigger, { group: scheduleGroup, role }: ScheduleSources): void {
  const { retryAttempts, maxEventAge, deadLetterQueue } = deliveryOf(leadFunction);
  const stack = Stack.of(leadFunction);
  const input: Record<keyof ScheduledInvocation, string> = {
    scheduleName: trigger.scheduleName,
    time: scheduler.ContextAttribute.scheduledTime,
  };
  new scheduler.Schedule(leadFunction, 'Schedule', {
    scheduleName: trigger.scheduleName,
    scheduleGroup,
    description: `Runs ${leadFunction.definition.name}.`,
    schedule: scheduler.ScheduleExpression.expression(trigger.expression, TimeZone.of(trigger.timeZone)),
    target: new schedulerTargets.LambdaInvoke(leadFunction.function, {
      role,
      input: scheduler.ScheduleTargetInput.fromObject(input),
      retryAttempts,
      maxEventAge,
      deadLetterQueue,
    }),
  });
  const functionLogicalId = stack.resolve((leadFunction.function.node.defaultChild as lambda.CfnFunction).logicalId) as string;
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason: `lambda:InvokeFunction on the scheduled function ${leadFunction.definition.name}'s qualified ARNs ("<function>:*", its versions and aliases), as grantInvoke writes it; no function that is not scheduled.`,
        appliesTo: [`Resource::<${functionLogicalId}.Arn>:*`],
      },
    ],
    true,
  );
}

function connectStream(leadFunction: LeadFunction, trigger: StreamTrigger, table: dynamodb.Table): void {
  const deadLetterQueue = leadFunction.deadLetterQueue;
  if (!deadLetterQueue) throw new Error(`${leadFunction.definition.name} has no dead-letter queue`);
  leadFunction.function.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: trigger.batchSize,
      parallelizationFactor: trigger.parallelizationFactor,
      maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
      retryAttempts: trigger.maxRetryAttempts,
      bisectBatchOnError: trigger.bisectBatchOnError,
      // FunctionResponseTypes ['ReportBatchItemFailures']: without it Lambda ignores the relay's answer and takes a partial failure for success.
      reportBatchItemFailures: trigger.reportBatchItemFailures,
      // Records that exhaust their retries are described (shard and sequence numbers) in the queue.
      onFailure: new SqsDlq(deadLetterQueue),
      filters: trigger.filterPatterns.map((pattern) => lambda.FilterCriteria.filter(pattern)),
    }),
  );
  // The stream grant's dynamodb:ListStreams on "*" is explained by the function role itself (`actionsWithoutResources`); reading records is limited to this table's stream.
  NagSuppressions.addResourceSuppressions(
    deadLetterQueue,
    [{ id: 'AwsSolutions-SQS3', reason: "This queue is itself the dead-letter (on-failure) destination of the stream's event source mapping, which cdk-nag does not recognise as DLQ use." }],
    true,
  );
}
