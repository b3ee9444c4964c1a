import { SendTextMessageCommand, type PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { MessageRefusedError, type OutgoingSms, type SentMessage, type SmsSender } from '../ports/notifications';
import { redactedProviderError, withoutPersonalData } from './provider-refusal-text';

/** Error reasons of SendTextMessage (`ConflictException`, `ValidationException`) that say the number itself cannot take messages. */
const badNumberReasons = new Set([
  'DESTINATION_PHONE_NUMBER_OPTED_OUT',
  'DESTINATION_PHONE_NUMBER_NOT_VERIFIED',
  'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
  'DESTINATION_COUNTRY_BLOCKED',
  'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
]);

/** Attempts of one send while the service answers that it is throttled or failed (nothing was sent). */
const attemptsWhileAnswered = 3;

/**
 * SMS through AWS End User Messaging SMS (`SendTextMessage`), transactional. The API has no
 * idempotency token, so the caller claims each send first, and the client makes one attempt per call
 * (`createSmsClient`); this adapter says whether a refusal means "not sent" (the service answered that
 * it is throttled or failed: a retry may send), "bad number", "not sendable" (any other answer: the same
 * message is refused again, e.g. `ServiceQuotaExceededException` `MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT`,
 * `AccessDeniedException` `ACCOUNT_DISABLED`, `ValidationException` `PRICE_OVER_THRESHOLD`) or "unknown"
 * (no answer: it may have gone out), and tries again, with a short backoff, only when it was "not sent".
 */
export class EndUserMessagingSmsSender implements SmsSender {
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly backoffMs = 100,
  ) {}

  async send(message: OutgoingSms): Promise<SentMessage> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.sendOnce(message);
      } catch (error) {
        if (!(error instanceof MessageRefusedError && error.outcome === 'not_sent') || attempt >= attemptsWhileAnswered) throw error;
        await new Promise((wait) => setTimeout(wait, this.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async sendOnce(message: OutgoingSms): Promise<SentMessage> {
    try {
      const output = await this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: message.to,
          MessageBody: message.body,
          MessageType: 'TRANSACTIONAL',
          OriginationIdentity: message.originationIdentity,
          ConfigurationSetName: message.configurationSetName,
          MaxPrice: message.maxPrice,
          TimeToLive: message.timeToLiveSeconds,
          Context: { leadId: message.context.leadId, reason: message.context.reason },
        }),
      );
      if (!output.MessageId) throw new MessageRefusedError('unknown', 'SendTextMessage answered without a MessageId');
      return { messageId: output.MessageId };
    } catch (error) {
      // The service echoes what it refuses (`Value '+1…' at 'destinationPhoneNumber'`): the number and the text (the lead, a signed link) stay out of the refusal.
      throw refusal(error, [message.to, message.to.replace(/\D/g, ''), message.body]);
    }
  }
}

/** Throttled, or a server error the service answered with: the same message may well go through a moment later. */
function isPassing(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = failure?.$metadata?.httpStatusCode ?? 0;
  return failure?.name === 'ThrottlingException' || failure?.name === 'InternalServerException' || status === 429 || status >= 500;
}

function refusal(error: unknown, sent: ReadonlyArray<string | undefined>): Error {
  if (error instanceof MessageRefusedError) return error;
  const failure = error as { name?: string; message?: string; Reason?: string; $metadata?: { httpStatusCode?: number } };
  const said = withoutPersonalData(failure.message ?? String(error), sent);
  const cause = redactedProviderError(error, sent);
  // An HTTP status means the service answered with an error: nothing was sent.
  if (!failure.$metadata?.httpStatusCode) return new MessageRefusedError('unknown', `SMS provider gave no answer: ${said}`, { cause });
  const reason = failure.Reason ?? '';
  const outcome = badNumberReasons.has(reason) ? 'bad_number' : isPassing(error) ? 'not_sent' : 'not_sendable';
  return new MessageRefusedError(outcome, `SMS provider refused (${failure.name ?? 'error'}${reason ? ` ${reason}` : ''}): ${failure.message === undefined ? '' : said}`, {
    cause,
    onlyThisMessage: outcome === 'bad_number',
  });
}
