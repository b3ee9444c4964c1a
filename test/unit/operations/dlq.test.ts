import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runDlq } from '../../../scripts/operations/dlq';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { localRoutes } from '../../../packages/local-runtime/src/local-routes';
import { recordingTerminal, stackOutputs } from './operator-fakes';

const outputs = (JSON.parse(readFileSync(new URL('../../fixtures/stack-outputs/leadflow-dev.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>)['Leadflow-dev'];
const assignQueue = 'https://sqs.eu-west-1.amazonaws.com/111122223333/Leadflow-dev-AssignLeadDeadLetters';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const cloudFormation = mockClient(CloudFormationClient);
afterEach(() => {
  sqs.reset();
  lambda.reset();
  cloudFormation.reset();
});
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => {
  sqs.restore();
  lambda.restore();
  cloudFormation.restore();
});

function run(argv: string[]) {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Leadflow-dev' }).resolves(stackOutputs(outputs));
  const terminal = recordingTerminal();
  const exit = runDlq(argv, { sqs: new SQSClient({}), lambda: new LambdaClient({}), cloudFormation: new CloudFormationClient({}), fetch, terminal });
  return { exit, terminal };
}

describe('npm run dlq -- --stage (SQS)', () => {
  it('lists every dead-letter queue of the stage with its depth', async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0' } })
      .on(GetQueueAttributesCommand, { QueueUrl: assignQueue })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    const { exit, terminal } = run(['list', '--stage', 'dev']);
    expect(await exit).toBe(0);
    expect(terminal.printed).toEqual([expect.stringMatching(/^assign-lead +3 waiting$/), expect.stringMatching(/^relay-outbox +0 waiting$/)]);
  });

  it('shows messages without taking them off the queue, asking every SQS server (a long poll)', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: 'm-1',
          Body: '{"detail-type":"lead.captured"}',
          Attributes: { SentTimestamp: '1772446500000' },
          MessageAttributes: { ErrorMessage: { DataType: 'String', StringValue: 'Lead ghost is not in the table' } },
        },
      ],
    });
    const { exit, terminal } = run(['show', 'assign-lead', '--stage', 'dev']);
    expect(await exit).toBe(0);
    const receive = sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input;
    expect(receive).toMatchObject({ QueueUrl: assignQueue, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    expect(receive.WaitTimeSeconds).toBeGreaterThan(0);
    expect(terminal.printed[0]).toContain('--- m-1 (dead-lettered 2026-03-02T10:15:00.000Z) ErrorMessage=Lead ghost is not in the table');
    expect(terminal.printed[0]).toContain('{"detail-type":"lead.captured"}');
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('redrives by invoking the function asynchronously with each message, then deleting it', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm-1', ReceiptHandle: 'r-1', Body: '{"id":"e-1"}' },
          { MessageId: 'm-2', ReceiptHandle: 'r-2', Body: '{"id":"e-2"}' },
        ],
      })
      .resolves({ Messages: [] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { exit, terminal } = run(['redrive', 'assign-lead', '--stage', 'dev']);
    expect(await exit).toBe(0);
    expect(lambda.commandCalls(InvokeCommand).map((call) => [call.args[0].input.FunctionName, call.args[0].input.InvocationType, new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)])).toEqual([
      ['Leadflow-dev-AssignLeadFunction', 'Event', '{"id":"e-1"}'],
      ['Leadflow-dev-AssignLeadFunction', 'Event', '{"id":"e-2"}'],
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: assignQueue, ReceiptHandle: 'r-1' },
      { QueueUrl: assignQueue, ReceiptHandle: 'r-2' },
    ]);
    expect(terminal.printed).toEqual(['assign-lead: 2 message(s) handed back to Leadflow-dev-AssignLeadFunction.']);
  });

  it('keeps a message whose invocation Lambda refused', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1', Body: '{}' }] });
    lambda.on(InvokeCommand).rejects(new Error('Rate exceeded'));
    await expect(run(['redrive', 'assign-lead', '--stage', 'dev']).exit).rejects.toThrow('Rate exceeded');
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('refuses to redrive stream failures and names unknown functions', async () => {
    await expect(run(['redrive', 'relay-outbox', '--stage', 'dev']).exit).rejects.toMatchObject({ message: expect.stringContaining('cannot be run again'), exitCode: 1 });
    await expect(run(['show', 'no-such', '--stage', 'dev']).exit).rejects.toMatchObject({
      message: expect.stringContaining('"no-such" has no dead-letter queue in stage dev (functions with one: assign-lead, relay-outbox)'),
    });
    expect(lambda.calls()).toHaveLength(0);
  });

  it.each([[['purge']], [['show']], [['list', '--stage', 'dev', '--url', 'http://x']], [['redrive', 'assign-lead', '--max', '0']]])('refuses %j as a usage mistake', async (argv) => {
    await expect(run(argv).exit).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('POST /_local/dead-letters/{id}/redrive', () => {
  function routes(invoke: (target: string, payload: unknown) => Promise<unknown>) {
    const activity = new ActivityLog();
    activity.deadLetter({ at: '2026-03-02T10:00:00.000Z', origin: 'rule lead-captured-to-assignment', target: 'assign-lead', error: 'boom', payload: { id: 'e-1' } });
    const handle = localRoutes({ activity, scheduler: {} as never, endpoints: () => ({}), standIns: async () => undefined, invoke });
    return { activity, redrive: (id: string) => handle({ method: 'POST', url: new URL(`http://local/_local/dead-letters/${id}/redrive`), body: Buffer.alloc(0) } as never) };
  }

  it('runs the target again with the payload and forgets the dead letter when it succeeds', async () => {
    const invoked: unknown[] = [];
    const { activity, redrive } = routes(async (target, payload) => invoked.push([target, payload]));
    expect(await redrive('1')).toMatchObject({ status: 200, body: { redriven: { id: '1', target: 'assign-lead' } } });
    expect(invoked).toEqual([['assign-lead', { id: 'e-1' }]]);
    expect(activity.deadLetters.list()).toEqual([]);
  });

  it('keeps it with the new error when the target fails again, and answers 404 for an unknown id', async () => {
    const { activity, redrive } = routes(async () => {
      throw new Error('still missing');
    });
    expect(await redrive('1')).toMatchObject({ status: 502, body: { error: 'assign-lead failed again: still missing' } });
    expect(activity.deadLetters.list()).toEqual([expect.objectContaining({ id: '1', error: 'still missing' })]);
    expect(await redrive('7')).toMatchObject({ status: 404 });
  });
});

/*
 * A rule target's queue holds two kinds of dead letter. Lambda's (the function failed every attempt) carry
 * the function's input, which is what the rule handed it. EventBridge's own (it could not invoke the
 * function at all: throttled past the retry window, permission or function missing) carry the event as it
 * was on the bus, with the rule in the `RULE_ARN` attribute, before the rule's input transformer: for
 * `assign-lead` the `lead.scored` event rather than `{routeId, detail}`.
 */

const scoredDetail = { eventId: 'e-1', leadId: 'lead-1', status: 'new', isTest: false, owned: false, poolId: 'general', points: 72, grade: 'B' };
const scoredEvent = {
  version: '0',
  id: 'bus-1',
  'detail-type': 'lead.scored',
  source: 'leadflow.leads',
  account: '111122223333',
  time: '2026-03-02T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: scoredDetail,
};

/** A dead letter EventBridge wrote: the bus event, and the rule that could not deliver it. */
function eventBridgeDeadLetter(id: string, ruleName: string): Message {
  return {
    MessageId: id,
    ReceiptHandle: `r-${id}`,
    Body: JSON.stringify(scoredEvent),
    MessageAttributes: {
      RULE_ARN: { DataType: 'String', StringValue: `arn:aws:events:eu-west-1:111122223333:rule/leadflow-dev/${ruleName}` },
      TARGET_ARN: { DataType: 'String', StringValue: 'arn:aws:lambda:eu-west-1:111122223333:function:Leadflow-dev-AssignLeadFunction' },
      ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
    },
  };
}

function redriveMessages(messages: Message[]) {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Leadflow-dev' }).resolves(stackOutputs(outputs));
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  const terminal = recordingTerminal();
  const exit = runDlq(['redrive', 'assign-lead', '--stage', 'dev'], { sqs: new SQSClient({}), lambda: new LambdaClient({}), cloudFormation: new CloudFormationClient({}), fetch, terminal });
  return { exit, terminal };
}

const invokedPayloads = () => lambda.commandCalls(InvokeCommand).map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as unknown);

describe('npm run dlq -- redrive --stage, for what EventBridge itself dead-lettered', () => {
  it("asks SQS for the messages' attributes, where EventBridge names the rule", async () => {
    const { exit } = redriveMessages([]);
    expect(await exit).toBe(0);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input.MessageAttributeNames).toEqual(expect.arrayContaining([expect.stringMatching(/^(All|RULE_ARN)$/)]));
  });

  it("hands the function the rule's input, {routeId, detail}, not the bus event, and then deletes the message", async () => {
    const { exit } = redriveMessages([eventBridgeDeadLetter('m-1', 'lead-route-default'), eventBridgeDeadLetter('m-2', 'lead-route-hot-by-territory')]);
    expect(await exit).toBe(0);
    expect(invokedPayloads()).toEqual([
      { routeId: 'default', detail: scoredDetail },
      { routeId: 'hot-by-territory', detail: scoredDetail },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: assignQueue, ReceiptHandle: 'r-m-1' },
      { QueueUrl: assignQueue, ReceiptHandle: 'r-m-2' },
    ]);
  });

  it("hands Lambda's own dead letters back as they are: they already hold the rule's input", async () => {
    const input = { routeId: 'default', detail: scoredDetail };
    const { exit } = redriveMessages([{ MessageId: 'm-1', ReceiptHandle: 'r-m-1', Body: JSON.stringify(input), MessageAttributes: { ErrorCode: { DataType: 'String', StringValue: '200' } } }]);
    expect(await exit).toBe(0);
    expect(invokedPayloads()).toEqual([input]);
  });

  it('stops once a message it left in the queue comes back, rather than counting it again for as long as the queue is walked', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Leadflow-dev' }).resolves(stackOutputs(outputs));
    // Its 60 s of invisibility run out while the queue is still walked: SQS hands the same message back.
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [eventBridgeDeadLetter('m-1', 'lead-route-retired')] });
    const terminal = recordingTerminal();
    const exit = await runDlq(['redrive', 'assign-lead', '--stage', 'dev'], { sqs: new SQSClient({}), lambda: new LambdaClient({}), cloudFormation: new CloudFormationClient({}), fetch, terminal });
    expect(exit).toBe(1);
    expect(terminal.warned).toHaveLength(1);
    expect(terminal.printed.join('\n')).toContain('0 message(s) handed back to Leadflow-dev-AssignLeadFunction, 1 left in the queue');
  });

  it("leaves a message of a rule the stage's configuration no longer has in the queue, says so, and exits 1", async () => {
    const { exit, terminal } = redriveMessages([eventBridgeDeadLetter('m-1', 'lead-route-retired'), eventBridgeDeadLetter('m-2', 'lead-route-default')]);
    expect(await exit).toBe(1);
    expect(invokedPayloads()).toEqual([{ routeId: 'default', detail: scoredDetail }]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual(['r-m-2']);
    expect(terminal.warned.join('\n')).toContain('lead-route-retired');
  });
});
