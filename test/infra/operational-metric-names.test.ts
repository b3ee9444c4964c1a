import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { operationalMetricNames, operationalMetricsNamespace } from '@leadflow/platform';
import { createLeadApp, projectRoot } from '../../infra/lead-app';
import { assertionAppProps } from './cdk-context';
import { monitoringTemplate } from './monitoring-template';

type Resource = { Type: string; Properties: Record<string, any> };
type MetricRead = { where: string; name: string; dimensions: unknown };

let stackName: string;
/** The resources of the stage's stack and of its nested monitoring stack (alarms, dashboard, metric filters). */
let resources: Array<[string, Resource]>;
beforeAll(() => {
  const leadApp = createLeadApp(assertionAppProps({ stage: 'dev' }));
  stackName = leadApp.stack.stackName;
  resources = [Template.fromStack(leadApp.stack), monitoringTemplate(leadApp.stack)].flatMap((template) => Object.entries(template.toJSON().Resources as Record<string, Resource>));
});

const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);

/** Every custom metric (namespace `Leadflow`) an alarm reads, alone or in metric math. */
function alarmReads(): MetricRead[] {
  return ofType('AWS::CloudWatch::Alarm').flatMap(([logicalId, { Properties: alarm }]) => [
    ...(alarm.Namespace === operationalMetricsNamespace ? [{ where: logicalId, name: alarm.MetricName as string, dimensions: alarm.Dimensions as unknown }] : []),
    ...((alarm.Metrics as Array<Record<string, any>> | undefined) ?? []).flatMap((metric) =>
      metric.MetricStat?.Metric.Namespace === operationalMetricsNamespace ? [{ where: logicalId, name: metric.MetricStat.Metric.MetricName as string, dimensions: metric.MetricStat.Metric.Dimensions as unknown }] : [],
    ),
  ]);
}

/** Every custom metric the dashboard charts: `[namespace, name, dimension, value, …]` arrays in its body. */
function dashboardReads(): MetricRead[] {
  const body = JSON.stringify(ofType('AWS::CloudWatch::Dashboard').map(([, dashboard]) => dashboard.Properties.DashboardBody));
  // The body is a Fn::Join of strings around the stack's references: its metric arrays sit inside those strings, escaped.
  const unescaped = body.replace(/\\"/g, '"');
  return [...unescaped.matchAll(new RegExp(`\\["${operationalMetricsNamespace}","([^"]+)"((?:,"[^"]*")*)`, 'g'))].map((match) => {
    const pairs = [...match[2].matchAll(/,"([^"]*)"/g)].map((value) => value[1]);
    return { where: 'dashboard', name: match[1], dimensions: Object.fromEntries(pairs.flatMap((value, index) => (index % 2 === 0 ? [[value, pairs[index + 1]]] : []))) };
  });
}

/** The names the metric filters of the template publish (from the access log), with their namespace and dimensions. */
const filterMetrics = () => ofType('AWS::Logs::MetricFilter').flatMap(([, filter]) => (filter.Properties.MetricTransformations as Array<Record<string, any>>).map((transformation) => transformation));

/** The TypeScript source of the handlers and the platform they run, without the port that declares the names. */
function handlerSource(): string {
  const files: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory)) {
      const path = join(directory, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !relative(projectRoot, path).endsWith(join('ports', 'operational-metrics.ts'))) files.push(path);
    }
  };
  walk(join(projectRoot, 'functions'));
  walk(join(projectRoot, 'packages', 'platform', 'src'));
  return files.map((file) => readFileSync(file, 'utf8')).join('\n');
}

describe('custom metrics: what the alarms and the dashboard read is what the handlers publish', () => {
  it('every alarm on a custom metric reads a name the handlers publish (or a metric filter of the stack), under the stage service alone', () => {
    const published = new Set<string>([...Object.values(operationalMetricNames), ...filterMetrics().map((transformation) => transformation.MetricName as string)]);
    const reads = alarmReads();
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(published.has(read.name), `${read.where} reads ${read.name}`).toBe(true);
      // The handlers publish every metric under [service] as well as its breakdown: alarms watch the total.
      expect(read.dimensions, `${read.where} ${read.name}`).toEqual([{ Name: 'service', Value: stackName }]);
    }
  });

  it('every custom metric the dashboard charts is one the handlers publish, under the stage service (and a dimension the handlers give it)', () => {
    const reads = dashboardReads();
    expect(reads.map((read) => read.name)).toEqual(expect.arrayContaining([operationalMetricNames.leadCaptured, operationalMetricNames.speedToLead]));
    const dimensionsPublished: Record<string, string[]> = {
      [operationalMetricNames.leadCaptured]: ['channel'],
      [operationalMetricNames.repNotified]: ['channel'],
      [operationalMetricNames.speedToLead]: ['channel', 'grade'],
      [operationalMetricNames.platformLeadFetchFailed]: ['platform'],
    };
    for (const read of reads) {
      expect(Object.values(operationalMetricNames) as string[], read.name).toContain(read.name);
      const { service, ...breakdown } = read.dimensions as Record<string, string>;
      expect(service, read.name).toBe(stackName);
      for (const dimension of Object.keys(breakdown)) expect(dimensionsPublished[read.name] ?? [], `${read.name} by ${dimension}`).toContain(dimension);
    }
  });

  it('every metric filter publishes under the namespace and the service dimension the alarms read', () => {
    const filters = filterMetrics();
    expect(filters.length).toBeGreaterThan(0);
    for (const transformation of filters) expect(transformation).toMatchObject({ MetricNamespace: operationalMetricsNamespace, Dimensions: [{ Key: 'service', Value: '$.service' }] });
  });

  it('every metric name the port declares is published by some handler (none is declared for the alarms alone)', () => {
    const source = handlerSource();
    for (const [key, name] of Object.entries(operationalMetricNames)) expect(source.includes(`operationalMetricNames.${key}`) || source.includes(`'${name}'`), name).toBe(true);
  });
});
