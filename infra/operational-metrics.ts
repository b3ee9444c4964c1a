import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import { operationalMetricsNamespace, type OperationalMetricName } from '@leadflow/platform';
import { stageStackOf } from './stage';

/** The environment variable Powertools Metrics takes the `service` dimension from (the logger names its service itself). */
export const metricsServiceVariable = 'POWERTOOLS_SERVICE_NAME';

/**
 * The `service` dimension of a stage's metrics: its stack name, unique in an account and region, so
 * stages that share one never alarm or chart on each other's leads. The stage's stack, not a nested
 * one's: the functions publish under it and the monitoring stack's alarms read it.
 */
export function metricsServiceOf(scope: IConstruct): string {
  return stageStackOf(scope).stackName;
}

/**
 * A metric the handlers of `scope`'s stack publish (Powertools Metrics, embedded metric format). Without
 * `dimensions` it is the total every handler publishes beside its breakdown; with them, one slice (e.g. one channel).
 */
export function operationalMetric(scope: IConstruct, name: OperationalMetricName, options: { statistic: string; period: Duration; dimensions?: Record<string, string>; label?: string }): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: operationalMetricsNamespace,
    metricName: name,
    dimensionsMap: { service: metricsServiceOf(scope), ...options.dimensions },
    statistic: options.statistic,
    period: options.period,
    label: options.label,
  });
}
