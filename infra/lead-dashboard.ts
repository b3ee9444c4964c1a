import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { Configuration } from '@leadflow/domain';
import { operationalMetricNames } from '@leadflow/platform';
import type { LeadAlarms } from './lead-alarms';
import type { LeadFunction } from './lead-function';
import type { LeadHttpApi } from './lead-http-api';
import { operationalMetric } from './operational-metrics';
import { stageStackOf } from './stage';

export interface LeadDashboardProps {
  configuration: Configuration;
  functions: ReadonlyMap<string, LeadFunction>;
  httpApi: LeadHttpApi;
  alarms: LeadAlarms;
}

const period = Duration.minutes(5);

/**
 * The stage's CloudWatch dashboard: leads captured per configured channel, speed to lead (p50, p90
 * against the alarm bound), assignments and notifications, each dead-letter queue's depth, ad-platform
 * fetch failures, API errors and every alarm's state. Queues and channels come from the manifest and
 * the configuration, so a new one appears without an edit here.
 */
export class LeadDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: LeadDashboardProps) {
    super(scope, id);
    const { configuration, functions, httpApi, alarms } = props;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: stageStackOf(this).stackName, defaultInterval: Duration.hours(24) });

    const capturedByChannel = configuration.channels.map((channel) => operationalMetric(this, operationalMetricNames.leadCaptured, { statistic: 'Sum', period, dimensions: { channel: channel.id }, label: channel.name }));
    const speedToLead = (statistic: 'p50' | 'p90') => operationalMetric(this, operationalMetricNames.speedToLead, { statistic, period: Duration.minutes(15), label: `speed to lead ${statistic}` });
    const deadLetterDepths = [...functions].flatMap(([name, leadFunction]) =>
      leadFunction.deadLetterQueue ? [leadFunction.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1), label: name })] : [],
    );

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Leads captured per channel', left: capturedByChannel, stacked: true, width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Speed to lead (ms, capture → rep notified)',
        left: [speedToLead('p50'), speedToLead('p90')],
        leftAnnotations: [{ value: configuration.operations.speedToLeadP90Seconds * 1000, label: 'p90 bound', color: cloudwatch.Color.RED }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Assignments and notifications',
        left: [
          operationalMetric(this, operationalMetricNames.leadAssigned, { statistic: 'Sum', period, label: 'assigned' }),
          operationalMetric(this, operationalMetricNames.repNotified, { statistic: 'Sum', period, label: 'reps notified' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Dead-letter queue depth (messages waiting)', left: deadLetterDepths, width: 12 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Ad-platform lead fetch failures',
        left: [
          operationalMetric(this, operationalMetricNames.platformLeadFetchFailed, { statistic: 'Sum', period, label: 'failed fetches' }),
          operationalMetric(this, operationalMetricNames.platformDeliveryUnreadable, { statistic: 'Sum', period, label: 'unreadable changes' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API errors',
        left: [httpApi.api.metricServerError({ statistic: 'Sum', period, label: '5xx' }), httpApi.api.metricClientError({ statistic: 'Sum', period, label: '4xx' })],
        right: [httpApi.api.metricCount({ statistic: 'Sum', period, label: 'requests' })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...[...alarms.byFunction.values()].flat(), ...alarms.stageWide], width: 24 }));
  }
}
