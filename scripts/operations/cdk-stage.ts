/**
 * `npm run synth -- --stage <stage>` and `npm run deploy -- --stage <stage>`: the CDK CLI with the stage
 * as context (`-c stage=<stage>`); without `--stage` the stage is dev. After a deploy, prints what to
 * do with the stage from its outputs (API URL, embed snippet, webhook URLs). Other arguments go to cdk.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../infra/lead-app';
import { defaultStage, stackNameOf } from '../../infra/stage';
import { deploySummary, outputsOfStack } from './deploy-summary';
import { OperatorError, processTerminal, runCommand } from './operator-kit';

const usage = 'Usage: npm run synth -- [--stage <stage>] [cdk options]   |   npm run deploy -- [--stage <stage>] [cdk options]';

/** The cdk command line for a stage: `--stage x` becomes `-c stage=x`; a deploy also writes its outputs file. */
export function cdkArguments(command: 'synth' | 'deploy', argv: string[]): { stage: string; args: string[]; outputsFile?: string } {
  const rest = [...argv];
  const at = rest.findIndex((argument) => argument === '--stage' || argument.startsWith('--stage='));
  let stage = defaultStage;
  if (at >= 0) {
    const [flag] = rest.splice(at, 1);
    const value = flag.includes('=') ? flag.slice('--stage='.length) : rest.splice(at, 1)[0];
    if (!value || value.startsWith('-')) throw new OperatorError('--stage needs a stage name, e.g. --stage prod');
    stage = value;
  }
  if (command === 'synth') return { stage, args: ['synth', '--quiet', '-c', `stage=${stage}`, ...rest] };
  const outputsFile = join('cdk.out', `outputs-${stage}.json`);
  return { stage, args: ['deploy', '-c', `stage=${stage}`, '--outputs-file', outputsFile, ...rest], outputsFile };
}

async function main(): Promise<number> {
  const [command, ...argv] = process.argv.slice(2);
  if (command !== 'synth' && command !== 'deploy') throw new OperatorError(`unknown command "${command ?? ''}"`);
  const { stage, args, outputsFile } = cdkArguments(command, argv);
  const cdk = spawnSync('npx', ['cdk', ...args], { cwd: projectRoot, stdio: 'inherit' });
  if (cdk.status !== 0 || !outputsFile) return cdk.status ?? 1;
  const outputs = JSON.parse(readFileSync(join(projectRoot, outputsFile), 'utf8')) as Record<string, Record<string, string>>;
  processTerminal.print(deploySummary(outputsOfStack(outputs, stackNameOf(stage))));
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await runCommand(main, usage);
