import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestFunctions } from '@leadflow/manifest';
import { deployedConfiguration } from '@leadflow/domain';
import { demoConfiguration } from '../support/demo-configuration';
import { operationalMetricNames, operationalMetricsNamespace } from '@leadflow/platform';
import { createLeadApp, projectRoot, type LeadApp } from '../../infra/lead-app';
import { functionTagKey } from '../../infra/lead-function';
import { metricsServiceVariable } from '../../infra/operational-metrics';
import { operatorEndpoints, outputNames } from '../../infra/operator-outputs';
import { StageError, stagesWithConfiguration } from '../../infra/stage';
import { assertionAppProps } from './cdk-context';
import { monitoringTemplate } from './monitoring-template';

/** The functions of the demo configuration as a stage deploys them (`npm start` also hosts the local-only webhook destination's). */
const functions = manifestFunctions(deployedConfiguration(demoConfiguration()));

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

interface Synthesised {
  leadApp: LeadApp;
  template: Template;
  resources: Record<string, Resource>;
  /** The nested monitoring stack's (alarms, their topic, the dashboard), its parameters replaced by what the main stack passes. */
  monitoring: Template;
  monitoringResources: Record<string, Resource>;
}

const stages = ['dev', 'prod'] as const;
const synthesised = {} as Record<(typeof stages)[number], Synthesised>;

beforeAll(() => {
  for (const stage of stages) {
    const leadApp = createLeadApp(assertionAppProps({ stage }));
    const template = Template.fromStack(leadApp.stack);
    const monitoring = monitoringTemplate(leadApp.stack);
    synthesised[stage] = { leadApp, template, resources: template.toJSON().Resources as Record<string, Resource>, monitoring, monitoringResources: monitoring.toJSON().Resources as Record<string, Resource> };
  }
});

