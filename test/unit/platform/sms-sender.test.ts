import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConflictException, PinpointSMSVoiceV2Client, SendTextMessageCommand, ThrottlingException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { EndUserMessagingSmsSender, MessageRefusedError } from '@leadflow/platform';

const sms = mockClient(PinpointSMSVoiceV2Client);
afterEach(() => sms.reset());

const sender = () => new EndUserMessagingSmsSender(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }));
const message = { to: '+14155550101', body: 'New hot lead: Ada Accept: https://leads.example/a/x', context: { leadId: 'l1', reason: 'assigned' }, originationIdentity: 'pool-123' };
const refusal = () =>
  sender()
    .send(message)
    .then(
      () => undefined,
      (thrown: unknown) => thrown as MessageRefusedError,
    );

describe('EndUserMessagingSmsSender', () => {
  it('sends a transactional SendTextMessage with the lead in its context and returns the message id', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-1' });
    await expect(sender().send(message)).resolves.toEqual({ messageId: 'm-1' });
    expect(sms.commandCalls(SendTextMessageCommand)[0].args[0].input).toEqual({
      DestinationPhoneNumber: '+14155550101',
      MessageBody: message.body,
      MessageType: 'TRANSACTIONAL',
      OriginationIdentity: 'pool-123',
      Context: { leadId: 'l1', reason: 'assigned' },
    });
  });

  it('tells "not sent" (the service answered), "bad number" and "unknown" (no answer) apart', async () => {
    sms.on(SendTextMessageCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: { httpStatusCode: 400 } }));
    expect(await refusal()).toMatchObject({ outcome: 'not_sent' });

    sms
      .on(SendTextMessageCommand)
      .rejects(new ConflictException({ message: 'opted out', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opt-out-list', ResourceId: 'x', $metadata: { httpStatusCode: 400 } }));
    expect(await refusal()).toMatchObject({ outcome: 'bad_number', message: expect.stringContaining('DESTINATION_PHONE_NUMBER_OPTED_OUT') });

    sms.on(SendTextMessageCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    expect(await refusal()).toMatchObject({ outcome: 'unknown' });
  });
});
