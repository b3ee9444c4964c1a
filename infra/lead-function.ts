import { copyFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Aspects, AssetHashType, DockerImage, Duration, Lazy, Stack, Tags, type IAspect } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct, type IConstruct } from 'constructs';
import type { Configuration } from '@leadflow/domain';
import { functionLimits, tableAccessActions, tables as tableDefinitions, type FunctionDefinition, type TableAccess, type TableName, type Trigger } from '@leadflow/manifest';
import { DeadLetterQueue } from './dead-letter-queue';
import type { StackFunctionBundles } from './function-bundling';
import { secretsPrefixVariable, type IntegrationSecrets } from './integration-secrets';
import { metricsServiceOf, metricsServiceVariable } from './operational-metrics';

/** Tag carried by every resource of a manifest function; tests and cost reports find functions by it. */
export const functionTagKey = 'leadflow:function';

/** Where the validated configuration lands inside every bundle, and so in `/var/task`. */
export const bundledConfigurationFileName = 'leads.config.json';
export const bundledConfigurationPath = `/var/task/${bundledConfigurationFileName}`;

/** The environment variable through which `readLambdaSettings` learns each table's physical name. */
export const tableEnvironmentVariables: Record<TableName, string> = { leads: 'LEADS_TABLE_NAME' };

/** How often Lambda retries an asynchronous invocation that failed, and how long it keeps trying. */
export interface AsyncDelivery {
  retryAttempts: number;
  maxEventAge: Duration;
}

/**
 * The asynchronous-invocation policy of a trigger, or `undefined` for triggers Lambda invokes
 * synchronously (HTTP) or by polling (streams), where retries are the caller's or the poller's.
 */
export function asyncDeliveryOf(trigger: Trigger): AsyncDelivery | undefined {
  switch (trigger.kind) {
    case 'event':
    case 'schedule':
      return { retryAttempts: trigger.retryAttempts, maxEventAge: Duration.seconds(trigger.maxEventAgeSeconds) };
    case 'http':
    case 'stream':
      return undefined;
  }
}

export interface LeadFunctionProps {
  definition: FunctionDefinition;
  tables: Record<TableName, dynamodb.Table>;
  eventBus: events.IEventBus;
  configuration: Configuration;
  /** Absolute path of the validated configuration file (`writeValidatedConfigurationFile`) copied into the bundle (it holds no secret). */
  validatedConfigurationFile: string;
  /** The configured secrets; the function may read those of the kinds its manifest entry lists. */
  secrets: IntegrationSecrets;
  /** The stack's function bundles, built together when CDK first asks for one. */
  bundles: StackFunctionBundles;
  /** The stage's one function log group (each function's streams are named after it), kept to CloudFormation's 500-resource stack limit. */
  logGroup: logs.ILogGroup;
  tracing: boolean;
  /** Where functions that write reports (`writesReports`) file them. */
  reportBucket: s3.IBucket;
  /** The roles API functions share (`FunctionRoles`). */
  roles: FunctionRoles;
}

/**
 * The roles the API's functions share: one per set of grants the manifest gives (tables and access levels,
 * secrets, the bus, email, SMS, reports), so each function has exactly the permissions it would have alone,
 * at one CloudFormation resource per set rather than per function (a stack holds at most 500 resources). A
 * function Lambda invokes asynchronously or from a stream has a role of its own, as Lambda grants it its own
 * dead-letter queue.
 */
export class FunctionRoles extends Construct {
  private readonly roles = new Map<string, { role: iam.Role; functions: string[] }>();

  /** The shared role of an API function, and whether it was made now (its grants are then still to give). */
  roleOf(definition: FunctionDefinition): { role: iam.Role; made: boolean } {
    const key = JSON.stringify([
      definition.tables,
      definition.publishesEvents === true,
      [...(definition.secrets ?? [])].sort(),
      definition.sendsEmail === true,
      definition.sendsSms === true,
      definition.writesReports === true,
    ]);
    const shared = this.roles.get(key);
    if (shared) {
      shared.functions.push(definition.name);
      return { role: shared.role, made: false };
    }
    const functions = [definition.name];
    const role = new iam.Role(this, `Role${createHash('sha256').update(key).digest('hex').slice(0, 8)}`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: Lazy.string({
        produce: () => (functions.length === 1 ? `Runs the API function ${functions[0]} and nothing else.` : `Runs the API functions ${functions.join(', ')}, which the manifest gives the same access, and nothing else.`),
      }),
    });
    this.roles.set(key, { role, functions });
    return { role, made: true };
  }
}

/** The only keys report writers may put: the channel-ROI CSVs and the funnel CSVs filed beside them. */
export const reportKeyPatterns = ['channel-roi/*', 'funnel/*'];

