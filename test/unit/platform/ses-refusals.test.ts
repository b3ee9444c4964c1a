import { describe, expect, it } from 'vitest';
import { MessageRejected, SESv2ServiceException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { emailRefusal, MessageRefusedError } from '@leadflow/platform';

const answered = (name: string, httpStatusCode = 400) => new SESv2ServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode } });

describe('emailRefusal: onlyThisMessage', () => {
  it("is true only for SES's refusals of the email itself: its content or an address in it", () => {
    expect(emailRefusal(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } })).onlyThisMessage).toBe(true);
    expect(emailRefusal(answered('BadRequestException')).onlyThisMessage).toBe(true);
  });

  it('is false for refusals of the account or the sender, which every email meets until they are fixed', () => {
    for (const name of ['AccessDeniedException', 'ExpiredTokenException', 'SendingPausedException', 'AccountSuspendedException', 'MailFromDomainNotVerifiedException', 'NotFoundException']) {
      const refusal = emailRefusal(answered(name, name === 'AccessDeniedException' ? 403 : 400));
      expect([name, refusal.outcome, refusal.onlyThisMessage]).toEqual([name, 'not_sendable', false]);
    }
  });

  it('is false for what may pass by itself, an unanswered send, and a refusal that does not say what SES answered', () => {
    expect(emailRefusal(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } })).onlyThisMessage).toBe(false);
    expect(emailRefusal(new Error('socket hang up')).onlyThisMessage).toBe(false);
    expect(new MessageRefusedError('not_sendable', 'refused').onlyThisMessage).toBe(false);
  });
});
