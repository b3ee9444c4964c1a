import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { MessageRejected, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { EndUserMessagingSmsSender, MessageRefusedError, SesMailer } from '@leadflow/platform';

/**
 * What a provider answers is logged (rep notifier, nurture sender, digests), kept in send records and, on an
 * HTTP request's 500, logged whole with its `cause`: none of it may hold the person the message was for,
 * which erasure cannot reach there. SES and End User Messaging echo the address, number or text they refuse.
 */
const everythingLoggedOf = (refusal: MessageRefusedError) => JSON.stringify({ message: refusal.message, stack: refusal.stack, cause: refusal.cause, causeMessage: (refusal.cause as Error | undefined)?.message });

/** A send that went through fails the test: each provider below refuses. */
const refusedNot = (): MessageRefusedError => {
  throw new Error('expected the provider to refuse');
};

describe('provider refusals name no recipient, no message text and no signed link', () => {
  let ses: AwsClientStub<SESv2Client>;
  let sms: AwsClientStub<PinpointSMSVoiceV2Client>;
  beforeAll(() => {
    ses = mockClient(SESv2Client);
    sms = mockClient(PinpointSMSVoiceV2Client);
  });
  afterEach(() => {
    ses.reset();
    sms.reset();
  });
  afterAll(() => {
    ses.restore();
    sms.restore();
  });

  it("an SES refusal that echoes the lead's address keeps its name and reason, not the address", async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: Ada.Lovelace+promo@example.co.uk', $metadata: { httpStatusCode: 400 } }));
    const refusal = await new SesMailer(new SESv2Client({ region: 'eu-west-1' }))
      .send({ to: 'Ada.Lovelace+promo@example.co.uk', from: 'leads@company.example', subject: 'Welcome, Ada', text: 'Hello', tags: {} })
      .then(refusedNot, (thrown: unknown) => thrown as MessageRefusedError);
    expect(refusal).toBeInstanceOf(MessageRefusedError);
    expect(refusal).toMatchObject({ outcome: 'not_sendable', onlyThisMessage: true, message: expect.stringContaining('MessageRejected') });
    expect(refusal.message).toContain('Email address is not verified');
    expect(everythingLoggedOf(refusal)).not.toMatch(/lovelace/i);
  });

  it('an SMS refusal that echoes the number and the text (the lead, the accept link) keeps its reason, none of them', async () => {
    const message = {
      to: '+14155550101',
      body: 'New hot lead: Ada Lovelace Accept: https://leads.example/a/tok3n-s1gned',
      context: { leadId: 'l1', reason: 'assigned' },
      originationIdentity: 'pool-123',
      timeToLiveSeconds: 86_400,
    };
    sms.on(SendTextMessageCommand).rejects(
      new ValidationException({
        message: `2 validation errors detected: Value '${message.to}' at 'destinationPhoneNumber' failed to satisfy constraint; Value '${message.body}' at 'messageBody' failed to satisfy constraint`,
        Reason: 'INVALID_PARAMETER',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const refusal = await new EndUserMessagingSmsSender(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }), 1).send(message).then(refusedNot, (thrown: unknown) => thrown as MessageRefusedError);
    expect(refusal).toMatchObject({ outcome: 'not_sendable', message: expect.stringContaining('INVALID_PARAMETER') });
    expect(refusal.message).toContain('failed to satisfy constraint');
    const logged = everythingLoggedOf(refusal);
    for (const secret of ['4155550101', 'Lovelace', 'tok3n-s1gned']) expect(logged).not.toContain(secret);
  });
});
