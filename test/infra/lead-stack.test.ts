import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, configuredSecrets, deployedConfiguration, roleSchema, secretRefs } from '@leadflow/domain';
import { funnelArchiveKey, rollupArchiveKey } from '@leadflow/platform';
import { functionLimits, manifestFunctions, routeKeysOf, tableAccessActions, tables, type EventTrigger, type FunctionDefinition, type Trigger } from '@leadflow/manifest';
import { demoConfiguration } from '../support/demo-configuration';
import { pascalCase } from '../../infra/construct-names';
import { createLeadApp, projectRoot, type LeadApp } from '../../infra/lead-app';
import { handlerAssets } from '../../infra/handler-assets';
import { asyncDeliveryOf, bundledConfigurationPath, functionTagKey, reportKeyPatterns, tableEnvironmentVariables } from '../../infra/lead-function';
import { secretsPrefixVariable } from '../../infra/integration-secrets';
import { assertionAppProps, writeConfigurationWithUnknownPool } from './cdk-context';
import { monitoringTemplate } from './monitoring-template';
import { demoSecretValues } from '../support/demo-secrets';

/** The functions the app builds from the configuration it synthesises (the demo's, as cdk.json names it, without its local-only webhook destination). */
const functions = manifestFunctions(deployedConfiguration(demoConfiguration()));

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; Metadata?: Record<string, any> };
type TriggerOf<K extends Trigger['kind']> = Extract<Trigger, { kind: K }>;

/** Manifest entries whose trigger is of one kind, as `[name, definition, trigger]` rows for `it.each`. */
function entriesWith<K extends Trigger['kind']>(kind: K): Array<[string, FunctionDefinition, TriggerOf<K>]> {
  return functions.filter((definition) => definition.trigger.kind === kind).map((definition) => [definition.name, definition, definition.trigger as TriggerOf<K>]);
}

const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });

