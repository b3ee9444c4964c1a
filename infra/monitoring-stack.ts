import { NestedStack, type RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Configuration } from '@leadflow/domain';
import { LeadAlarms } from './lead-alarms';
import { LeadDashboard } from './lead-dashboard';
import type { LeadFunction } from './lead-function';
import type { LeadHttpApi } from './lead-http-api';

export interface MonitoringStackProps {
  configuration: Configuration;
  /** Keyed by manifest function name. */
  functions: ReadonlyMap<string, LeadFunction>;
  httpApi: LeadHttpApi;
  /** The stage's data policy: whether the alarm topic's key outlives the stack. */
  removalPolicy: RemovalPolicy;
}

/**
 * A stage's alarms (with the access-log metric filter one reads), their topic and its dashboard, as a
 * nested stack of `LeadStack`. CloudFormation takes at most 500 resources per stack, and monitoring is
 * the part that grows with every function (an alarm each) while it needs the functions, queues and API
 * by name alone: CDK passes each name in as a parameter of this stack (a template takes at most 200).
 * Names stay the stage's: alarms are `Leadflow-<stage>-<name>`, the dashboard `Leadflow-<stage>`.
 */
export class MonitoringStack extends NestedStack {
  readonly alarms: LeadAlarms;
  readonly dashboard: LeadDashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, { description: 'Leadflow: the alarms, their topic and the dashboard of the stage (a nested stack of its stack).' });
    this.alarms = new LeadAlarms(this, 'Alarms', { functions: props.functions, httpApi: props.httpApi, operations: props.configuration.operations, removalPolicy: props.removalPolicy });
    this.dashboard = new LeadDashboard(this, 'Dashboard', { configuration: props.configuration, functions: props.functions, httpApi: props.httpApi, alarms: this.alarms });
  }
}
