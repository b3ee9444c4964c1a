import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { stackNameOf } from '../../infra/stage';

/** A problem with how a command was called (exit 2, with its usage) or with what it needs (exit 1). */
export class OperatorError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'OperatorError';
  }
}

/** Where a command writes: the terminal in use, an array in tests. */
export interface Terminal {
  print(line: string): void;
  warn(line: string): void;
}

export const processTerminal: Terminal = { print: (line) => console.log(line), warn: (line) => console.error(line) };

/**
 * A stage's stack outputs, read with the operator's own AWS credentials (profile or environment).
 * @throws OperatorError when the stack does not exist or has no outputs yet.
 */
export async function readStackOutputs(cloudFormation: CloudFormationClient, stage: string): Promise<Record<string, string>> {
  const stackName = stackNameOf(stage);
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: Error) => {
    throw new OperatorError(`Cannot read stack ${stackName} (stage "${stage}"): ${error.message}. Deploy it first: npm run deploy -- --stage ${stage}`, 1);
  });
  const outputs = Stacks?.[0]?.Outputs ?? [];
  if (outputs.length === 0) throw new OperatorError(`Stack ${stackName} has no outputs; is it still being created?`, 1);
  return Object.fromEntries(outputs.flatMap((output) => (output.OutputKey && output.OutputValue !== undefined ? [[output.OutputKey, output.OutputValue]] : [])));
}

/** An output that must exist, e.g. `UserPoolId`. */
export function requiredOutput(outputs: Record<string, string>, name: string): string {
  const value = outputs[name];
  if (value === undefined) throw new OperatorError(`The stack has no "${name}" output; redeploy it with this version (npm run deploy).`, 1);
  return value;
}

/** `--help` or `-h` was given: the usage is the answer. */
class HelpRequested extends Error {}

/**
 * Runs a command's main, printing an OperatorError's message (and usage for exit 2) instead of a stack trace.
 * Any other error (a stage without a configuration, an AWS refusal) is one line on stderr and exit 1: an
 * operator needs what went wrong, not where in the code.
 */
export async function runCommand(main: () => Promise<number>, usage: string, terminal: Terminal = processTerminal): Promise<number> {
  // Lambda runs Node 22; on a Node 20 workstation the SDK's upgrade notice is only noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    return await main();
  } catch (error) {
    if (error instanceof HelpRequested) {
      terminal.print(usage);
      return 0;
    }
    if (!(error instanceof OperatorError)) {
      terminal.warn(error instanceof Error ? error.message : String(error));
      return 1;
    }
    terminal.warn(error.message);
    if (error.exitCode === 2) terminal.warn(usage);
    return error.exitCode;
  }
}

/** `node:util` parseArgs, with unknown options and missing values reported as usage mistakes; `--help` (`-h`) asks `runCommand` for the usage. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested();
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new OperatorError((error as Error).message);
  }
}