let leadApp: LeadApp;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  leadApp = createLeadApp(assertionAppProps());
  template = Template.fromStack(leadApp.stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

function resourcesOfType(type: string): Array<[string, Resource]> {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function tagOf(resource: Resource): string | undefined {
  return (resource.Properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.find((tag) => tag.Key === functionTagKey)?.Value;
}

/** The Lambda of a manifest function, found by the tag the stack puts on every function's resources. */
function lambdaOf(name: string): [string, Resource] {
  const matches = resourcesOfType('AWS::Lambda::Function').filter(([, resource]) => tagOf(resource) === name);
  expect(matches, `Lambda functions tagged ${functionTagKey}=${name}`).toHaveLength(1);
  return matches[0];
}

function logicalIdOf(construct: IConstruct): string {
  return leadApp.stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function logicalIdOfTable(tableName: string): string {
  return logicalIdOf(leadApp.stack.tables[tableName as keyof typeof tables]);
}

/** Every IAM statement of a role (function roles hold their grants inline), flattened. */
function statementsOf(roleLogicalId: string): Array<Record<string, any>> {
  const role = resourcesOfType('AWS::IAM::Role').find(([logicalId]) => logicalId === roleLogicalId)?.[1];
  const inline = ((role?.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<Record<string, any>> } }>).flatMap((policy) => policy.PolicyDocument.Statement);
  const attached = resourcesOfType('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((attachedRole) => JSON.stringify(attachedRole) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
  return [...inline, ...attached];
}

function actionsOf(roleLogicalId: string): string[] {
  return statementsOf(roleLogicalId).flatMap((statement) => [statement.Action].flat() as string[]);
}

function deadLetterQueueOf(name: string): string {
  const deadLetterQueue = leadApp.stack.functions.get(name)?.deadLetterQueue;
  expect(deadLetterQueue, `${name}'s dead-letter queue`).toBeDefined();
  return logicalIdOf(deadLetterQueue!);
}

describe('functions', () => {
  it('deploys every manifest function once, and nothing else but identifiable CDK helpers', () => {
    const lambdas = resourcesOfType('AWS::Lambda::Function');
    const manifestLambdas = lambdas.filter(([, resource]) => tagOf(resource) !== undefined);
    // CDK adds singleton helpers for log retention and custom resources when a construct needs one.
    const cdkHelpers = lambdas.filter(([logicalId, resource]) => tagOf(resource) === undefined && /LogRetention|CustomResource|Provider|AWS679f53fac002430cb0da5b7982bd2287/.test(logicalId));

    expect(manifestLambdas.map(([, resource]) => tagOf(resource)).sort()).toEqual(functions.map((definition) => definition.name).sort());
    expect(lambdas).toHaveLength(functions.length + cdkHelpers.length);
  });

  it.each(functions.map((definition) => [definition.name, definition] as const))('%s runs Node 22 on arm64 with its description, settings and own role', (name, definition) => {
    const [, lambda] = lambdaOf(name);
    expect(lambda.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Description: definition.description,
      Handler: 'index.handler',
      Environment: {
        Variables: {
          LEADS_EVENT_BUS_NAME: { Ref: template.getResourceId('AWS::Events::EventBus') },
          LEADS_VALIDATED_CONFIG_FILE: bundledConfigurationPath,
          [secretsPrefixVariable]: `${leadApp.stack.stackName}/`,
          NODE_OPTIONS: '--enable-source-maps',
          ...Object.fromEntries(Object.keys(tables).map((table) => [tableEnvironmentVariables[table as keyof typeof tables], { Ref: logicalIdOfTable(table) }])),
        },
      },
    });
    const limits = functionLimits(definition);
    expect(lambda.Properties.MemorySize).toBe(limits.memoryMb);
    expect(lambda.Properties.Timeout).toBe(limits.timeoutSeconds);

    const roleLogicalId = lambda.Properties.Role['Fn::GetAtt'][0] as string;
    expect(resources[roleLogicalId]?.Type).toBe('AWS::IAM::Role');
    expect(resources[roleLogicalId]?.Properties.ManagedPolicyArns).toBeUndefined();

    const logGroupLogicalId = lambda.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(resources[logGroupLogicalId]?.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it.each(functions.map((definition) => [definition.name, definition] as const))('%s declares the sending and writing its handler does, so its role allows them', (name, definition) => {
    const handler = readFileSync(join(projectRoot, definition.entry), 'utf8');
    expect(definition.sendsEmail === true, `${name} declares sendsEmail`).toBe(handler.includes('providers.mailer'));
    expect(definition.sendsSms === true, `${name} declares sendsSms`).toBe(handler.includes('providers.sms'));
    expect(definition.writesReports === true, `${name} declares writesReports`).toBe(handler.includes('providers.reports'));
  });

  it.each(functions.map((definition) => [definition.name, definition] as const))('%s is told the API URL exactly when its handler reads the public base URL', (name, definition) => {
    const readsBaseUrl = readFileSync(join(projectRoot, definition.entry), 'utf8').includes('providers.publicBaseUrl');
    expect(definition.usesPublicBaseUrl === true, `${name} declares usesPublicBaseUrl`).toBe(readsBaseUrl);
    expect(lambdaOf(name)[1].Properties.Environment.Variables.LEADS_PUBLIC_BASE_URL, `${name} is told the API URL`).toEqual(readsBaseUrl ? template.toJSON().Outputs.ApiUrl.Value : undefined);
  });

  it('gives each function a role of its own, but API functions the manifest gives the same access one role', () => {
    const roleOf = (definition: FunctionDefinition) => lambdaOf(definition.name)[1].Properties.Role['Fn::GetAtt'][0] as string;
    const access = (definition: FunctionDefinition) =>
      JSON.stringify([definition.tables, definition.publishesEvents === true, [...(definition.secrets ?? [])].sort(), definition.sendsEmail === true, definition.sendsSms === true, definition.writesReports === true]);
    const byRole = new Map<string, FunctionDefinition[]>();
    for (const definition of functions) byRole.set(roleOf(definition), [...(byRole.get(roleOf(definition)) ?? []), definition]);
    for (const sharing of byRole.values()) {
      if (sharing.length === 1) continue;
      // Lambda grants an asynchronous function its own dead-letter queue: only API functions share.
      expect(sharing.map((definition) => definition.trigger.kind)).toEqual(sharing.map(() => 'http'));
      expect(new Set(sharing.map(access)).size).toBe(1);
    }
    const api = functions.filter((definition) => definition.trigger.kind === 'http');
    expect(new Set(api.map(roleOf)).size).toBe(new Set(api.map(access)).size);
    expect(byRole.size).toBeLessThan(functions.length);
  });

  it.each(functions.map((definition) => [definition.name, definition] as const))('%s may do what the manifest says and no more', (name, definition) => {
    const [, lambda] = lambdaOf(name);
    const roleLogicalId = lambda.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = statementsOf(roleLogicalId);
    const actions = actionsOf(roleLogicalId);

    for (const tableName of Object.keys(tables)) {
      const access = definition.tables[tableName as keyof typeof tables];
      // The table's statements (its items and its indexes), not the stream's, which a stream trigger reads.
      const tableArn = JSON.stringify(getAtt(logicalIdOfTable(tableName)));
      const tableStatements = statements.filter((statement) => [statement.Resource].flat().some((resource) => JSON.stringify(resource) === tableArn));
      const tableActions = tableStatements.flatMap((statement) => [statement.Action].flat() as string[]);
      expect(tableActions.sort(), `${name}'s actions on ${tableName}`).toEqual([...(access ? tableAccessActions[access] : [])].sort());
      if (access) expect(JSON.stringify(tableStatements.flatMap((statement) => [statement.Resource].flat())), `${name} reaches ${tableName}'s indexes`).toContain('/index/*');
    }
    // Whatever the statement: nothing reads a table whole, a reader writes nothing, and only a declared deleter deletes.
    const dynamoDbActions = actions.filter((action) => action.startsWith('dynamodb:'));
    const accessLevels = Object.values(definition.tables);
    expect(
      dynamoDbActions.filter((action) => /^dynamodb:(Scan|PartiQL)/.test(action)),
      `${name} scans`,
    ).toEqual([]);
    if (accessLevels.every((access) => access === 'read'))
      expect(
        dynamoDbActions.filter((action) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(action)),
        `${name} writes`,
      ).toEqual([]);
    if (!accessLevels.includes('readWriteDelete'))
      expect(
        dynamoDbActions.filter((action) => /^dynamodb:(DeleteItem|BatchWriteItem)$/.test(action)),
        `${name} deletes`,
      ).toEqual([]);

    expect(actions.includes('events:PutEvents'), `${name} publishes events`).toBe(definition.publishesEvents === true);
    expect(actions.includes('ses:SendEmail'), `${name} sends email`).toBe(definition.sendsEmail === true);
    expect(actions.includes('s3:PutObject'), `${name} writes reports`).toBe(definition.writesReports === true);
    expect(lambda.Properties.Environment.Variables.LEADS_REPORTS_BUCKET, `${name} is told the report bucket`).toEqual(definition.writesReports ? { Ref: logicalIdOf(leadApp.stack.reports.bucket) } : undefined);
    if (definition.writesReports) {
      // Every key the report archive writes (the rollup's CSV and the funnel's), and nothing else.
      const puts = statements.filter((statement) => [statement.Action].flat().includes('s3:PutObject')).flatMap((statement) => [statement.Resource].flat());
      expect(puts).toEqual(reportKeyPatterns.map((pattern) => ({ 'Fn::Join': ['', [getAtt(logicalIdOf(leadApp.stack.reports.bucket)), `/${pattern}`]] })));
      expect(reportKeyPatterns.some((pattern) => funnelArchiveKey('2026-03-02', 1).startsWith(pattern.replace('*', '')))).toBe(true);
      expect(reportKeyPatterns.some((pattern) => rollupArchiveKey('2026-03-02', 1).startsWith(pattern.replace('*', '')))).toBe(true);
    }

    // Exactly the configured secrets of the kinds the manifest lists, each by its own ARN.
    const secretReads = statements.filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    const readable = secretReads.flatMap((statement) => [statement.Resource].flat().map((resource: { Ref?: string }) => resource.Ref));
    const expected = [...leadApp.stack.secrets.secrets.values()].filter(({ kind }) => definition.secrets?.includes(kind)).map(({ secret }) => logicalIdOf(secret));
    expect(readable.sort(), `${name} reads secrets`).toEqual(expected.sort());
    expect(
      actions.filter((action) => action.startsWith('secretsmanager:')).every((action) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(action)),
      name,
    ).toBe(true);
    if (definition.sendsEmail) {
      const sender = leadApp.configuration.organisation.notificationSender;
      const ses = statements.find((statement) => [statement.Action].flat().includes('ses:SendEmail'))!;
      expect(ses.Condition).toEqual({ StringEquals: { 'ses:FromAddress': sender } });
      expect(JSON.stringify(ses.Resource)).toContain(`:identity/${sender.split('@')[1]}`);
      expect(JSON.stringify(ses.Resource)).not.toContain('*');
    }
  });

  it.each(functions.filter((definition) => asyncDeliveryOf(definition.trigger)).map((definition) => [definition.name, definition] as const))(
    '%s retries asynchronous invocations like its trigger and then dead-letters them',
    (name, definition) => {
      const delivery = asyncDeliveryOf(definition.trigger)!;
      const [logicalId, lambda] = lambdaOf(name);
      expect(lambda.Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(deadLetterQueueOf(name)) });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId },
        MaximumRetryAttempts: delivery.retryAttempts,
        MaximumEventAgeInSeconds: delivery.maxEventAge.toSeconds(),
      });
    },
  );
});

describe('HTTP API', () => {
  const httpEntries = entriesWith('http');

  it('has exactly the manifest routes', () => {
    const routeKeys = resourcesOfType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey as string);
    expect(routeKeys.sort()).toEqual(httpEntries.flatMap(([, , trigger]) => routeKeysOf(trigger)).sort());
  });

  it.each(httpEntries.flatMap(([name, definition, trigger]) => routeKeysOf(trigger).map((key) => [`${name} (${key})`, definition, trigger, key] as const)))(
    '%s is routed with its auth mode and a payload-2.0 integration',
    (_route, definition, trigger, key) => {
      const [lambdaLogicalId] = lambdaOf(definition.name);
      const [, route] = resourcesOfType('AWS::ApiGatewayV2::Route').find(([, candidate]) => candidate.Properties.RouteKey === key)!;
      if (trigger.auth.mode === 'jwt') {
        expect(route.Properties.AuthorizationType).toBe('JWT');
        expect(route.Properties.AuthorizerId).toEqual({ Ref: template.getResourceId('AWS::ApiGatewayV2::Authorizer') });
      } else {
        expect(route.Properties.AuthorizationType).toBe('NONE');
        expect(route.Properties.AuthorizerId).toBeUndefined();
      }
      const integrationLogicalId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
      expect(resources[integrationLogicalId]?.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: getAtt(lambdaLogicalId) });
    },
  );

  it.skipIf(!httpEntries.some(([, , trigger]) => trigger.auth.mode === 'jwt'))("verifies JWTs issued by the stack's user pool to its client", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: template.getResourceId('AWS::Cognito::UserPoolClient') }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: template.getResourceId('AWS::Cognito::UserPool') }]] },
      },
    });
  });

  it('throttles and access-logs the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: getAtt(logicalIdOf(leadApp.stack.httpApi.accessLogs)), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    // One-tap and unsubscribe links carry their credential in the path: the access log names the route instead.
    const [[, stage]] = resourcesOfType('AWS::ApiGatewayV2::Stage');
    const format = (stage.Properties.AccessLogSettings as { Format: string }).Format;
    expect(format).toContain('$context.routeKey');
    expect(format).not.toContain('$context.path');
  });

  it('has a user-pool group for every domain role, and MFA', () => {
    const groups = resourcesOfType('AWS::Cognito::UserPoolGroup').map(([, group]) => group.Properties.GroupName as string);
    expect(groups.sort()).toEqual([...roleSchema.options].sort());
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
  });
});

