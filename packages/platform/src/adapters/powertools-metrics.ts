import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { operationalMetricsNamespace, type OperationalMetricName, type OperationalMetrics } from '../ports/operational-metrics';

/**
 * Metrics as CloudWatch embedded-metric-format log lines (Powertools Metrics), published at once: no
 * agent, no API call, and nothing lost if the invocation fails right after. Each line carries two
 * dimension sets, `[service]` (the total) and `[service, ...dimensions]` (the breakdown), so CloudWatch
 * files one value under both metrics without a second line.
 */
export class PowertoolsMetrics implements OperationalMetrics {
  // The `service` dimension is POWERTOOLS_SERVICE_NAME, which Powertools reads itself: the stack name, set by the CDK app.
  private readonly metrics = new Metrics({ namespace: operationalMetricsNamespace });

  count(name: OperationalMetricName, dimensions: Record<string, string> = {}): void {
    this.publish(name, MetricUnit.Count, 1, dimensions);
  }

  measure(name: OperationalMetricName, milliseconds: number, dimensions: Record<string, string> = {}): void {
    this.publish(name, MetricUnit.Milliseconds, milliseconds, dimensions);
  }

  private publish(name: OperationalMetricName, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions: Record<string, string>): void {
    const single = this.metrics.singleMetric();
    if (Object.keys(dimensions).length > 0) single.addDimensions({}).addDimensions(dimensions);
    single.addMetric(name, unit, value);
  }
}
