import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aspects, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Configuration } from '@leadflow/domain';
import { loadConfigurationFile } from '@leadflow/platform';
import { LeadStack } from './lead-stack';

/** The repository root: NodejsFunction entries and the lock file are resolved against it. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** CDK context key naming the configuration file, e.g. `cdk synth -c configFile=config/acme.json`. */
export const configFileContextKey = 'configFile';
export const defaultConfigFile = 'config/leads.config.json';
/** CDK context key turning on active X-Ray tracing of every function: `cdk deploy -c tracing=true`. */
export const tracingContextKey = 'tracing';

export interface LeadApp {
  app: App;
  stack: LeadStack;
  configuration: Configuration;
  configurationFile: string;
}

/**
 * Builds the CDK app: validates the configuration named by the `configFile` context first, so a bad
 * configuration stops `cdk synth` before any asset is bundled, then adds the stack and the
 * cdk-nag AwsSolutions checks.
 *
 * @throws ConfigurationError naming the offending field, e.g. `forms[0].poolId: unknown pool "x"`.
 * @example
 * const { app } = createLeadApp({ context: { configFile: 'config/leads.config.json' } });
 * app.synth();
 */
export function createLeadApp(props: AppProps = {}): LeadApp {
  // Synthesised explicitly by app.ts, so a configuration error never leaves an empty assembly behind.
  const app = new App({ autoSynth: false, ...props });
  const requested = (app.node.tryGetContext(configFileContextKey) as string | undefined) ?? defaultConfigFile;
  const configurationFile = isAbsolute(requested) ? requested : resolve(process.cwd(), requested);
  const configuration = loadConfigurationFile(configurationFile);

  const stack = new LeadStack(app, 'Leadflow', {
    description: 'Leadflow: lead capture, routing and notification.',
    configuration,
    configurationFile,
    projectRoot,
    // `-c tracing=true` arrives as a string, context in cdk.json or tests as a boolean.
    tracing: String(app.node.tryGetContext(tracingContextKey) ?? false) === 'true',
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack, configuration, configurationFile };
}
