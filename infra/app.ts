import { ConfigurationError } from '@leadflow/domain';
import { createLeadApp } from './lead-app';
import { StageError } from './stage';

/**
 * `cdk synth` / `cdk deploy` entry (see cdk.json). A configuration or stage problem is the operator's
 * to fix, not a crash: print the error's message alone and exit non-zero.
 */
try {
  createLeadApp().app.synth();
} catch (error) {
  if (!(error instanceof ConfigurationError || error instanceof StageError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
