import { describe, expect, it } from 'vitest';
import { MessageRejected, SESv2ServiceException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { emailRefusal, MessageRefusedError, refusedForThisEmail } from '@leadflow/platform';

const answered = (name: string, httpStatusCode = 400) => new SESv2ServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode } });

describe('refusedForThisEmail', () => {
  it("is true only for SES's refusals of the email itself: its content or an address in it", () => {
    expect(refusedForThisEmail(emailRefusal(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } })))).toBe(true);
    expect(refusedForThisEmail(emailRefusal(answered('BadRequestException')))).toBe(true);
  });

  it('is false for refusals of the account or the sender, which every email meets until they are fixed', () => {
    for (const name of ['AccessDeniedException', 'ExpiredTokenException', 'SendingPausedException', 'AccountSuspendedException', 'MailFromDomainNotVerifiedException', 'NotFoundException']) {
      const refusal = emailRefusal(answered(name, name === 'AccessDeniedException' ? 403 : 400));
      expect([name, refusal.outcome, refusedForThisEmail(refusal)]).toEqual([name, 'not_sendable', false]);
    }
  });

  it('is false for what may pass by itself, an unanswered send, and a refusal that does not say what SES answered', () => {
    expect(refusedForThisEmail(emailRefusal(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } })))).toBe(false);
    expect(refusedForThisEmail(emailRefusal(new Error('socket hang up')))).toBe(false);
    expect(refusedForThisEmail(new MessageRefusedError('not_sendable', 'refused'))).toBe(false);
  });
});
