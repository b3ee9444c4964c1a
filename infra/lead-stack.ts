import { CfnOutput, Duration, RemovalPolicies, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Configuration } from '@leadflow/domain';
import { manifestFunctions, tables as tableDefinitions, type TableName } from '@leadflow/manifest';
import { pascalCase } from './construct-names';
import { StackFunctionBundles } from './function-bundling';
import { FunctionRoles, LeadFunction } from './lead-function';
import { LeadHttpApi } from './lead-http-api';
import { createManifestTable } from './manifest-table';
import { MonitoringStack } from './monitoring-stack';
import { addOperatorOutputs, operatorEndpoints, outputNames } from './operator-outputs';
import { SalesTeamUserPool } from './sales-team-user-pool';
import { stageDataPolicy } from './stage';
import { connectTrigger, scheduleSourcesOf } from './trigger-wiring';
import { IntegrationSecrets } from './integration-secrets';
import { ReportBucket } from './report-bucket';

export interface LeadStackProps extends StackProps {
  /** The validated configuration; it decides e.g. which sender address functions may email from. */
  configuration: Configuration;
  /** Absolute path of the validated configuration (`writeValidatedConfigurationFile`) copied into every function bundle; it names secrets, never holds them. */
  validatedConfigurationFile: string;
  /** Repository root, against which manifest entries are resolved. */
  projectRoot: string;
  /** The stage (dev, prod, ...): printed in outputs; names come from the stack name. */
  stageName: string;
  /** @default "leadflow" */
  eventBusName?: string;
  /** How long the bus archive keeps events for replay. @default 30 days */
  archiveRetention?: Duration;
  /** @default the configuration's `operations.logRetentionDays` */
  logRetention?: logs.RetentionDays;
  /** Active X-Ray tracing on every function (Lambda's own integration). @default true */
  tracing?: boolean;
}

/**
 * Everything Leadflow runs on, built by looping over the manifest: a table per manifest table, a
 * function per manifest function, and for each function the route, rule, schedule or stream mapping
 * its trigger names. Nothing here restates a route, rule, schedule or function name. The alarms and the
 * dashboard live in a nested stack, `Monitoring`, to keep this one under CloudFormation's 500 resources.
 */
export class LeadStack extends Stack {
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly eventBus: events.EventBus;
  readonly users: SalesTeamUserPool;
  readonly httpApi: LeadHttpApi;
  readonly secrets: IntegrationSecrets;
  readonly reports: ReportBucket;
  /** Keyed by manifest function name. */
  readonly functions: ReadonlyMap<string, LeadFunction>;
  /** The nested stack of the alarms, their topic and the dashboard. */
  readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: LeadStackProps) {
    super(scope, id, props);
    const dataPolicy = stageDataPolicy(props.configuration.operations);
    const logRetention = props.logRetention ?? dataPolicy.logRetention;
    // A stage that does not retain data is torn down whole: log groups, queues and keys go with it, the nested monitoring stack's too.
    if (dataPolicy.removalPolicy === RemovalPolicy.DESTROY) RemovalPolicies.of(this).destroy();

    this.tables = Object.fromEntries(
      Object.entries(tableDefinitions).map(([name, definition]) => [name, createManifestTable(this, `${pascalCase(definition.name)}Table`, definition, dataPolicy, props.configuration.operations.tableWarmThroughput)]),
    ) as Record<TableName, dynamodb.Table>;

    this.eventBus = new events.EventBus(this, 'EventBus', { eventBusName: props.eventBusName ?? 'leadflow', description: 'Lead events: captured, assigned, ...' });
    const archive = this.eventBus.archive('Archive', {
      description: 'Every event on the lead bus, for replay after a consumer bug.',
      // An archive needs a pattern; every event on the bus comes from this account.
      eventPattern: { account: [this.account] },
      retention: props.archiveRetention ?? Duration.days(30),
    });

    this.users = new SalesTeamUserPool(this, 'SalesTeam', dataPolicy);
    this.httpApi = new LeadHttpApi(this, 'HttpApi', {
      userPool: this.users.userPool,
      userPoolClient: this.users.client,
      throttle: props.configuration.operations.apiThrottle,
      logRetention,
    });

    this.secrets = new IntegrationSecrets(this, 'Secrets', { configuration: props.configuration, removalPolicy: dataPolicy.removalPolicy });
    this.reports = new ReportBucket(this, 'Reports', { removalPolicy: dataPolicy.removalPolicy });

    const sources = { api: this.httpApi, eventBus: this.eventBus, tables: this.tables, schedules: scheduleSourcesOf(this) };

    const leadFunctions = new Map<string, LeadFunction>();
    const functions = manifestFunctions(props.configuration);
    const bundles = new StackFunctionBundles(functions, props.projectRoot);
    // One log group for every function: a group per function would cost a CloudFormation resource each
    // (a stack holds at most 500), and Lambda names each function's log streams after it anyway.
    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', { retention: logRetention });
    const roles = new FunctionRoles(this, 'ApiFunctionRoles');
    for (const definition of functions) {
      const id = pascalCase(definition.name);
      const leadFunction = new LeadFunction(this, id, {
        definition,
        tables: this.tables,
        eventBus: this.eventBus,
        configuration: props.configuration,
        validatedConfigurationFile: props.validatedConfigurationFile,
        secrets: this.secrets,
        bundles,
        logGroup: functionLogs,
        tracing: props.tracing ?? true,
        reportBucket: this.reports.bucket,
        roles,
      });
      // Functions that build URLs on this API are told its URL; none is an HTTP function, so there is no cycle.
      if (definition.usesPublicBaseUrl) leadFunction.function.addEnvironment('LEADS_PUBLIC_BASE_URL', this.httpApi.url);
      connectTrigger(id, leadFunction, sources);
      leadFunctions.set(definition.name, leadFunction);
    }
    this.functions = leadFunctions;
    // Undelivered lead events are data: a stage that retains its table keeps them too (the queues have generated names, so a new stack does not clash).
    for (const leadFunction of leadFunctions.values()) leadFunction.deadLetterQueue?.applyRemovalPolicy(dataPolicy.removalPolicy);
    this.monitoring = new MonitoringStack(this, 'Monitoring', { configuration: props.configuration, functions: leadFunctions, httpApi: this.httpApi, removalPolicy: dataPolicy.removalPolicy });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API.' });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'ReportBucketName', { value: this.reports.bucket.bucketName, description: 'Nightly channel-ROI CSVs: channel-roi/date=YYYY-MM-DD/v<version>.csv.' });
    new CfnOutput(this, outputNames.eventBusArn, { value: this.eventBus.eventBusArn, description: 'The lead bus, for npm run replay.' });
    new CfnOutput(this, outputNames.eventArchiveArn, { value: archive.archiveArn, description: 'The archive of every lead event, for npm run replay.' });
    new CfnOutput(this, outputNames.alarmTopicArn, { value: this.monitoring.alarms.topic.topicArn, description: 'Every alarm notifies this topic; subscribe more people or a chat hook to it.' });
    new CfnOutput(this, outputNames.dashboardName, { value: this.monitoring.dashboard.dashboard.dashboardName, description: 'The CloudWatch dashboard of this stage.' });
    addOperatorOutputs(this, { stageName: props.stageName, apiUrl: this.httpApi.url, endpoints: operatorEndpoints(functions, props.configuration), functions: leadFunctions });
    for (const [name, table] of Object.entries(this.tables)) {
      new CfnOutput(this, `${pascalCase(name)}TableName`, { value: table.tableName });
    }
  }
}
