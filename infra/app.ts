import { ConfigurationError } from '@leadflow/domain';
import { createLeadApp } from './lead-app';

/**
 * `cdk synth` / `cdk deploy` entry (see cdk.json). A configuration problem is the operator's to fix,
 * not a crash: print the ConfigurationError's field list alone and exit non-zero.
 */
try {
  createLeadApp().app.synth();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
