import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { OperationsConfiguration } from '@leadflow/domain';
import { operationalMetricNames, operationalMetricsNamespace } from '@leadflow/platform';
import { asyncDeliveryOf, type LeadFunction } from './lead-function';
import type { LeadHttpApi } from './lead-http-api';
import { metricsServiceOf, operationalMetric } from './operational-metrics';
import { stageStackOf } from './stage';

/** The function whose speed visitors feel: the form post. */
const captureFunctionName = 'capture-form-submission';

/** Requests to a capture route that API Gateway refused with 429 (its throttle), counted from the access log. */
export const captureThrottledMetricName = 'CaptureThrottled';

/** Thresholds that are properties of the system rather than of a stage; each says why it is where it is. */
export const alarmThresholds = {
  /** The sweep republishes outbox events after two minutes; a relay further behind than that is stuck. */
  streamIteratorAgeMs: 120_000,
  /** More than 1 % of requests answered 5xx over five minutes (4xx are the callers' mistakes). */
  apiServerErrorPercent: 1,
  /** The capture handler times out at 15 s; a p99 above 3 s means capture is slow for real visitors. */
  captureDurationP99Ms: 3_000,
} as const;

export interface LeadAlarmsProps {
  functions: ReadonlyMap<string, LeadFunction>;
  httpApi: LeadHttpApi;
  operations: OperationsConfiguration;
  removalPolicy: RemovalPolicy;
}

/**
 * Every alarm of a stage, derived from the manifest's functions: each function (errors, throttles, a
 * message arriving in, or lost on the way to, its dead-letter queue), each stream consumer (iterator age), the HTTP API (5xx
 * rate, capture routes throttled), form capture (p99 duration), ad-platform lead fetch failures and speed to lead. All notify one SNS topic,
 * whose email subscribers are the stage configuration's `operations.alarmEmails`.
 */
