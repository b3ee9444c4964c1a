import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aspects, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deployedConfiguration, type Configuration } from '@leadflow/domain';
import { loadConfigurationFile, writeValidatedConfigurationFile } from '@leadflow/platform';
import { LeadStack } from './lead-stack';
import { resolveStage, stageContextKey, type Stage } from './stage';

/** The repository root: manifest entries and the bundles' working directory are resolved against it. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * CDK context key naming a configuration file other than the stage's `config/stages/<stage>.json`,
 * e.g. `cdk synth -c configFile=config/acme.json`.
 */
export const configFileContextKey = 'configFile';
/**
 * CDK context key for active X-Ray tracing of every function, on unless `cdk deploy -c tracing=false`.
 * Lambda's own X-Ray integration records each invocation (initialisation, invocation, overhead); the
 * Powertools Tracer would add about 120 KB (aws-xray-sdk-core and its dependencies) to every bundle.
 */
export const tracingContextKey = 'tracing';

export interface LeadApp {
  app: App;
  stack: LeadStack;
  configuration: Configuration;
  configurationFile: string;
  stage: Stage;
}

/**
 * Builds the CDK app for one stage (`stage` context, default `dev`): validates the stage's
 * configuration first, so a bad configuration stops `cdk synth` before any asset is bundled, then adds
 * the stage's stack and the cdk-nag AwsSolutions checks.
 *
 * @throws StageError for a stage without a configuration file.
 * @throws ConfigurationError naming the offending field, e.g. `forms[0].poolId: unknown pool "x"`.
 * @example
 * const { app } = createLeadApp({ context: { stage: 'prod' } });
 * app.synth();
 */
export function createLeadApp(props: AppProps = {}): LeadApp {
  // Synthesised explicitly by app.ts, so a configuration error never leaves an empty assembly behind.
  const app = new App({ autoSynth: false, ...props });
  const stage = resolveStage({ stage: app.node.tryGetContext(stageContextKey) as string | undefined, configFile: app.node.tryGetContext(configFileContextKey) as string | undefined }, projectRoot);
  const configurationFile = stage.configurationFile;
  // Outbound webhook destinations that point at a local stand-in stay out of AWS.
  const configuration = deployedConfiguration(loadConfigurationFile(configurationFile));
  // Every bundle carries this validated copy, defaults applied, so functions need no configuration schema.
  const validatedConfigurationFile = writeValidatedConfigurationFile(configuration, join(app.outdir, `${stage.name}.validated-configuration.json`));

  const stack = new LeadStack(app, stage.stackName, {
    description: `Leadflow (${stage.name}): lead capture, routing and notification.`,
    stageName: stage.name,
    eventBusName: stage.eventBusName,
    configuration,
    validatedConfigurationFile,
    projectRoot,
    // `-c tracing=false` arrives as a string, context in cdk.json or tests as a boolean.
    tracing: String(app.node.tryGetContext(tracingContextKey) ?? true) !== 'false',
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack, configuration, configurationFile, stage };
}
