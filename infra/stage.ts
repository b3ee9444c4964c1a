import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { OperationsConfiguration } from '@leadflow/domain';

/** CDK context key naming the stage: `cdk synth -c stage=prod` (what `npm run synth -- --stage prod` passes). */
export const stageContextKey = 'stage';
/** The stage of a plain `npm run synth` / `cdk deploy`. */
export const defaultStage = 'dev';
/** Each stage's configuration file is `<this folder>/<stage>.json`, relative to the repository root. */
export const stageConfigurationFolder = 'config/stages';

const stageNamePattern = /^[a-z][a-z0-9-]{0,19}$/;

/** What a stage is called in AWS: two stages never share a stack, a bus or a schedule group. */
export interface Stage {
  name: string;
  /** Absolute path of the configuration file the stage validates and bundles. */
  configurationFile: string;
  stackName: string;
  eventBusName: string;
}

/** A stage the operator asked for that cannot be built; the message says what to do. */
export class StageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageError';
  }
}

/**
 * Resolves the stage from the CDK context. The configuration file is `config/stages/<stage>.json`
 * unless `configFile` names another one (tests, or a configuration kept outside the repository).
 *
 * @throws StageError for a malformed stage name, or a stage without a configuration file.
 * @example resolveStage({ stage: 'prod' }, projectRoot) // { name: 'prod', stackName: 'Leadflow-prod', ... }
 */
export function resolveStage(context: { stage?: string; configFile?: string }, projectRoot: string, cwd = process.cwd()): Stage {
  const name = context.stage ?? defaultStage;
  if (!stageNamePattern.test(name)) throw new StageError(`Stage "${name}" is not a valid stage name: use lower-case letters, digits and "-", starting with a letter (at most 20 characters).`);
  const configurationFile = context.configFile ? (isAbsolute(context.configFile) ? context.configFile : resolve(cwd, context.configFile)) : join(projectRoot, stageConfigurationFolder, `${name}.json`);
  if (!context.configFile && !existsSync(configurationFile)) {
    const known = stagesWithConfiguration(projectRoot);
    throw new StageError(
      `Stage "${name}" has no configuration file: create ${relative(projectRoot, configurationFile)} (a Leadflow configuration with an "operations" section; see docs/deploy.md).` +
        ` Stages with a configuration: ${known.length ? known.join(', ') : 'none'}.`,
    );
  }
  return { name, configurationFile, stackName: stackNameOf(name), eventBusName: `leadflow-${name}` };
}

/** The CloudFormation stack of a stage; operator commands find the stage's outputs by it. */
export function stackNameOf(stage: string): string {
  return `Leadflow-${stage}`;
}

/**
 * The stage's stack (`Leadflow-<stage>`) that `scope` is part of, also from inside one of its nested
 * stacks, whose own names CloudFormation generates: stage-wide names (alarms, the dashboard, the
 * metrics' `service`) come from it.
 */
export function stageStackOf(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

/** The stages that have a configuration file, sorted. */
export function stagesWithConfiguration(projectRoot: string): string[] {
  const folder = join(projectRoot, stageConfigurationFolder);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((stage) => stageNamePattern.test(stage))
    .sort();
}

/** How a stage keeps its data and logs, from its configuration's `operations` section. */
export interface StageDataPolicy {
  /** RETAIN keeps the table, user pool and log groups when the stack goes; DESTROY removes them. */
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
  logRetention: logs.RetentionDays;
}

export function stageDataPolicy(operations: OperationsConfiguration): StageDataPolicy {
  return {
    removalPolicy: operations.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection: operations.retainData,
    // The schema admits exactly the values CloudWatch Logs accepts, which are RetentionDays' values.
    logRetention: operations.logRetentionDays,
  };
}
