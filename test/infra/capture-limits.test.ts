import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultApiThrottle, deployedConfiguration, operationsSchema } from '@leadflow/domain';
import { functionLimits, manifestFunctions, type HttpTrigger } from '@leadflow/manifest';
import { lambdaRequestTimeouts, operationalMetricsNamespace, turnstileVerifyTimeoutMs } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { captureThrottledMetricName } from '../../infra/lead-alarms';
import { createLeadApp, projectRoot, type LeadApp } from '../../infra/lead-app';
import { assertionAppProps } from './cdk-context';
import { monitoringTemplate } from './monitoring-template';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const functions = manifestFunctions(deployedConfiguration(demoConfiguration()));
const routeKey = (trigger: HttpTrigger) => `${trigger.method} ${trigger.path}`;
const httpTriggers = functions.flatMap((definition) => (definition.trigger.kind === 'http' ? [definition.trigger] : []));
/** The routes that take leads from the public: form posts and their preflight, the embed script, ad-platform and partner lead deliveries. */
const captureRouteKeys = [
  'POST /forms/{formId}/submissions',
  'OPTIONS /forms/{formId}/submissions',
  'GET /embed.js',
  'POST /webhooks/meta',
  'POST /webhooks/google',
  'POST /webhooks/linkedin',
  'POST /webhooks/tiktok',
  'POST /webhooks/generic/{sourceId}',
];

let leadApp: LeadApp;
let resources: Record<string, Resource>;
/** The monitoring stack's, which holds the alarms and the access log's metric filter, its parameters replaced by what the main stack passes. */
let monitoringResources: Record<string, Resource>;
const ofType = (type: string, from = resources) => Object.entries(from).filter(([, resource]) => resource.Type === type);
const logicalIdOf = (app: LeadApp, construct: { node: { defaultChild?: unknown } }) => app.stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  leadApp = createLeadApp(assertionAppProps());
  resources = Template.fromStack(leadApp.stack).toJSON().Resources as Record<string, Resource>;
  monitoringResources = monitoringTemplate(leadApp.stack).toJSON().Resources as Record<string, Resource>;
});

describe('API throttle', () => {
  it('marks exactly the form posts and their preflight, embed.js and the ad-platform lead webhooks as capture routes', () => {
    expect(
      httpTriggers
        .filter((trigger) => trigger.throttle === 'capture')
        .map(routeKey)
        .sort(),
    ).toEqual([...captureRouteKeys].sort());
  });

  it('defaults to 500 requests/s (bursts of 1,000) on each capture route and 50 (bursts of 100) on each other route, and refuses a limit above the account quota', () => {
    expect(operationsSchema.parse({}).apiThrottle).toEqual({ captureRoutes: { rateLimit: 500, burstLimit: 1000 }, otherRoutes: { rateLimit: 50, burstLimit: 100 } });
    expect(operationsSchema.parse({ apiThrottle: { captureRoutes: { rateLimit: 800, burstLimit: 1500 } } }).apiThrottle.otherRoutes).toEqual(defaultApiThrottle.otherRoutes);
    expect(operationsSchema.safeParse({ apiThrottle: { captureRoutes: { rateLimit: 20_000, burstLimit: 1000 } } }).success).toBe(false);
    expect(operationsSchema.safeParse({ apiThrottle: { otherRoutes: { rateLimit: 50, burstLimit: 10.5 } } }).success).toBe(false);
  });

  it("throttles each capture route with the configuration's captureRoutes limit, every other route with otherRoutes, once its routes exist", () => {
    const { apiThrottle } = leadApp.configuration.operations;
    const [[stageId, stage]] = ofType('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: apiThrottle.otherRoutes.rateLimit, ThrottlingBurstLimit: apiThrottle.otherRoutes.burstLimit });
    const capture = { ThrottlingRateLimit: apiThrottle.captureRoutes.rateLimit, ThrottlingBurstLimit: apiThrottle.captureRoutes.burstLimit };
    expect(stage.Properties.RouteSettings).toEqual(Object.fromEntries(captureRouteKeys.map((key) => [key, capture])));
    // CloudFormation refuses route settings naming a route it has not created yet.
    const captureRoutes = ofType('AWS::ApiGatewayV2::Route').filter(([, route]) => captureRouteKeys.includes(route.Properties.RouteKey as string));
    expect(captureRoutes).toHaveLength(captureRouteKeys.length);
    for (const [logicalId] of captureRoutes) expect(resources[stageId].DependsOn, logicalId).toContain(logicalId);
  });

  it("deploys a stage configuration's own throttles", () => {
    const configuration = JSON.parse(readFileSync(join(projectRoot, 'config/stages/prod.json'), 'utf8')) as { operations: Record<string, unknown> };
    configuration.operations.apiThrottle = { captureRoutes: { rateLimit: 900, burstLimit: 1800 }, otherRoutes: { rateLimit: 20, burstLimit: 40 } };
    const configFile = join(tmpdir(), `leads.config.throttle.${process.pid}.json`);
    writeFileSync(configFile, JSON.stringify(configuration));
    try {
      const custom = Template.fromStack(createLeadApp(assertionAppProps({ configFile })).stack).toJSON().Resources as Record<string, Resource>;
      const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage', custom);
      expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
      expect(stage.Properties.RouteSettings['POST /forms/{formId}/submissions']).toEqual({ ThrottlingRateLimit: 900, ThrottlingBurstLimit: 1800 });
    } finally {
      rmSync(configFile, { force: true });
    }
  });

  it("alarms on capture requests API Gateway's throttle refused, counted from the access log under the stage's own service", () => {
    const accessLogs = logicalIdOf(leadApp, leadApp.stack.httpApi.accessLogs);
    const filters = ofType('AWS::Logs::MetricFilter', monitoringResources).filter(([, filter]) => filter.Properties.LogGroupName?.Ref === accessLogs);
    expect(filters).toHaveLength(1);
    const [[, filter]] = filters;
    expect(filter.Properties.MetricTransformations).toEqual([
      { MetricNamespace: operationalMetricsNamespace, MetricName: captureThrottledMetricName, MetricValue: '1', Dimensions: [{ Key: 'service', Value: '$.service' }] },
    ]);
    const pattern = filter.Properties.FilterPattern as string;
    // A 429 that reached no integration is API Gateway's; the handlers' own rate limit answers 429 too.
    expect(pattern).toContain('$.status = "429"');
    expect(pattern).toContain('$.integrationLatency = "-"');
    for (const key of captureRouteKeys) expect(pattern).toContain(`$.routeKey = "${key}"`);
    expect(pattern).not.toContain('/leads/');
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage');
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format as string)).toMatchObject({
      service: leadApp.stack.stackName,
      status: '$context.status',
      integrationLatency: '$context.integrationLatency',
      routeKey: '$context.routeKey',
    });

    const alarms = ofType('AWS::CloudWatch::Alarm', monitoringResources).filter(([, alarm]) => alarm.Properties.MetricName === captureThrottledMetricName);
    expect(alarms).toHaveLength(1);
    expect(alarms[0][1].Properties).toMatchObject({
      Namespace: operationalMetricsNamespace,
      Dimensions: [{ Name: 'service', Value: leadApp.stack.stackName }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: leadApp.stack.monitoring.getLogicalId(leadApp.stack.monitoring.alarms.topic.node.defaultChild as CfnElement) }],
    });
  });
});

