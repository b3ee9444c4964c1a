import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { runDlq } from '../../../scripts/operations/dlq';
import { OperatorError, parseOptions, runCommand } from '../../../scripts/operations/operator-kit';
import { StageError } from '../../../infra/stage';
import { recordingTerminal } from './operator-fakes';

const usage = 'Usage: npm run example -- list';

describe('runCommand: what an operator sees when a command fails', () => {
  it('prints any error as its message alone, exit 1, rather than a stack trace (a stage without a configuration)', async () => {
    const terminal = recordingTerminal();
    const exit = await runCommand(() => Promise.reject(new StageError('Stage "nosuch" has no configuration file: create config/stages/nosuch.json')), usage, terminal);
    expect(exit).toBe(1);
    expect(terminal.warned).toEqual(['Stage "nosuch" has no configuration file: create config/stages/nosuch.json']);
    expect(terminal.printed).toEqual([]);
  });

  it('keeps usage mistakes at exit 2 with the usage, and problems with what the command needs at exit 1 without it', async () => {
    const mistaken = recordingTerminal();
    expect(await runCommand(() => Promise.reject(new OperatorError('unknown command "lsit"')), usage, mistaken)).toBe(2);
    expect(mistaken.warned).toEqual(['unknown command "lsit"', usage]);
    const unusable = recordingTerminal();
    expect(await runCommand(() => Promise.reject(new OperatorError('Cannot reach the local runtime', 1)), usage, unusable)).toBe(1);
    expect(unusable.warned).toEqual(['Cannot reach the local runtime']);
  });

  it.each([['--help'], ['-h']])('answers %s with the usage on stdout and exit 0, not "Unknown option"', async (flag) => {
    const terminal = recordingTerminal();
    const exit = await runCommand(() => Promise.resolve(parseOptions(['list', flag], { stage: { type: 'string' } })).then(() => 0), usage, terminal);
    expect(exit).toBe(0);
    expect(terminal.printed).toEqual([usage]);
    expect(terminal.warned).toEqual([]);
  });
});

describe('npm run dlq against a local runtime (--url)', () => {
  const deadLetters = [{ id: 'dl-1', target: 'assign-lead', origin: 'event', at: '2026-03-02T10:00:00.000Z', error: 'Lead ghost is not in the table', payload: { id: 'e-1' } }];

  function run(argv: string[], answer: () => Response) {
    const terminal = recordingTerminal();
    const fetch = (() => Promise.resolve(answer())) as typeof globalThis.fetch;
    const exit = runCommand(
      () =>
        runDlq(argv, {
          sqs: new SQSClient({}),
          lambda: new LambdaClient({}),
          cloudFormation: new CloudFormationClient({}),
          fetch,
          terminal,
          localFunctionNames: () => ['assign-lead', 'notify-rep'],
        }),
      usage,
      terminal,
    );
    return { exit, terminal };
  }

  it.each([['show'], ['redrive']])('%s of a misspelt function names the problem and exits 1, not "no dead letters" with exit 0', async (action) => {
    const { exit, terminal } = run([action, 'asign-lead', '--url', 'http://127.0.0.1:3977'], () => Response.json(deadLetters));
    expect(await exit).toBe(1);
    expect(terminal.warned).toEqual(['"asign-lead" is not a function of the local runtime (functions: assign-lead, notify-rep)']);
    expect(terminal.printed).toEqual([]);
  });

  it('shows the dead letters of a function the runtime has', async () => {
    const { exit, terminal } = run(['show', 'assign-lead', '--url', 'http://127.0.0.1:3977'], () => Response.json(deadLetters));
    expect(await exit).toBe(0);
    expect(terminal.printed).toEqual(['--- dl-1 (event, 2026-03-02T10:00:00.000Z) Lead ghost is not in the table\n{"id":"e-1"}']);
  });

  it.each([
    ['an HTTP error page', () => new Response('<html>Not Found</html>', { status: 404 }), 'HTTP 404'],
    ['JSON that is not a list', () => Response.json({ __type: 'MissingAuthenticationToken' }), 'HTTP 200'],
  ])('says the server at --url is not a local runtime when it answers %s (it threw "deadLetters is not iterable")', async (_, answer, status) => {
    const { exit, terminal } = run(['list', '--url', 'http://127.0.0.1:36789'], answer);
    expect(await exit).toBe(1);
    expect(terminal.warned).toEqual([`http://127.0.0.1:36789 did not answer as a Leadflow local runtime (GET /_local/dead-letters: ${status}); give the URL npm start printed, or --stage for AWS`]);
  });
});