/**
 * One manifest function: its bundle, its least-privilege role (shared by API functions given the same
 * access, `FunctionRoles`), its log group and, unless API Gateway calls it synchronously, the dead-letter
 * queue its failed events end in.
 */
export class LeadFunction extends Construct {
  readonly definition: FunctionDefinition;
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.ILogGroup;
  readonly deadLetterQueue?: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: LeadFunctionProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;
    Tags.of(this).add(functionTagKey, definition.name);

    const shared = definition.trigger.kind === 'http' ? props.roles.roleOf(definition) : undefined;
    this.role =
      shared?.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs the ${definition.name} function and nothing else.`,
      });
    // A shared role is given its grants once, by the first of its functions.
    const grantsToGive = shared === undefined || shared.made;
    if (grantsToGive) {
      Aspects.of(this.role).add(new GrantsInsideTheRole('FunctionAccess'));
      Aspects.of(this.role).add(new ResourceWildcardExplained());
    }
    this.logGroup = props.logGroup;
    if (grantsToGive) this.logGroup.grantWrite(this.role);

    const asyncDelivery = asyncDeliveryOf(definition.trigger);
    const limits = functionLimits(definition);
    if (definition.trigger.kind !== 'http') this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters');

    this.function = new lambda.Function(this, 'Function', {
      code: bundledCode(definition, props.bundles, props.validatedConfigurationFile),
      handler: 'index.handler',
      description: definition.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: limits.memoryMb,
      timeout: Duration.seconds(limits.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : undefined,
      environment: {
        ...Object.fromEntries(Object.entries(props.tables).map(([name, table]) => [tableEnvironmentVariables[name as TableName], table.tableName])),
        LEADS_EVENT_BUS_NAME: props.eventBus.eventBusName,
        LEADS_VALIDATED_CONFIG_FILE: bundledConfigurationPath,
        [secretsPrefixVariable]: props.secrets.prefix,
        [metricsServiceVariable]: metricsServiceOf(this),
        ...(definition.writesReports ? { LEADS_REPORTS_BUCKET: props.reportBucket.bucketName } : {}),
        NODE_OPTIONS: '--enable-source-maps',
      },
      // Lambda retries failed asynchronous invocations itself, whoever delivered them; the same
      // numbers are given to the EventBridge or Scheduler target, and the same queue catches both.
      deadLetterQueue: asyncDelivery && this.deadLetterQueue,
      retryAttempts: asyncDelivery?.retryAttempts,
      maxEventAge: asyncDelivery?.maxEventAge,
    });

    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Pinned to nodejs22.x on purpose: the bundles are built for esbuild target node22, and moving to a newer runtime is a deliberate change of runtime and target together, not something a CDK upgrade should force.',
      },
    ]);
    if (grantsToGive) this.grantAccess(props);
  }

  /** The access the manifest gives the function: its tables, secrets, the bus, email, SMS, reports. */
  private grantAccess(props: LeadFunctionProps): void {
    const { definition } = props;
    this.grantTableAccess(props.tables);
    if (definition.publishesEvents) props.eventBus.grantPutEventsTo(this.role);
    props.secrets.grantRead(definition.secrets ?? [], this.role);
    if (definition.sendsEmail) this.role.addToPrincipalPolicy(sendNotificationEmail(this, props.configuration.organisation.notificationSender));
    if (definition.sendsSms) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: [Stack.of(this).formatArn({ service: 'sms-voice', resource: '*' })] }));
      NagSuppressions.addResourceSuppressions(
        this.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              "SendTextMessage is authorised against the origination identity AWS resolves (phone number, pool or sender id; the configured one may be given by number or id, not ARN), and possibly the configuration set and opt-out list it uses; the grant is limited to this account and region's sms-voice resources.",
            appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:\\*$/g' }],
          },
        ],
        true,
      );
    }
    if (definition.writesReports) {
      for (const pattern of reportKeyPatterns) props.reportBucket.grantPut(this.role, pattern);
      const bucketLogicalId = Stack.of(this).resolve((props.reportBucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
      NagSuppressions.addResourceSuppressions(
        this.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: `s3:PutObject (and its abort/tagging variants, as grantPut writes them) on the report bucket's ${reportKeyPatterns.join(' and ')} keys only.`,
            appliesTo: [...reportKeyPatterns.map((pattern) => `Resource::<${bucketLogicalId}.Arn>/${pattern}`), 'Action::s3:Abort*'],
          },
        ],
        true,
      );
    }
  }

  private grantTableAccess(tables: Record<TableName, dynamodb.Table>): void {
    for (const [name, access] of Object.entries(this.definition.tables) as Array<[TableName, TableAccess]>) {
      const table = tables[name];
      // The actions of the manifest's access level, not grantReadWriteData's, which adds Scan, DeleteItem and BatchWriteItem to every writer.
      table.grant(this.role, ...tableAccessActions[access]);

      if (tableDefinitions[name].globalSecondaryIndexes.length === 0) continue;
      const logicalId = Stack.of(this).resolve((table.node.defaultChild as dynamodb.CfnTable).logicalId) as string;
      NagSuppressions.addResourceSuppressions(
        this.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: `The manifest gives ${this.definition.name} (and any API function sharing its role: the same access) ${access} access to the ${name} table; the table grant covers its own global secondary indexes ("<table>/index/*") and no other table.`,
            appliesTo: [`Resource::<${logicalId}.Arn>/index/*`],
          },
        ],
        true,
      );
    }
  }
}