/** Every rule of every event-triggered function, compiled routes included, as `[ruleName, function, rule, trigger]`. */
const eventRules = entriesWith('event').flatMap(([name, , trigger]) => trigger.rules.map((rule) => [rule.ruleName, name, rule, trigger] as [string, string, EventTrigger['rules'][number], EventTrigger]));

describe('event rules', () => {
  it('deploys one rule per route of the configured routing table, all targeting assign-lead', () => {
    const routeRuleNames = resourcesOfType('AWS::Events::Rule')
      .map(([, rule]) => rule.Properties.Name as string)
      .filter((ruleName) => ruleName.startsWith('lead-route-'));
    expect(routeRuleNames.sort()).toEqual(
      demoConfiguration()
        .routing.routes.map((route) => `lead-route-${route.id}`)
        .sort(),
    );
  });

  it("lets EventBridge send to each dead-letter queue in one statement naming all the queue's rules, so a long routing table stays within SQS's 20 statements and 8 KB", () => {
    const queueOfRule = (ruleLogicalId: string) => JSON.stringify(resources[ruleLogicalId].Properties.Targets[0].DeadLetterConfig.Arn);
    for (const [policyId, policy] of resourcesOfType('AWS::SQS::QueuePolicy')) {
      const fromEventBridge = (policy.Properties.PolicyDocument.Statement as Array<{ Principal?: { Service?: string }; Condition?: { ArnEquals: { 'aws:SourceArn': unknown[] } } }>).filter(
        (statement) => statement.Principal?.Service === 'events.amazonaws.com',
      );
      const queueArn = JSON.stringify(getAtt(policy.Properties.Queues[0].Ref));
      const rules = resourcesOfType('AWS::Events::Rule').filter(([ruleId]) => queueOfRule(ruleId) === queueArn);
      expect(fromEventBridge.length, policyId).toBe(rules.length > 0 ? 1 : 0);
      if (rules.length) expect(fromEventBridge[0].Condition!.ArnEquals['aws:SourceArn'], policyId).toEqual(rules.map(([ruleId]) => getAtt(ruleId)));
    }
    const assignLeadRules = resourcesOfType('AWS::Events::Rule').filter(([, rule]) => String(rule.Properties.Name).startsWith('lead-route-'));
    expect(assignLeadRules.length).toBeGreaterThan(1);
  });

  it.each(eventRules)('%s is on the lead bus with the manifest pattern, target input, retry policy and DLQ', (ruleName, name, manifestRule, trigger) => {
    const [lambdaLogicalId] = lambdaOf(name);
    const rules = resourcesOfType('AWS::Events::Rule').filter(([, rule]) => rule.Properties.Name === ruleName);
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0];
    expect(rule.Properties.EventBusName).toEqual({ Ref: template.getResourceId('AWS::Events::EventBus') });
    expect(rule.Properties.EventPattern).toEqual(manifestRule.pattern);
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: getAtt(lambdaLogicalId),
        DeadLetterConfig: { Arn: getAtt(deadLetterQueueOf(name)) },
        RetryPolicy: { MaximumRetryAttempts: trigger.retryAttempts, MaximumEventAgeInSeconds: trigger.maxEventAgeSeconds },
        ...(manifestRule.input ? { InputTransformer: { InputPathsMap: manifestRule.input.inputPathsMap, InputTemplate: manifestRule.input.inputTemplate } } : {}),
      }),
    ]);
  });
});

