import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MessageRefusedError, type Mailer, type OutgoingEmail, type SentMessage } from '../ports/notifications';
import { redactedProviderError, withoutPersonalData } from './provider-refusal-text';

/** SES answers that say "not now" rather than "not this email": the sending rate or daily quota, throttling, a failure on its side. */
const passingErrorNames = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException', 'LimitExceededException', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException']);

/**
 * SES `SendEmail` refusals about the email itself: its content or an address in it (`MessageRejected`, e.g. an
 * address not verified in the sandbox; `BadRequestException`, e.g. an invalid address). Every other refusal is
 * the account's or the sender's (`AccessDeniedException`, `ExpiredTokenException`, `SendingPausedException`,
 * `AccountSuspendedException`, `MailFromDomainNotVerifiedException`, `NotFoundException`…): every email meets it
 * until someone fixes the account or the deployment, after which the same email goes through.
 */
const emailOwnRefusalNames = new Set(['MessageRejected', 'BadRequestException']);

/**
 * Email through SES v2 (`SendEmail`); the SDK retries throttling, server errors and unanswered calls itself,
 * unless the client makes one attempt per call, when this adapter retries only what SES answered. What still fails
 * is thrown as a `MessageRefusedError` (`emailRefusal`): `not_sent` (SES answered that it is throttled or
 * failing: the same email may go through later), `not_sendable` (any other answer, e.g. `MessageRejected`,
 * `MailFromDomainNotVerifiedException`, `AccountSuspendedException`: it is refused again until something changes;
 * `onlyThisMessage` tells the email's own refusals from the account's) or `unknown` (no answer).
 */
export class SesMailer implements Mailer {
  /**
   * `attemptsWhileAnswered`: how often one send is made while SES answers "not now" (`not_sent`); more than
   * one only for a client making one attempt per call (`createSesClient(…, { singleAttempt: true })`), whose
   * unanswered call is never made again, as it may have been sent.
   */
  constructor(
    private readonly client: SESv2Client,
    private readonly options: { attemptsWhileAnswered?: number; backoffMs?: number } = {},
  ) {}

  async send(message: OutgoingEmail): Promise<SentMessage> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.sendOnce(message);
      } catch (error) {
        if (!(error instanceof MessageRefusedError && error.outcome === 'not_sent') || attempt >= (this.options.attemptsWhileAnswered ?? 1)) throw error;
        await new Promise((wait) => setTimeout(wait, (this.options.backoffMs ?? 100) * 2 ** (attempt - 1)));
      }
    }
  }

  private async sendOnce(message: OutgoingEmail): Promise<SentMessage> {
    let output;
    try {
      output = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: message.from,
          Destination: { ToAddresses: [message.to] },
          EmailTags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value })),
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' }, ...(message.html ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}) },
              ...(message.headers ? { Headers: Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
            },
          },
        }),
      );
    } catch (error) {
      throw emailRefusal(error, [message.to, message.subject, message.text, message.html]);
    }
    return { messageId: output.MessageId ?? '' };
  }
}

/**
 * The one place an email send's failure is classified: what SES (or the SDK on its way) threw, as a
 * `MessageRefusedError` whose `outcome` says whether the same email may go through later, and whose
 * `onlyThisMessage` whether SES refused this email itself rather than every email of the account or sender.
 * SES echoes what it refuses (`…failed the check in region EU-WEST-1: ada@example.com`): the refusal and its
 * `cause` carry SES's words without the `sent` values (recipient, subject, body) or any address, number or link.
 *
 * @example emailRefusal(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } })).outcome // 'not_sent'
 */
export function emailRefusal(error: unknown, sent: ReadonlyArray<string | undefined> = []): MessageRefusedError {
  if (error instanceof MessageRefusedError) return error;
  const failure = (error ?? {}) as { name?: string; message?: string; $fault?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  const status = failure.$metadata?.httpStatusCode;
  const said = withoutPersonalData(failure.message ?? String(error), sent);
  const cause = redactedProviderError(error, sent);
  // An HTTP status means SES answered; without one the request timed out or the connection failed, and it may have been sent.
  if (!status) return new MessageRefusedError('unknown', `Email provider gave no answer: ${said}`, { cause });
  const passing = passingErrorNames.has(failure.name ?? '') || failure.$retryable?.throttling === true || failure.$fault === 'server' || status === 429 || status >= 500;
  return new MessageRefusedError(passing ? 'not_sent' : 'not_sendable', `Email provider refused (${failure.name ?? 'error'}): ${failure.message === undefined ? '' : said}`, {
    cause,
    onlyThisMessage: !passing && emailOwnRefusalNames.has(failure.name ?? ''),
  });
}
