import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppProps } from 'aws-cdk-lib';
import { projectRoot } from '../../infra/lead-app';

/** The context `cdk synth` passes the app (cdk.json's feature flags), so tests synthesise what deploys. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/**
 * App props for assertion tests: cdk.json's context with bundling skipped (they need the template, not
 * the bundles), and annotations kept as annotations rather than folded into a thrown validation
 * report, so the cdk-nag test can list them. CDK's built-in CloudFormation validation (a WebAssembly
 * rule engine, seconds per cold synth) is left to the real `cdk synth` test, which runs with cdk.json
 * exactly as it is.
 */
export function assertionAppProps(extraContext: Record<string, unknown> = {}): AppProps {
  return {
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:annotationsInValidationReport': false, ...extraContext },
  };
}

/** Writes the demo configuration with its first form pointing at a pool that does not exist. */
export function writeConfigurationWithUnknownPool(directory = tmpdir()): string {
  const configuration = JSON.parse(readFileSync(join(projectRoot, 'config/leads.config.json'), 'utf8')) as { forms: Array<{ poolId: string }> };
  configuration.forms[0].poolId = 'no-such-pool';
  const file = join(directory, `leads.config.unknown-pool.${process.pid}.json`);
  writeFileSync(file, JSON.stringify(configuration));
  return file;
}