describe('schedules', () => {
  it.each(entriesWith('schedule'))('%s has its schedule with the manifest expression and time zone, a retry policy and a DLQ', (name, definition, trigger) => {
    const [lambdaLogicalId] = lambdaOf(name);
    const delivery = asyncDeliveryOf(definition.trigger)!;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: trigger.scheduleName,
      ScheduleExpression: trigger.expression,
      ScheduleExpressionTimezone: trigger.timeZone,
      State: 'ENABLED',
      Target: {
        Arn: getAtt(lambdaLogicalId),
        DeadLetterConfig: { Arn: getAtt(deadLetterQueueOf(name)) },
        RetryPolicy: { MaximumRetryAttempts: delivery.retryAttempts, MaximumEventAgeInSeconds: delivery.maxEventAge.toSeconds() },
        Input: JSON.stringify({ scheduleName: trigger.scheduleName, time: '<aws.scheduler.scheduled-time>' }),
      },
    });
  });

  it('all run with one role, which only Scheduler may assume and which may invoke the scheduled functions and reach their dead-letter queues alone', () => {
    const schedules = resourcesOfType('AWS::Scheduler::Schedule');
    const roleArns = new Set(schedules.map(([, schedule]) => JSON.stringify(schedule.Properties.Target.RoleArn)));
    expect(roleArns.size).toBe(1);
    const roleLogicalId = (JSON.parse([...roleArns][0]) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = resources[roleLogicalId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' } })]);
    const scheduled = entriesWith('schedule').map(([name]) => lambdaOf(name)[0]);
    const invocable = statementsOf(roleLogicalId)
      .filter((statement) => statement.Action === 'lambda:InvokeFunction')
      .flatMap((statement) => [statement.Resource].flat())
      .map((resource) => JSON.stringify(resource).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/)?.[1]);
    expect(new Set(invocable)).toEqual(new Set(scheduled));
    const queues = statementsOf(roleLogicalId)
      .filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'))
      .flatMap((statement) => [statement.Resource].flat())
      .map((resource) => (resource as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]);
    expect(new Set(queues)).toEqual(new Set(entriesWith('schedule').map(([name]) => deadLetterQueueOf(name))));
    expect(actionsOf(roleLogicalId).filter((action) => action !== 'lambda:InvokeFunction' && !action.startsWith('sqs:'))).toEqual([]);
  });
});