const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalIdOf = (leadApp: LeadApp, construct: IConstruct) => leadApp.stack.getLogicalId(construct.node.defaultChild as CfnElement);
const alarmsOf = (resources: Record<string, Resource>) => ofType(resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

function lambdaLogicalId(resources: Record<string, Resource>, name: string): string {
  const matches = ofType(resources, 'AWS::Lambda::Function').filter(([, resource]) =>
    (resource.Properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.some((tag) => tag.Key === functionTagKey && tag.Value === name),
  );
  expect(matches, name).toHaveLength(1);
  return matches[0][0];
}

describe.each(stages)('stage %s: alarms', (stage) => {
  const get = () => synthesised[stage];
  const topicRef = () => ({ Ref: get().monitoring.getResourceId('AWS::SNS::Topic') });

  /** The metrics an alarm's metric math reads, each as namespace, name and dimensions. */
  const metricsOf = (alarm: Record<string, any>) =>
    ((alarm.Metrics as Array<Record<string, any>> | undefined) ?? []).flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric as { Namespace: string; MetricName: string; Dimensions: unknown }] : []));

  /** What each function's one alarm adds up besides errors and throttles: the losses on the way to its dead-letter queue, which Lambda reports per trigger kind. */
  const lossMetrics = { http: [], event: ['DeadLetterErrors'], schedule: ['DeadLetterErrors'], stream: ['DestinationDeliveryFailures'] } as const;

  it.each(functions.map((definition) => [definition.name, definition.trigger.kind] as const))('%s has one alarm to the topic on its errors, throttles and dead letters lost on the way to its queue', (name, kind) => {
    const { resources, monitoringResources } = get();
    const dimensions = JSON.stringify([{ Name: 'FunctionName', Value: { Ref: lambdaLogicalId(resources, name) } }]);
    const alarms = alarmsOf(monitoringResources).filter((alarm) =>
      metricsOf(alarm).some((metric) => metric.Namespace === 'AWS/Lambda' && metric.MetricName === 'Errors' && JSON.stringify(metric.Dimensions) === dimensions),
    );
    expect(alarms, name).toHaveLength(1);
    expect(
      metricsOf(alarms[0])
        .filter((metric) => JSON.stringify(metric.Dimensions) === dimensions)
        .map((metric) => metric.MetricName),
    ).toEqual(['Errors', 'Throttles', ...lossMetrics[kind]]);
    for (const metric of alarms[0].Metrics as Array<Record<string, any>>) if (metric.MetricStat) expect(metric.MetricStat.Stat, name).toBe('Sum');
    expect(alarms[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topicRef()] });
  });

  it("alarms on messages arriving in every queue of the template, in the same alarm as its function, never on the queue's depth", () => {
    // A message left in the queue (14 days) would hold a depth alarm in ALARM, and CloudWatch notifies only on a change of state.
    const { resources, monitoringResources } = get();
    const queues = ofType(resources, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const [logicalId] of queues) {
      const queueName = JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }]);
      const alarms = alarmsOf(monitoringResources).filter((alarm) => metricsOf(alarm).some((metric) => metric.Namespace === 'AWS/SQS' && JSON.stringify(metric.Dimensions) === queueName));
      expect(alarms, logicalId).toHaveLength(1);
      const queueMetrics = (alarms[0].Metrics as Array<Record<string, any>>).filter((metric) => metric.MetricStat?.Metric.Namespace === 'AWS/SQS');
      expect(queueMetrics.map((metric) => [metric.MetricStat.Metric.MetricName, metric.MetricStat.Stat, metric.MetricStat.Period])).toEqual([['NumberOfMessagesSent', 'Sum', 300]]);
      expect(metricsOf(alarms[0]).some((metric) => metric.Namespace === 'AWS/Lambda' && metric.MetricName === 'Errors')).toBe(true);
      expect(alarms[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topicRef()] });
    }
    expect(
      alarmsOf(monitoringResources).filter((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible' || metricsOf(alarm).some((metric) => metric.MetricName === 'ApproximateNumberOfMessagesVisible')),
    ).toEqual([]);
  });

  it("keeps the main stack and the monitoring stack each inside CloudFormation's 500 resources, with room for more functions", () => {
    const { resources, monitoringResources } = get();
    // A further API function costs the main stack four resources (function, permission, route, integration), five
    // when no API function has its access yet (a role); one Lambda invokes asynchronously about seven (function, role,
    // dead-letter queue and its policy, retry settings, and rule and permission or schedule). Its alarm is the
    // monitoring stack's. 420 leaves the demo room for a few more functions; two HTTPS webhook destinations add 17
    // (README, "The resource budget") and `cdk synth` one (CDKMetadata), so past 482 they would not fit: split the
    // main stack further first.
    expect(Object.keys(resources).length).toBeLessThanOrEqual(420);
    // One alarm per function (two for a stream consumer), the stage-wide alarms, topic, key and dashboard. A nested
    // stack has the same limit of 500; its 200 parameters (below) bind long before.
    expect(Object.keys(monitoringResources).length).toBeLessThanOrEqual(480);
  });

  it("passes the monitoring stack one parameter per name it reads from the main stack, well under CloudFormation's 200 per template", () => {
    const { leadApp, resources } = get();
    const parameters = Object.keys((Template.fromStack(leadApp.stack.monitoring).toJSON() as { Parameters?: object }).Parameters ?? {});
    // CDK passes every reference into the main stack as a parameter: each function's name (its alarm), each
    // dead-letter queue's name (its function's alarm, the dashboard's depth), the API's id and its access log group.
    expect(parameters).toHaveLength(functions.length + ofType(resources, 'AWS::SQS::Queue').length + 2);
    // The main stack has room for at most about 25 more functions (four resources each, at least), each adding at
    // most two parameters: 150 holds until the main stack is split further, 50 short of CloudFormation's limit.
    expect(parameters.length).toBeLessThanOrEqual(150);
  });

  it.each(functions.filter((definition) => definition.trigger.kind === 'stream').map((definition) => [definition.name] as const))('%s has an iterator-age alarm', (name) => {
    const { resources, monitoringResources } = get();
    const alarms = alarmsOf(monitoringResources).filter(
      (alarm) => alarm.MetricName === 'IteratorAge' && JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: lambdaLogicalId(resources, name) } }]),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ Statistic: 'Maximum', ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topicRef()] });
  });

  it("watches the HTTP API's 5xx rate, and form capture's p99 duration (other routes take up to 29 s by design)", () => {
    const { monitoringResources, leadApp } = get();
    const apiRef = { Ref: logicalIdOf(leadApp, leadApp.stack.httpApi.api) };
    const rate = alarmsOf(monitoringResources).find((alarm) => (alarm.Metrics as Array<Record<string, any>> | undefined)?.some((metric) => metric.Expression?.includes('errors / requests')));
    expect(rate?.Metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Id: 'errors', MetricStat: expect.objectContaining({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: apiRef }] } }) }),
        expect.objectContaining({ Id: 'requests', MetricStat: expect.objectContaining({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: [{ Name: 'ApiId', Value: apiRef }] } }) }),
      ]),
    );
    const capture = leadApp.stack.functions.get('capture-form-submission')!;
    get().monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 3000,
      EvaluationPeriods: 2,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(leadApp, capture.function) } }],
      AlarmActions: [topicRef()],
    });
    expect(alarmsOf(monitoringResources).some((alarm) => alarm.MetricName === 'Latency')).toBe(false);
  });

  it('alarms on any platform lead fetch failure in five minutes, and on speed to lead p90 over 15 minutes above the configured bound', () => {
    const { monitoring, leadApp } = get();
    const service = [{ Name: 'service', Value: leadApp.stack.stackName }];
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Leadflow',
      MetricName: operationalMetricNames.platformLeadFetchFailed,
      Dimensions: service,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topicRef()],
    });
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Leadflow',
      MetricName: operationalMetricNames.speedToLead,
      Dimensions: service,
      ExtendedStatistic: 'p90',
      Period: 900,
      Threshold: leadApp.configuration.operations.speedToLeadP90Seconds * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef()],
    });
  });

  it("sends every alarm to one encrypted topic whose email subscribers are the stage's alarmEmails", () => {
    const { resources, monitoringResources, monitoring, leadApp } = get();
    expect(ofType(monitoringResources, 'AWS::SNS::Topic')).toHaveLength(1);
    monitoring.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // Every alarm is the monitoring stack's: none is left in the main stack.
    expect(ofType(resources, 'AWS::CloudWatch::Alarm')).toEqual([]);
    expect(ofType(resources, 'AWS::SNS::Topic')).toEqual([]);
    for (const alarm of alarmsOf(monitoringResources)) expect(alarm.AlarmActions, alarm.AlarmName).toEqual([topicRef()]);
    const subscribers = ofType(monitoringResources, 'AWS::SNS::Subscription').map(([, subscription]) => subscription.Properties);
    expect(subscribers.map((subscription) => subscription.Endpoint).sort()).toEqual([...leadApp.configuration.operations.alarmEmails].sort());
    for (const subscription of subscribers) expect(subscription).toMatchObject({ Protocol: 'email', TopicArn: topicRef() });
  });

  it("lets CloudWatch publish to the topic, and use its key, for this stack's alarms only", () => {
    const { monitoringResources, leadApp } = get();
    const alarmArns = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:alarm:${leadApp.stack.stackName}-*`]] };
    const thisStacksAlarms = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': alarmArns } };
    const statementsOf = (type: string, policy: (properties: Record<string, any>) => { Statement: Array<Record<string, any>> }) =>
      ofType(monitoringResources, type).flatMap(([, resource]) => policy(resource.Properties).Statement);
    const cloudWatchStatements = [...statementsOf('AWS::SNS::TopicPolicy', (properties) => properties.PolicyDocument), ...statementsOf('AWS::KMS::Key', (properties) => properties.KeyPolicy)].filter(
      (statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(cloudWatchStatements).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Resource: topicRef(), Condition: thisStacksAlarms }),
      expect.objectContaining({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: thisStacksAlarms }),
    ]);
    // Named after the stage's stack, not the nested stack they live in, whose name CloudFormation generates.
    for (const alarm of alarmsOf(monitoringResources)) expect(alarm.AlarmName).toMatch(new RegExp(`^${leadApp.stack.stackName}-`));
  });

  it("has a dashboard with captured leads per configured channel, speed to lead, every queue's depth, fetch failures and API errors", () => {
    const { resources, monitoringResources, leadApp } = get();
    expect(ofType(resources, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    const dashboards = ofType(monitoringResources, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const [, dashboard] = dashboards[0];
    expect(dashboard.Properties.DashboardName).toBe(leadApp.stack.stackName);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Leads captured per channel', 'Speed to lead', 'Assignments and notifications', 'Dead-letter queue depth', 'Ad-platform lead fetch failures', 'API errors']) expect(body).toContain(title);
    for (const channel of leadApp.configuration.channels) expect(body).toContain(`\\"channel\\",\\"${channel.id}\\"`);
    for (const [logicalId] of ofType(resources, 'AWS::SQS::Queue')) expect(body).toContain(`"${logicalId}","QueueName"`);
    for (const statistic of ['p50', 'p90']) expect(body).toContain(`\\"stat\\":\\"${statistic}\\"`);
  });

  it('reports no unsuppressed cdk-nag AwsSolutions errors or warnings, the monitoring stack included', () => {
    // A nested stack has no artifact of its own: its findings are reported with the main stack's.
    const annotations = Annotations.fromStack(get().leadApp.stack);
    const found = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- cdk-nag's annotation data is its message string
    expect(found.map((annotation) => `${annotation.id}: ${String(annotation.entry.data).split('\n')[0]}`)).toEqual([]);
  });
});

describe('cdk-nag in the monitoring stack', () => {
  it('reports a finding on a resource of the nested stack with the main stack, by its path', () => {
    const leadApp = createLeadApp(assertionAppProps({ stage: 'dev' }));
    new sns.Topic(leadApp.stack.monitoring, 'PlainTopic');
    const errors = Annotations.fromStack(leadApp.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-SNS3'));
    expect(errors.map((annotation) => annotation.id)).toEqual([`/${leadApp.stack.stackName}/Monitoring/PlainTopic/Resource`]);
  });
});

describe('stage differences', () => {
  it('names the stack, bus and dashboard after the stage', () => {
    for (const stage of stages) {
      const { leadApp, template } = synthesised[stage];
      expect(leadApp.stack.stackName).toBe(`Leadflow-${stage}`);
      template.hasResourceProperties('AWS::Events::EventBus', { Name: `leadflow-${stage}` });
      template.hasOutput(outputNames.stage, { Value: stage });
    }
  });

  it("keeps each stage's custom metrics apart: its functions publish, and its alarms and dashboard read, under its own service", () => {
    for (const stage of stages) {
      const { resources, monitoringResources, leadApp } = synthesised[stage];
      for (const [logicalId, lambda] of ofType(resources, 'AWS::Lambda::Function').filter(([, resource]) => resource.Properties.Tags?.some((tag: { Key: string }) => tag.Key === functionTagKey))) {
        expect(lambda.Properties.Environment.Variables[metricsServiceVariable], `${stage} ${logicalId}`).toBe(leadApp.stack.stackName);
      }
      const customMetricAlarms = alarmsOf(monitoringResources).filter((alarm) => alarm.Namespace === operationalMetricsNamespace);
      expect(customMetricAlarms.length).toBeGreaterThan(0);
      for (const alarm of customMetricAlarms) expect(alarm.Dimensions, `${stage} ${alarm.AlarmName}`).toEqual([{ Name: 'service', Value: leadApp.stack.stackName }]);
      expect(JSON.stringify(ofType(monitoringResources, 'AWS::CloudWatch::Dashboard')[0][1].Properties.DashboardBody)).toContain(`\\"service\\",\\"${leadApp.stack.stackName}\\"`);
    }
    const customMetricDimensions = (stage: (typeof stages)[number]) =>
      alarmsOf(synthesised[stage].monitoringResources).flatMap((alarm) => (alarm.Namespace === operationalMetricsNamespace ? [JSON.stringify(alarm.Dimensions)] : []));
    expect(customMetricDimensions('prod').filter((dimensions) => customMetricDimensions('dev').includes(dimensions))).toEqual([]);
  });

  it('prod retains its data with deletion protection and PITR; dev can be torn down', () => {
    const expectations = { prod: { policy: 'Retain', protection: true, userPool: 'ACTIVE' }, dev: { policy: 'Delete', protection: false, userPool: 'INACTIVE' } };
    for (const stage of stages) {
      const { resources, monitoringResources, leadApp } = synthesised[stage];
      const expected = expectations[stage];
      expect(leadApp.configuration.operations.retainData).toBe(expected.protection);
      for (const [logicalId, table] of ofType(resources, 'AWS::DynamoDB::Table')) {
        expect(table.DeletionPolicy, `${stage} ${logicalId}`).toBe(expected.policy);
        expect(table.Properties.DeletionProtectionEnabled, `${stage} ${logicalId}`).toBe(expected.protection);
        expect(table.Properties.PointInTimeRecoverySpecification, `${stage} ${logicalId}`).toEqual({ PointInTimeRecoveryEnabled: true });
      }
      const [, userPool] = ofType(resources, 'AWS::Cognito::UserPool')[0];
      expect(userPool.DeletionPolicy).toBe(expected.policy);
      expect(userPool.Properties.DeletionProtection).toBe(expected.userPool);
      for (const [logicalId, logGroup] of ofType(resources, 'AWS::Logs::LogGroup')) {
        expect(logGroup.DeletionPolicy, `${stage} ${logicalId}`).toBe(expected.policy);
        expect(logGroup.Properties.RetentionInDays, `${stage} ${logicalId}`).toBe(leadApp.configuration.operations.logRetentionDays);
      }
      // The platforms' values, and the key that signed every link already sent, go only with the stage's data.
      const secrets = ofType(resources, 'AWS::SecretsManager::Secret');
      expect(secrets.length).toBeGreaterThan(0);
      for (const [logicalId, secret] of secrets) expect(secret.DeletionPolicy, `${stage} ${logicalId}`).toBe(expected.policy);
      // Dead letters are lead events not yet handled: kept with the data.
      const queues = ofType(resources, 'AWS::SQS::Queue');
      expect(queues.length).toBeGreaterThan(0);
      for (const [logicalId, queue] of queues) expect(queue.DeletionPolicy, `${stage} ${logicalId}`).toBe(expected.policy);
      // The alarm topic's key too, in the monitoring stack; the stage's deletion deletes that stack, and whatever its resources' policies let go.
      const keys = ofType(monitoringResources, 'AWS::KMS::Key');
      expect(keys).toHaveLength(1);
      expect(keys[0][1].DeletionPolicy, `${stage} alarm topic key`).toBe(expected.policy);
      expect(ofType(resources, 'AWS::CloudFormation::Stack').map(([, nested]) => nested.DeletionPolicy)).toEqual(['Delete']);
      // A stage that does not retain data is torn down whole, its nested stack's resources included.
      if (expected.policy === 'Delete') {
        for (const [logicalId, resource] of [...Object.entries(resources), ...Object.entries(monitoringResources)]) expect(resource.DeletionPolicy, `${stage} ${logicalId}`).toBe('Delete');
      }
    }
    expect(synthesised.prod.leadApp.configuration.operations.logRetentionDays).not.toBe(synthesised.dev.leadApp.configuration.operations.logRetentionDays);
  });

  it('refuses a stage without a configuration file, naming the file to create and the stages that exist', () => {
    expect(() => createLeadApp(assertionAppProps({ stage: 'qa' }))).toThrow(StageError);
    expect(() => createLeadApp(assertionAppProps({ stage: 'qa' }))).toThrow(`Stage "qa" has no configuration file: create config/stages/qa.json`);
    expect(() => createLeadApp(assertionAppProps({ stage: 'qa' }))).toThrow(`Stages with a configuration: ${stagesWithConfiguration(projectRoot).join(', ')}.`);
    expect(() => createLeadApp(assertionAppProps({ stage: '../prod' }))).toThrow(/not a valid stage name/);
  });
});

describe('operator outputs', () => {
  it('names a webhook URL for each configured platform and generic source, and a submission URL for each form', () => {
    const { leadApp, template } = synthesised.dev;
    const endpoints = operatorEndpoints(functions, leadApp.configuration);
    const integrations = leadApp.configuration.integrations;
    expect(Object.keys(endpoints.webhooks).sort()).toEqual(
      [...(['meta', 'google', 'linkedin', 'tiktok'] as const).filter((platform) => integrations[platform]), ...(integrations.generic?.sources ?? []).map((source) => `generic/${source.id}`)].sort(),
    );
    expect(endpoints.webhooks['generic/partner-acme']).toBe('/webhooks/generic/partner-acme');
    expect(Object.keys(endpoints.formSubmissions)).toEqual(leadApp.configuration.forms.map((form) => form.id));
    expect(endpoints.formSubmissions.demo).toBe('/forms/demo/submissions');
    expect(endpoints.embedScript).toBe('/embed.js');
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(expect.arrayContaining(Object.values(outputNames)));
    // prod configures no ad platform yet: nothing to register.
    expect(operatorEndpoints(functions, synthesised.prod.leadApp.configuration).webhooks).toEqual({});
  });

  it("lists each function's dead-letter queue with its deployed function, for npm run dlq", () => {
    const { leadApp, template } = synthesised.dev;
    const value = JSON.stringify(template.toJSON().Outputs[outputNames.deadLetterQueues].Value);
    for (const [name, leadFunction] of leadApp.stack.functions) {
      if (!leadFunction.deadLetterQueue) continue;
      expect(value).toContain(`"${name}`);
      expect(value).toContain(logicalIdOf(leadApp, leadFunction.deadLetterQueue));
    }
  });
});
