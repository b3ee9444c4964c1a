import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { operationalMetricsNamespace, operationalMetricsService, type OperationalMetricName } from '@leadflow/platform';

/**
 * A metric the handlers publish (Powertools Metrics, embedded metric format). Without `dimensions` it is
 * the total every handler publishes beside its breakdown; with them, one slice (e.g. one channel).
 */
export function operationalMetric(name: OperationalMetricName, options: { statistic: string; period: Duration; dimensions?: Record<string, string>; label?: string }): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: operationalMetricsNamespace,
    metricName: name,
    dimensionsMap: { service: operationalMetricsService, ...options.dimensions },
    statistic: options.statistic,
    period: options.period,
    label: options.label,
  });
}