describe('streams', () => {
  it.each(entriesWith('stream'))("%s reads its table's stream with the manifest filters, batching, parallelization, retries, bisection and failure queue", (name, _definition, trigger) => {
    const [lambdaLogicalId] = lambdaOf(name);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: lambdaLogicalId },
      EventSourceArn: getAtt(logicalIdOfTable(trigger.table), 'StreamArn'),
      FilterCriteria: { Filters: trigger.filterPatterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })) },
      BatchSize: trigger.batchSize,
      ParallelizationFactor: trigger.parallelizationFactor,
      MaximumBatchingWindowInSeconds: trigger.maxBatchingWindowSeconds,
      MaximumRetryAttempts: trigger.maxRetryAttempts,
      BisectBatchOnFunctionError: trigger.bisectBatchOnError,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: getAtt(deadLetterQueueOf(name)) } },
    });
  });
});

describe('tables, bus and queues', () => {
  it.each(Object.values(tables).map((definition) => [definition.name, definition] as const))('%s table has the manifest keys, indexes, TTL and stream, with PITR and SSE', (tableName, definition) => {
    const table = resources[logicalIdOfTable(tableName)];
    const keySchema = (partition: { name: string }, sort?: { name: string }) => [{ AttributeName: partition.name, KeyType: 'HASH' }, ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' }] : [])];
    // The default stage (dev) may be torn down; stages that retain data are checked in operations.test.ts.
    expect(table.DeletionPolicy).toBe(leadApp.configuration.operations.retainData ? 'Retain' : 'Delete');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keySchema(definition.partitionKey, definition.sortKey),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.Properties.GlobalSecondaryIndexes ?? []).toEqual(
      definition.globalSecondaryIndexes.map((index) => expect.objectContaining({ IndexName: index.indexName, KeySchema: keySchema(index.partitionKey, index.sortKey) })),
    );
    const keys = [definition.partitionKey, definition.sortKey, ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
    for (const key of keys.filter((candidate) => candidate !== undefined)) {
      expect(table.Properties.AttributeDefinitions).toContainEqual({ AttributeName: key.name, AttributeType: key.type });
    }
    expect(table.Properties.TimeToLiveSpecification).toEqual(definition.timeToLiveAttribute ? { AttributeName: definition.timeToLiveAttribute, Enabled: true } : undefined);
    expect(table.Properties.StreamSpecification).toEqual(definition.stream ? { StreamViewType: definition.stream } : undefined);
  });

  it('archives every event on the lead bus', () => {
    const busLogicalId = template.getResourceId('AWS::Events::EventBus');
    expect(resources[busLogicalId].Properties.Name).toBe(leadApp.stage.eventBusName);
    template.hasResourceProperties('AWS::Events::Archive', { SourceArn: getAtt(busLogicalId), EventPattern: { account: [{ Ref: 'AWS::AccountId' }] }, RetentionDays: Match.anyValue() });
  });

  it('encrypts every queue and refuses it plain-HTTP access', () => {
    const queues = resourcesOfType('AWS::SQS::Queue');
    // One dead-letter queue per function that is not called synchronously by the API.
    expect(queues).toHaveLength(functions.filter((definition) => definition.trigger.kind !== 'http').length);
    for (const [logicalId, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled ?? queue.Properties.KmsMasterKeyId, logicalId).toBeTruthy();
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('keeps report files in an encrypted, versioned, private, TLS-only bucket with server access logs', () => {
    const reports = resources[logicalIdOf(leadApp.stack.reports.bucket)];
    expect(reports.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(leadApp.stack.reports.accessLogs) }, LogFilePrefix: 'reports/' },
    });
    for (const bucket of [leadApp.stack.reports.bucket, leadApp.stack.reports.accessLogs]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalIdOf(bucket) },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('outputs what clients and operators need', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(expect.arrayContaining(['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'EventBusName', 'ReportBucketName', ...Object.keys(tables).map((name) => `${pascalCase(name)}TableName`)]));
  });
});

describe('secrets', () => {
  it("creates one Secrets Manager secret per secret the configuration needs, under the stack's prefix", () => {
    const names = resourcesOfType('AWS::SecretsManager::Secret').map(([, secret]) => secret.Properties.Name as string);
    expect(names.sort()).toEqual(
      configuredSecrets(leadApp.configuration)
        .map(({ name }) => `${leadApp.stack.stackName}/${name}`)
        .sort(),
    );
  });

  it('puts no secret value in the template: each starts as a random {"current"} for the operator to replace', () => {
    for (const [logicalId, secret] of resourcesOfType('AWS::SecretsManager::Secret')) {
      expect(secret.Properties.SecretString, logicalId).toBeUndefined();
      expect(secret.Properties.GenerateSecretString, logicalId).toMatchObject({ SecretStringTemplate: '{}', GenerateStringKey: 'current' });
    }
    const templateText = JSON.stringify(template.toJSON());
    for (const value of Object.values(demoSecretValues())) expect(templateText).not.toContain(value as string);
  });

  it('says for each kind of secret why it is rotated by hand (AwsSolutions-SMG4): a third party issues it, a partner holds it too, or it signed links already sent', () => {
    const reasonOf = (name: string) => {
      const secret = leadApp.stack.secrets.secrets.get(name)?.secret;
      expect(secret, name).toBeDefined();
      const suppressions = (resources[logicalIdOf(secret!)].Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>;
      return suppressions.find((suppression) => suppression.id === 'AwsSolutions-SMG4')?.reason;
    };
    expect(reasonOf(secretRefs.metaAppSecret.name)).toMatch(/issued by, or registered with, a third party/);
    const partnerSource = leadApp.configuration.integrations.generic!.sources[0].id;
    expect(reasonOf(secretRefs.genericSourceSecret(partnerSource).name)).toMatch(/^(?!.*third party).*held by a partner's system/);
    expect(reasonOf(secretRefs.actionLinkKey.name)).toMatch(/^(?!.*(third party|partner)).*Leadflow's own and signed the links already sent.*\{"current", "previous"\}/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- cdk-nag's annotation data is its message, a string
  const summarise = (found: ReturnType<Annotations['findError']>) => found.map((annotation) => `${annotation.id}: ${String(annotation.entry.data).split('\n')[0]}`);

  it('reports no unsuppressed errors or warnings', () => {
    const annotations = Annotations.fromStack(leadApp.stack);
    expect(summarise(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
    expect(summarise(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
  });

  it('traces every function with X-Ray by default, and none with tracing=false', () => {
    const tracedFunctions = Template.fromStack(leadApp.stack).findResources('AWS::Lambda::Function', { Properties: { TracingConfig: { Mode: 'Active' } } });
    expect(Object.keys(tracedFunctions).sort()).toEqual(functions.map((definition) => lambdaOf(definition.name)[0]).sort());
    expect(JSON.stringify(Template.fromStack(leadApp.stack).toJSON())).toContain('xray:PutTraceSegments');
    const untraced = createLeadApp(assertionAppProps({ tracing: 'false' }));
    const untracedTemplate = Template.fromStack(untraced.stack);
    expect(untracedTemplate.findResources('AWS::Lambda::Function', { Properties: { TracingConfig: Match.anyValue() } })).toEqual({});
    expect(JSON.stringify(untracedTemplate.toJSON())).not.toContain('xray:PutTraceSegments');
    expect(summarise(Annotations.fromStack(untraced.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
  });

  it('reports any action on "*" in a function role other than those that take no resource', () => {
    const widened = createLeadApp(assertionAppProps());
    const role = widened.stack.functions.get('get-lead')!.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
    const errors = Annotations.fromStack(widened.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-IAM5'));
    expect(summarise(errors)).toEqual([expect.stringMatching(/AwsSolutions-IAM5\[Resource::\*\]/)]);
    expect(errors[0].id).toBe(`/${widened.stack.stackName}/${role.node.path.split('/').slice(1).join('/')}/Resource`);
  });

  it('suppresses "*" on each function role for exactly the actions that take no resource, and for no other finding', () => {
    for (const definition of functions) {
      const roleLogicalId = lambdaOf(definition.name)[1].Properties.Role['Fn::GetAtt'][0] as string;
      const suppressions = (resources[roleLogicalId].Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason: string; applies_to?: unknown[] }>;
      const wildcard = suppressions.filter((suppression) => suppression.id === 'AwsSolutions-IAM5' && suppression.applies_to?.includes('Resource::*'));
      expect(wildcard, definition.name).toHaveLength(1);
      expect(wildcard[0].applies_to, definition.name).toEqual(['Resource::*']);
      const expected = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', ...(definition.trigger.kind === 'stream' ? ['dynamodb:ListStreams'] : [])];
      expect(wildcard[0].reason.split(' (')[0].split(', ').sort(), definition.name).toEqual(expected.sort());
    }
  });

  it('gives every suppression a specific reason, in the monitoring stack too', () => {
    const monitoringResources = monitoringTemplate(leadApp.stack).toJSON().Resources as Record<string, Resource>;
    const suppressions = [...Object.values(resources), ...Object.values(monitoringResources)].flatMap((resource) => (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const suppression of suppressions) expect(suppression.reason.length, suppression.id).toBeGreaterThan(60);
  });
});

describe('handler assets', () => {
  it.each(functions.filter((definition) => definition.assets?.length).map((definition) => [definition.name, definition] as const))('%s: every declared asset exists in its handler folder', (_name, definition) => {
    expect(handlerAssets(definition, projectRoot).map(({ target }) => target)).toHaveLength(definition.assets!.length);
  });

  it('refuses an asset that is missing or outside the handler folder', () => {
    const definition = { ...functions[0], assets: ['no-such-file.js'] };
    expect(() => handlerAssets(definition, projectRoot)).toThrow(/asset "no-such-file.js" not found/);
    expect(() => handlerAssets({ ...definition, assets: ['../../package.json'] }, projectRoot)).toThrow(/must stay inside/);
  });
});

describe('configuration', () => {
  it('stops the app with a ConfigurationError naming the field when the configuration is bad', () => {
    const configFile = writeConfigurationWithUnknownPool();
    try {
      expect(() => createLeadApp(assertionAppProps({ configFile }))).toThrow(ConfigurationError);
      expect(() => createLeadApp(assertionAppProps({ configFile }))).toThrow(/forms\[0\]\.poolId: unknown pool "no-such-pool"/);
    } finally {
      rmSync(configFile, { force: true });
    }
  });
});
