import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../../scripts/operations/replay';
import { recordingTerminal, stackOutputs } from './operator-fakes';

const outputs = (JSON.parse(readFileSync(new URL('../../fixtures/stack-outputs/leadflow-dev.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>)['Leadflow-dev'];
const eventBridge = mockClient(EventBridgeClient);
const cloudFormation = mockClient(CloudFormationClient);
afterEach(() => {
  eventBridge.reset();
  cloudFormation.reset();
});
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => {
  eventBridge.restore();
  cloudFormation.restore();
});

function run(argv: string[]) {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Leadflow-dev' }).resolves(stackOutputs(outputs));
  eventBridge.on(StartReplayCommand).resolves({ State: 'STARTING' });
  const terminal = recordingTerminal();
  const exit = runReplay(argv, { eventBridge: new EventBridgeClient({}), cloudFormation: new CloudFormationClient({}), terminal, now: () => new Date('2026-03-02T12:00:00.000Z') });
  return { exit, terminal };
}

describe('npm run replay', () => {
  it("replays the archive window onto the stage's bus, to the named rules only", async () => {
    const { exit, terminal } = run(['--stage', 'dev', '--from', '2026-03-02T09:00:00Z', '--to', '2026-03-02T10:00:00Z', '--rule', 'lead-assigned-to-notification']);
    expect(await exit).toBe(0);
    expect(eventBridge.commandCalls(StartReplayCommand)[0].args[0].input).toMatchObject({
      ReplayName: 'leadflow-dev-20260302120000',
      EventSourceArn: outputs.EventArchiveArn,
      EventStartTime: new Date('2026-03-02T09:00:00Z'),
      EventEndTime: new Date('2026-03-02T10:00:00Z'),
      Destination: { Arn: outputs.EventBusArn, FilterArns: ['arn:aws:events:eu-west-1:111122223333:rule/leadflow-dev/lead-assigned-to-notification'] },
    });
    expect(terminal.printed[0]).toContain('STARTING');
  });

  it('replays to every rule when none is named', async () => {
    expect(await run(['--stage', 'dev', '--from', '2026-03-02T09:00:00Z', '--to', '2026-03-02T10:00:00Z']).exit).toBe(0);
    expect(eventBridge.commandCalls(StartReplayCommand)[0].args[0].input.Destination).toEqual({ Arn: outputs.EventBusArn });
  });

  it.each([
    [['--stage', 'dev', '--from', 'yesterday', '--to', '2026-03-02T10:00:00Z'], '--from must be an ISO 8601 time'],
    [['--stage', 'dev', '--from', '2026-03-02T10:00:00Z', '--to', '2026-03-02T09:00:00Z'], '--from must be before --to'],
    [['--stage', 'dev', '--from', '2026-03-02T10:00:00Z', '--to', '2026-03-03T09:00:00Z'], '--to must not be in the future'],
    [['--stage', 'dev', '--from', '2026-03-02T09:00:00Z', '--to', '2026-03-02T10:00:00Z', '--rule', 'nope'], 'unknown rule "nope" (rules: '],
    // The demo's crm destination posts to the local stand-in: the dev stage deploys no rule for it.
    [['--stage', 'dev', '--from', '2026-03-02T09:00:00Z', '--to', '2026-03-02T10:00:00Z', '--rule', 'webhook-crm'], 'unknown rule "webhook-crm" (rules: '],
    [['--from', '2026-03-02T09:00:00Z', '--to', '2026-03-02T10:00:00Z'], 'missing --stage'],
  ])('refuses %j before calling EventBridge', async (argv, message) => {
    await expect(run(argv).exit).rejects.toMatchObject({ message: expect.stringContaining(message), exitCode: 2 });
    expect(eventBridge.calls()).toHaveLength(0);
  });
});