export class LeadAlarms extends Construct {
  readonly topic: sns.Topic;
  /** The alarms of each manifest function (errors, throttles and dead letters in one; its stream), by function name. */
  readonly byFunction = new Map<string, cloudwatch.Alarm[]>();
  /** Alarms that watch the system as a whole (API, fetch failures, speed to lead). */
  readonly stageWide: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: LeadAlarmsProps) {
    super(scope, id);
    // CloudWatch can publish to an encrypted topic only with a customer-managed key it may use.
    const key = new kms.Key(this, 'TopicKey', { description: 'Encrypts the Leadflow alarm topic.', enableKeyRotation: true, removalPolicy: props.removalPolicy });
    this.topic = new sns.Topic(this, 'Topic', { displayName: `Leadflow alarms (${stageStackOf(this).stackName})`, masterKey: key, enforceSSL: true });
    // The topic policy enforceSSL writes replaces SNS's default one, so CloudWatch may publish (and use the
    // key) only by this grant, which holds for this stage's alarms alone (no confused deputy).
    this.topic.grantPublish(this.thisStagesAlarms());
    for (const email of props.operations.alarmEmails) this.topic.addSubscription(new EmailSubscription(email));

    for (const [name, leadFunction] of props.functions) this.byFunction.set(name, this.functionAlarms(name, leadFunction));
    this.stageWide.push(...this.apiAlarms(props.httpApi, props.functions), ...this.leadFlowAlarms(props.operations));
  }

  /**
   * One alarm per function for anything that needs a person: a failed invocation, a throttle, a message
   * arriving in its dead-letter queue, or an event lost on the way there (Lambda could not write the
   * dead letter, or a stream batch's failure record). Each is a five-minute sum, added up. Arrivals, not
   * the queue's depth: a message left waiting would keep the alarm in ALARM for the queue's 14 days, and
   * CloudWatch notifies only on a change of state, so every later failure would go unheard (the dashboard
   * shows the depth). Every writer of these queues (Lambda, EventBridge, Scheduler, the stream mapping)
   * sends to them, which `NumberOfMessagesSent` counts; none is an SQS redrive, which it would not. One
   * alarm rather than several keeps a stage inside CloudFormation's 500 resources; its description and
   * the dashboard say which part fired. Stream consumers also get an iterator-age alarm.
   */
  private functionAlarms(name: string, leadFunction: LeadFunction): cloudwatch.Alarm[] {
    const fn = leadFunction.function;
    const period = Duration.minutes(5);
    const sum = { statistic: 'Sum', period };
    const parts: Record<string, cloudwatch.IMetric> = { errors: fn.metricErrors(sum), throttles: fn.metricThrottles(sum) };
    const kind = leadFunction.definition.trigger.kind;
    // Lambda's own dead-letter queue is set for asynchronous invocations (event, schedule); a stream mapping hands failed batches to its on-failure destination.
    if (asyncDeliveryOf(leadFunction.definition.trigger)) parts.deadLetterErrors = fn.metric('DeadLetterErrors', sum);
    if (kind === 'stream') parts.deliveryFailures = fn.metric('DestinationDeliveryFailures', sum);
    if (leadFunction.deadLetterQueue) parts.deadLetters = leadFunction.deadLetterQueue.metricNumberOfMessagesSent(sum);
    const needsAttention = new cloudwatch.MathExpression({
      expression: Object.keys(parts)
        .map((id) => `FILL(${id}, 0)`)
        .join(' + '),
      usingMetrics: parts,
      period,
      label: `${name}: errors + throttles${leadFunction.deadLetterQueue ? ' + dead letters (arrived or lost)' : ''}`,
    });
    const deadLetterHint = leadFunction.deadLetterQueue
      ? `, or something it could not process reached its dead-letter queue (npm run dlq -- show ${name}) or was lost on the way there (Lambda's DeadLetterErrors or DestinationDeliveryFailures)`
      : '';
    const alarms = [this.alarm(`${name}-needs-attention`, `${name} failed an invocation, was throttled${deadLetterHint}.`, needsAttention, 1)];
    if (kind === 'stream') {
      const iteratorAge = new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensionsMap: { FunctionName: fn.functionName }, statistic: 'Maximum', period: Duration.minutes(1) });
      alarms.push(this.alarm(`${name}-iterator-age`, `${name} is more than ${alarmThresholds.streamIteratorAgeMs / 1000} s behind its table stream.`, iteratorAge, alarmThresholds.streamIteratorAgeMs, 3));
    }
    return alarms;
  }

  private apiAlarms(httpApi: LeadHttpApi, functions: ReadonlyMap<string, LeadFunction>): cloudwatch.Alarm[] {
    const period = Duration.minutes(5);
    const serverErrorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: httpApi.api.metricServerError({ statistic: 'Sum', period }), requests: httpApi.api.metricCount({ statistic: 'Sum', period }) },
      period,
      label: '5xx rate (%)',
    });
    // Capture's own duration, not the API's latency: imports, platform reads and rollups answer on the same
    // API in up to 29 s by design, so one of them in a quiet period would be the API's p99.
    const capture = functions.get(captureFunctionName);
    if (!capture) throw new Error(`The manifest has no ${captureFunctionName} function to watch`);
    const captureDuration = capture.function.metricDuration({ statistic: 'p99', period });
    return [
      ...this.captureThrottledAlarm(httpApi),
      this.alarm(
        'api-5xx-rate',
        `More than ${alarmThresholds.apiServerErrorPercent} % of API requests failed with a 5xx.`,
        serverErrorRate,
        alarmThresholds.apiServerErrorPercent,
        1,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ),
      this.alarm(
        'capture-duration-p99',
        `Form capture's p99 duration above ${alarmThresholds.captureDurationP99Ms} ms: visitors wait for their post.`,
        captureDuration,
        alarmThresholds.captureDurationP99Ms,
        2,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ),
    ];
  }

  /**
   * A capture route's request refused by API Gateway's throttle: a visitor's post or a platform's delivery
   * that may not come again. A metric filter on the access log, which the stage writes anyway: a 429
   * that never reached the integration (no integration latency) is API Gateway's own, not the
   * handler's rate limit. Route-level detailed metrics would cost a custom metric per route and metric,
   * and their `4xx` counts every refusal the handlers give (400, 404, 413, 415, their own 429) too.
   */
  private captureThrottledAlarm(httpApi: LeadHttpApi): cloudwatch.Alarm[] {
    if (httpApi.captureRouteKeys.length === 0) return [];
    new logs.MetricFilter(this, 'CaptureThrottledFilter', {
      logGroup: httpApi.accessLogs,
      metricNamespace: operationalMetricsNamespace,
      metricName: captureThrottledMetricName,
      metricValue: '1',
      // The access log's constant `service` field: the stage's metric apart from other stages', as the handlers' are.
      dimensions: { service: '$.service' },
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.status', '=', '429'),
        logs.FilterPattern.stringValue('$.integrationLatency', '=', '-'),
        logs.FilterPattern.any(...httpApi.captureRouteKeys.map((routeKey) => logs.FilterPattern.stringValue('$.routeKey', '=', routeKey))),
      ),
    });
    const throttled = new cloudwatch.Metric({
      namespace: operationalMetricsNamespace,
      metricName: captureThrottledMetricName,
      dimensionsMap: { service: metricsServiceOf(this) },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    return [
      this.alarm(
        'capture-throttled',
        "API Gateway's throttle refused a capture route (form post, embed.js, ad-platform webhook) with 429: raise operations.apiThrottle.captureRoutes, or find who floods it.",
        throttled,
        1,
      ),
    ];
  }

  private leadFlowAlarms(operations: OperationsConfiguration): cloudwatch.Alarm[] {
    const fetchFailures = operationalMetric(this, operationalMetricNames.platformLeadFetchFailed, { statistic: 'Sum', period: Duration.minutes(5) });
    const unreadableChanges = operationalMetric(this, operationalMetricNames.platformDeliveryUnreadable, { statistic: 'Sum', period: Duration.minutes(5) });
    const speedToLead = operationalMetric(this, operationalMetricNames.speedToLead, { statistic: 'p90', period: Duration.minutes(15) });
    return [
      this.alarm('platform-lead-fetch-failed', "Reading an ad platform's lead failed (token expired, platform down); leads wait as pending_fetch and are retried.", fetchFailures, 1),
      this.alarm(
        'platform-delivery-unreadable',
        "A signed ad-platform delivery named a lead that cannot be read (no usable lead id); nothing was stored for it, the rest of the batch was. The log names the change: find the lead in the platform's own lead export.",
        unreadableChanges,
        1,
      ),
      this.alarm(
        'speed-to-lead-p90',
        `90 % of leads should reach their rep within ${operations.speedToLeadP90Seconds} s of capture; over the last 15 minutes they did not.`,
        speedToLead,
        operations.speedToLeadP90Seconds * 1000,
        1,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ),
    ];
  }

  /** CloudWatch acting for an alarm of this stage (every alarm is named `<stage's stack name>-<name>`). */
  private thisStagesAlarms(): iam.IPrincipal {
    const stack = Stack.of(this);
    const alarmArns = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: this.alarmName('*'), arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return new iam.ServicePrincipal('cloudwatch.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': alarmArns } });
  }

  /** After the stage's stack, not the nested stack alarms may live in, whose name CloudFormation generates. */
  private alarmName(name: string): string {
    return `${stageStackOf(this).stackName}-${name}`;
  }

  private alarm(
    name: string,
    description: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    evaluationPeriods = 1,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, name, {
      alarmName: this.alarmName(name),
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator,
      // No data means nothing happened: no leads, no failures, no dead letters.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    return alarm;
  }
}
