import { personalFieldsOfEvent } from '@leadflow/domain';
import { withoutPersonalData } from './provider-refusal-text';

/** How much of a receiver's answer is read for redaction: the body quoted twice over fits, so no quoted answer is cut before it is recognised. */
const readableLength = (body: string) => 8_192 + 3 * body.length;

/**
 * A webhook receiver's error answer, as a delivery keeps it (`lastError`) and its log line shows it: at most
 * `maxLength` characters, without what the person answered. A CRM refusing an event may quote it back, so
 * every value of the fields an erasure takes out of the body (`personalFieldsOfEvent`: answers, region,
 * notes, reasons) is replaced — as written, and as JSON writes it once, twice (the body quoted as a
 * string) or with non-ASCII characters escaped — before the text is cut, and so is anything shaped like an
 * email address, a phone number or a link (`withoutPersonalData`). What the receiver says is wrong stays.
 *
 * @example receiverAnswerWithoutPerson('answers.budget "Ask my CFO" is not allowed', body) // 'answers.budget "[redacted]" is not allowed'
 */
export function receiverAnswerWithoutPerson(text: string, body: string, maxLength = 200): string {
  return withoutPersonalData(text.slice(0, readableLength(body)), personalValuesOf(body)).slice(0, maxLength);
}

/** The person's values in a webhook body (`{"id", "type", "occurredAt", "data"}`), in every form a receiver may quote them. */
function personalValuesOf(body: string): string[] {
  let event: { type?: unknown; data?: unknown };
  try {
    event = JSON.parse(body) as typeof event;
  } catch {
    return [];
  }
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string' || typeof event.data !== 'object' || event.data === null) return [];
  const data = event.data as Record<string, unknown>;
  const values = personalFieldsOfEvent(event.type).flatMap((field) => stringsIn(data[field]));
  return [...new Set(values.flatMap((value) => [value, jsonEscaped(value), jsonEscaped(jsonEscaped(value)), asciiEscaped(jsonEscaped(value))]))];
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The string as it stands inside a JSON string literal. */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Non-ASCII characters as `\uXXXX`, as serialisers that escape them write (Python's `json.dumps` by default). */
function asciiEscaped(value: string): string {
  return value.replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
