import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { OperationalMetrics } from '../ports/operational-metrics';

/**
 * Counters as CloudWatch embedded-metric-format log lines (Powertools Metrics), published at once: no
 * agent, no API call, and nothing lost if the invocation fails right after.
 */
export class PowertoolsMetrics implements OperationalMetrics {
  private readonly metrics = new Metrics({ namespace: 'Leadflow', serviceName: 'leadflow' });

  count(name: string, dimensions: Record<string, string> = {}): void {
    const single = this.metrics.singleMetric();
    for (const [dimension, value] of Object.entries(dimensions)) single.addDimension(dimension, value);
    single.addMetric(name, MetricUnit.Count, 1);
  }
}
