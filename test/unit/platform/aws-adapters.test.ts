import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { MessageRejected, SESv2Client, SendEmailCommand, SESv2ServiceException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { createSesClient, EventBridgePublisher, MessageRefusedError, SesMailer, type OutboxEvent } from '@leadflow/platform';

const eventBridge = mockClient(EventBridgeClient);
const ses = mockClient(SESv2Client);

afterEach(() => {
  eventBridge.reset();
  ses.reset();
});
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => {
  eventBridge.restore();
  ses.restore();
});

const events: OutboxEvent[] = Array.from({ length: 12 }, (_, index) => ({
  eventId: `event-${index}`,
  source: 'leadflow.leads',
  detailType: 'lead.captured',
  detail: { eventId: `event-${index}`, leadId: `lead-${index}` },
  time: '2026-03-02T10:15:00.000Z',
}));

describe('EventBridgePublisher', () => {
  it('puts events on the named bus in calls of at most ten entries', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    await new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'leadflow').publish(events);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(calls[0].args[0].input.Entries?.[0]).toEqual({
      EventBusName: 'leadflow',
      Source: 'leadflow.leads',
      DetailType: 'lead.captured',
      Detail: JSON.stringify(events[0].detail),
      Time: new Date('2026-03-02T10:15:00.000Z'),
      Resources: [],
    });
  });

  it('reports entry by entry which events EventBridge accepted and which it refused', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    expect(await new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'leadflow').publish(events.slice(0, 2))).toEqual({
      published: ['event-0'],
      failed: [{ eventId: 'event-1', error: 'InternalFailure try again' }],
    });
  });

  it("counts every event of a call that failed as a whole as refused, and keeps the other calls' results", async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(new Error('socket hang up'))
      .callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const outcome = await new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'leadflow').publish(events);
    expect(outcome.published).toEqual(['event-10', 'event-11']);
    expect(outcome.failed).toEqual(events.slice(0, 10).map(({ eventId }) => ({ eventId, error: 'socket hang up' })));
  });
});

describe('SesMailer', () => {
  it('sends a plain-text email tagged with its lead', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await new SesMailer(new SESv2Client({ region: 'us-east-1' })).send({ from: 'leads@x.example', to: 'rep@x.example', subject: 'New lead', text: 'Hello', tags: { leadId: 'lead-1' } });
    expect(ses.commandCalls(SendEmailCommand)[0].args[0].input).toEqual({
      FromEmailAddress: 'leads@x.example',
      Destination: { ToAddresses: ['rep@x.example'] },
      EmailTags: [{ Name: 'leadId', Value: 'lead-1' }],
      Content: { Simple: { Subject: { Data: 'New lead', Charset: 'UTF-8' }, Body: { Text: { Data: 'Hello', Charset: 'UTF-8' } } } },
    });
  });

  it('tells a send SES may take later (throttled, failing, no answer) from one it refuses for good', async () => {
    const refusal = (error: Error) => {
      ses.reset();
      ses.on(SendEmailCommand).rejects(error);
      return new SesMailer(new SESv2Client({ region: 'us-east-1' })).send({ from: 'leads@x.example', to: 'ada@x.example', subject: 'Hi', text: 'Hello', tags: {} }).then(
        () => undefined,
        (thrown: unknown) => thrown as MessageRefusedError,
      );
    };
    const throttled = await refusal(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } }));
    expect(throttled).toBeInstanceOf(MessageRefusedError);
    expect(throttled).toMatchObject({ outcome: 'not_sent', message: 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded.' });
    expect(await refusal(new SESv2ServiceException({ name: 'InternalFailure', $fault: 'server', message: 'internal', $metadata: { httpStatusCode: 500 } }))).toMatchObject({ outcome: 'not_sent' });
    expect(await refusal(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } }))).toMatchObject({ outcome: 'not_sendable' });
    expect(await refusal(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} }))).toMatchObject({ outcome: 'unknown' });
  });

  it('on a client of one attempt per call, sends again only while SES answers "not now", never after a call it did not answer', async () => {
    const onceMailer = () =>
      new SesMailer(createSesClient({ region: 'us-east-1', endpoints: {}, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }, { singleAttempt: true }), { attemptsWhileAnswered: 3, backoffMs: 1 });
    const email = { from: 'leads@x.example', to: 'ada@x.example', subject: 'Hi', text: 'Hello', tags: {} };
    const settings = { region: 'us-east-1', endpoints: {}, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
    expect(await createSesClient(settings, { singleAttempt: true }).config.maxAttempts()).toBe(1);
    expect(await createSesClient(settings).config.maxAttempts()).toBe(3);
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } }))
      .resolves({ MessageId: 'm-2' });
    await expect(onceMailer().send(email)).resolves.toEqual({ messageId: 'm-2' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);

    // No answer: SES may have taken it, so it is not sent again, and the caller hears "unknown", not the answer of a retry.
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} }))
      .rejects(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }));
    await expect(onceMailer().send(email)).rejects.toMatchObject({ outcome: 'unknown' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});
