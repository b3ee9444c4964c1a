import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AccessDeniedException, ConflictException, PinpointSMSVoiceV2Client, SendTextMessageCommand, ServiceQuotaExceededException, ThrottlingException, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { createSmsClient, EndUserMessagingSmsSender, MessageRefusedError } from '@leadflow/platform';
import { scriptedHttpServer } from '../../support/scripted-http-server';

const sender = () => new EndUserMessagingSmsSender(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }), 1);
const message = { to: '+14155550101', body: 'New hot lead: Ada Accept: https://leads.example/a/x', context: { leadId: 'l1', reason: 'assigned' }, originationIdentity: 'pool-123', timeToLiveSeconds: 86_400 };
const refusal = () =>
  sender()
    .send(message)
    .then(
      () => undefined,
      (thrown: unknown) => thrown as MessageRefusedError,
    );

describe('EndUserMessagingSmsSender', () => {
  // Only these tests stub the client: the ones on the wire, and the next file in this worker, use the real one.
  let sms: AwsClientStub<PinpointSMSVoiceV2Client>;
  beforeAll(() => void (sms = mockClient(PinpointSMSVoiceV2Client)));
  afterEach(() => sms.reset());
  afterAll(() => sms.restore());

  it('sends a transactional SendTextMessage with the lead in its context, its time to live, and returns the message id', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-1' });
    await expect(sender().send(message)).resolves.toEqual({ messageId: 'm-1' });
    expect(sms.commandCalls(SendTextMessageCommand)[0].args[0].input).toEqual({
      DestinationPhoneNumber: '+14155550101',
      MessageBody: message.body,
      MessageType: 'TRANSACTIONAL',
      OriginationIdentity: 'pool-123',
      TimeToLive: 86_400,
      Context: { leadId: 'l1', reason: 'assigned' },
    });
  });

  it('passes the configuration set (for delivery events carrying the context) and the price cap when given', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-2' });
    await sender().send({ ...message, configurationSetName: 'lead-alerts', maxPrice: '0.05000' });
    expect(sms.commandCalls(SendTextMessageCommand)[0].args[0].input).toMatchObject({ ConfigurationSetName: 'lead-alerts', MaxPrice: '0.05000', TimeToLive: 86_400 });
  });

  it('tells "not sent" (the service answered), "bad number" and "unknown" (no answer) apart', async () => {
    sms.on(SendTextMessageCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: { httpStatusCode: 400 } }));
    expect(await refusal()).toMatchObject({ outcome: 'not_sent', onlyThisMessage: false });

    sms
      .on(SendTextMessageCommand)
      .rejects(new ConflictException({ message: 'opted out', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opt-out-list', ResourceId: 'x', $metadata: { httpStatusCode: 400 } }));
    expect(await refusal()).toMatchObject({ outcome: 'bad_number', onlyThisMessage: true, message: expect.stringContaining('DESTINATION_PHONE_NUMBER_OPTED_OUT') });

    sms.on(SendTextMessageCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    expect(await refusal()).toMatchObject({ outcome: 'unknown' });
  });

  it('tells a refusal no retry gets past (spend limit reached, account disabled, price over the maximum) "not sendable", and asks once', async () => {
    const refusals = [
      new ServiceQuotaExceededException({ message: 'monthly spend limit reached', Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT', $metadata: { httpStatusCode: 402 } }),
      new AccessDeniedException({ message: 'account disabled', Reason: 'ACCOUNT_DISABLED', $metadata: { httpStatusCode: 403 } }),
      new ValidationException({ message: 'price over threshold', Reason: 'PRICE_OVER_THRESHOLD', $metadata: { httpStatusCode: 400 } }),
    ];
    for (const refused of refusals) {
      sms.reset();
      sms.on(SendTextMessageCommand).rejects(refused);
      expect(await refusal()).toMatchObject({ outcome: 'not_sendable', onlyThisMessage: false, message: expect.stringContaining(refused.Reason!) });
      expect(sms.commandCalls(SendTextMessageCommand)).toHaveLength(1);
    }
  });
});

describe('EndUserMessagingSmsSender on the wire, with the client createSmsClient makes', () => {
  // The SDK itself this time: its retries are what is under test.

  /** A stand-in of the SMS API, and the sender createSmsClient's client makes against it. */
  async function smsApi(answer: Parameters<typeof scriptedHttpServer>[0]) {
    const api = await scriptedHttpServer(answer);
    const client = createSmsClient({
      region: 'us-east-1',
      endpoints: { sms: api.base },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestTimeouts: { connectionTimeout: 1_000, requestTimeout: 300 },
    });
    const sender = new EndUserMessagingSmsSender(client, 5);
    return {
      send: () => sender.send(message).catch((thrown: unknown) => thrown as MessageRefusedError),
      requests: api.requests,
      close: () => {
        client.destroy();
        return api.close();
      },
    };
  }
  const json = (response: ServerResponse, status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));

  it('sends once when no answer comes (it may have gone out): no retry by the SDK or the adapter', async () => {
    const api = await smsApi(() => undefined);
    try {
      expect(await api.send()).toMatchObject({ outcome: 'unknown' });
      expect(api.requests()).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('tries again while the service answers that it is throttled, and stops at the first answer that is final', async () => {
    const throttled = await smsApi((_, response, count) => (count < 3 ? json(response, 400, { __type: 'ThrottlingException', message: 'slow down' }) : json(response, 200, { MessageId: 'm-3' })));
    const invalid = await smsApi((_, response) => json(response, 400, { __type: 'ValidationException', message: 'bad body', Reason: 'INVALID_PARAMETER' }));
    try {
      expect(await throttled.send()).toEqual({ messageId: 'm-3' });
      expect(throttled.requests()).toBe(3);
      expect(await invalid.send()).toMatchObject({ outcome: 'not_sendable' });
      expect(invalid.requests()).toBe(1);
    } finally {
      await Promise.all([throttled.close(), invalid.close()]);
    }
  });
});
