import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { EventBridgePublisher, SesMailer, type OutboxEvent } from '@leadflow/platform';

const eventBridge = mockClient(EventBridgeClient);
const ses = mockClient(SESv2Client);

afterEach(() => {
  eventBridge.reset();
  ses.reset();
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

  it('rejects when EventBridge refuses an entry, naming the event, so the outbox keeps it', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'leadflow').publish(events.slice(0, 2))).rejects.toThrow(
      /PutEvents rejected 1 of 2 events: event-1: InternalFailure try again/,
    );
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
});