/**
 * A function's code asset: its bundle from the stack's shared build (`StackFunctionBundles`), with
 * the validated configuration beside it. Local bundling only, so no Docker; the asset is hashed on its
 * output. The source path is the handler's own folder, which keeps each function's asset apart in
 * CDK's staging cache.
 */
function bundledCode(definition: FunctionDefinition, bundles: StackFunctionBundles, validatedConfigurationFile: string): lambda.Code {
  return lambda.Code.fromAsset(bundles.handlerFolderOf(definition), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-bundling-only'),
      local: {
        tryBundle(outputDir: string) {
          cpSync(bundles.directoryOf(definition), outputDir, { recursive: true });
          copyFileSync(validatedConfigurationFile, join(outputDir, bundledConfigurationFileName));
          return true;
        },
      },
    },
  });
}

/**
 * SES permission for the one sender address the configuration names: the domain identity and the
 * address identity (SES authorises against whichever is verified), and only with that From address.
 */
function sendNotificationEmail(scope: Construct, sender: string): iam.PolicyStatement {
  const stack = Stack.of(scope);
  const domain = sender.slice(sender.lastIndexOf('@') + 1);
  const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
  return new iam.PolicyStatement({
    actions: ['ses:SendEmail', 'ses:SendRawEmail'],
    resources: [identity(domain), identity(sender)],
    conditions: { StringEquals: { 'ses:FromAddress': sender } },
  });
}

/**
 * Writes a role's grants into the role itself (its inline `Policies`) rather than into a separate
 * `AWS::IAM::Policy`, once every grant is made: the same statements, one resource per role fewer,
 * which keeps the stack well inside CloudFormation's 500 resources.
 */
export class GrantsInsideTheRole implements IAspect {
  /** `policyName`: the name of the inline policy the grants go into. */
  constructor(private readonly policyName: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof iam.Role)) return;
    const grants = node.node.tryFindChild('DefaultPolicy');
    if (!(grants instanceof iam.Policy)) return;
    (node.node.defaultChild as iam.CfnRole).policies = [{ policyName: this.policyName, policyDocument: grants.document }];
    grants.node.tryRemoveChild('Resource');
  }
}

/** The actions a function role is given on `"*"` because IAM authorises them against no resource, and what each is for. */
export const actionsWithoutResources: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'active X-Ray tracing',
  'xray:PutTelemetryRecords': 'active X-Ray tracing',
  'dynamodb:ListStreams': "finding the table's stream a stream trigger reads",
};

/**
 * Suppresses cdk-nag's `Resource::*` finding on a function role once every grant is made, and only when
 * each action the role has on `"*"` is one of `actionsWithoutResources`: any other action on `"*"`,
 * added later by anyone, is still reported.
 */
class ResourceWildcardExplained implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.Role)) return;
    const grants = node.node.tryFindChild('DefaultPolicy');
    if (!(grants instanceof iam.Policy)) return;
    const statements = (grants.document.toJSON() as { Statement?: Array<{ Action?: string | string[]; Resource?: string | string[] }> } | undefined)?.Statement ?? [];
    const onEverything = [...new Set(statements.filter((statement) => [statement.Resource ?? []].flat().includes('*')).flatMap((statement) => [statement.Action ?? []].flat()))].sort();
    if (onEverything.length === 0 || !onEverything.every((action) => Object.hasOwn(actionsWithoutResources, action))) return;
    const purposes = [...new Set(onEverything.map((action) => actionsWithoutResources[action]))].join(' and ');
    NagSuppressions.addResourceSuppressions(
      node,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `${onEverything.join(', ')} (${purposes}) support no resource-level permissions, so "*" is the only resource IAM accepts for them; the role has nothing else on "*".`,
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }
}