describe('capture timeout', () => {
  it('lets form capture answer 503 after a slow Turnstile check and a silent DynamoDB, rather than time out', () => {
    const capture = functions.find((definition) => definition.name === 'capture-form-submission')!;
    // Three SDK attempts of requestTimeout each, and a second for its backoff and the calls before (rate limit, secret).
    const worstAnswerMs = turnstileVerifyTimeoutMs + 3 * lambdaRequestTimeouts.requestTimeout + 1_000;
    const timeoutSeconds = functionLimits(capture).timeoutSeconds;
    expect(timeoutSeconds * 1000).toBeGreaterThanOrEqual(worstAnswerMs);
    // API Gateway gives up on an integration after 30 s.
    expect(timeoutSeconds).toBeLessThan(30);
    const lambda = ofType('AWS::Lambda::Function').find(([logicalId]) => logicalId === logicalIdOf(leadApp, leadApp.stack.functions.get(capture.name)!.function))!;
    expect(lambda[1].Properties.Timeout).toBe(timeoutSeconds);
  });
});

describe('table warm throughput', () => {
  it("leaves DynamoDB's defaults unless the stage asks, refuses values under them, and pre-warms the leads table and the indexes a stage names", () => {
    for (const [, table] of ofType('AWS::DynamoDB::Table')) expect(table.Properties.WarmThroughput).toBeUndefined();
    expect(operationsSchema.safeParse({ tableWarmThroughput: { writeUnitsPerSecond: 3_999 } }).success).toBe(false);
    expect(operationsSchema.safeParse({ tableWarmThroughput: { readUnitsPerSecond: 11_000 } }).success).toBe(false);
    expect(operationsSchema.safeParse({ tableWarmThroughput: { writeUnitsPerSecond: 20_000.5 } }).success).toBe(false);
    const configuration = JSON.parse(readFileSync(join(projectRoot, 'config/stages/prod.json'), 'utf8')) as { operations: Record<string, unknown> };
    configuration.operations.tableWarmThroughput = { writeUnitsPerSecond: 30_000, readUnitsPerSecond: 12_000, indexes: { 'outbox-by-time': { writeUnitsPerSecond: 8_000 } } };
    const configFile = join(tmpdir(), `leads.config.warm.${process.pid}.json`);
    writeFileSync(configFile, JSON.stringify(configuration));
    try {
      const custom = Template.fromStack(createLeadApp(assertionAppProps({ configFile })).stack).toJSON().Resources as Record<string, Resource>;
      const tables = ofType('AWS::DynamoDB::Table', custom);
      expect(tables).toHaveLength(1);
      expect(tables[0][1].Properties.WarmThroughput).toEqual({ WriteUnitsPerSecond: 30_000, ReadUnitsPerSecond: 12_000 });
      const indexes = tables[0][1].Properties.GlobalSecondaryIndexes as Array<{ IndexName: string; WarmThroughput?: unknown }>;
      expect(indexes.filter((index) => index.WarmThroughput).map((index) => [index.IndexName, index.WarmThroughput])).toEqual([['outbox-by-time', { WriteUnitsPerSecond: 8_000 }]]);

      configuration.operations.tableWarmThroughput = { indexes: { 'outbox-by-tim': { writeUnitsPerSecond: 8_000 } } };
      writeFileSync(configFile, JSON.stringify(configuration));
      expect(() => createLeadApp(assertionAppProps({ configFile }))).toThrow(/"outbox-by-tim", which is not an index of the leads table: it has outbox-by-time, /);
    } finally {
      rmSync(configFile, { force: true });
    }
  });
});
