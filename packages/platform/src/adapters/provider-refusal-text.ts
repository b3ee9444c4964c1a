/** An email address as a provider echoes one (`Value 'ada@example.com'`, `…failed the check: ada@example.com`). */
const emailAddress = /[^\s@<>"'`(),;:[\]{}]+@[^\s@<>"'`(),;:[\]{}]+\.[^\s@<>"'`(),;:[\]{}]+/g;
/** A number in E.164 form, possibly with separators, as an SMS provider echoes its destination. */
const phoneNumber = /\+\d[\d\s().-]{5,20}\d/g;
/** A link: in a message to a rep or a lead it is a signed one-tap or unsubscribe link, a credential. */
const link = /\bhttps?:\/\/[^\s'"<>]+/g;

/**
 * A provider's error text without the person a message was for: every `known` value the message carried (its
 * recipient, subject, body) and anything shaped like an email address, a phone number or a link is replaced.
 * What such text is written to (logs, send records, an alarm's email) is not reached by erasure; the
 * provider's error name and reason stay, which is what an operator acts on.
 *
 * @example withoutPersonalData("Value '+14155550101' at 'destinationPhoneNumber' failed", ['+14155550101']) // "Value '[redacted]' at 'destinationPhoneNumber' failed"
 */
export function withoutPersonalData(text: string, known: ReadonlyArray<string | undefined> = []): string {
  let redacted = text;
  for (const value of [...known].filter((candidate): candidate is string => typeof candidate === 'string' && candidate.trim().length >= 3).sort((a, b) => b.length - a.length)) {
    redacted = redacted.split(value).join('[redacted]');
  }
  return redacted.replace(link, '[link]').replace(emailAddress, '[email]').replace(phoneNumber, '[phone]');
}

/**
 * The provider's error as the `cause` of a refusal: its name and the fields that classify it (`$fault`,
 * `$metadata`, `$retryable`, `code`, `Reason`, which `isBackendUnavailable` and the adapters read), with its
 * message redacted. The SDK's own error would carry the echo in `message` and `$response`, and a logged
 * error's `cause` is logged whole (Powertools Logger).
 */
export function redactedProviderError(error: unknown, known: ReadonlyArray<string | undefined> = []): Error {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown> & { name?: unknown; message?: unknown };
  const redacted = new Error(withoutPersonalData(typeof failure.message === 'string' ? failure.message : String(error), known));
  redacted.name = typeof failure.name === 'string' ? failure.name : 'Error';
  for (const key of ['$fault', '$metadata', '$retryable', 'code', 'Reason'] as const) if (failure[key] !== undefined) Object.assign(redacted, { [key]: failure[key] });
  return redacted;
}
