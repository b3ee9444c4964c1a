import { normalizeEventTime } from './event-time';
import { JsonSyntaxError, parseJson } from './parse-json';

/** A PutEvents request entry as it arrives on the wire (awsJson1.1 member names). */
export interface PutEventsEntryInput {
  readonly Source?: string | null;
  readonly DetailType?: string | null;
  readonly Detail?: string | null;
  /** Epoch seconds on the wire; a `Date` or ISO 8601 string is accepted too. */
  readonly Time?: Date | number | string | null;
  readonly Resources?: readonly string[] | null;
  readonly EventBusName?: string | null;
  readonly TraceHeader?: string | null;
}

/** Outcome for one entry: accepted (with its normalised `time`) or rejected like PutEvents rejects it. */
export type PutEventsEntryValidation = { readonly ok: true; readonly time: string } | { readonly ok: false; readonly errorCode: 'InvalidArgument' | 'MalformedDetail'; readonly errorMessage: string };

/** A failure of the whole request (HTTP 400), not of one entry. */
export interface PutEventsRequestError {
  readonly code: 'ValidationException';
  readonly message: string;
}

/** Result of {@link validatePutEventsEntries}. With a `requestError`, no entry was looked at and `entries` is empty. */
export interface PutEventsValidationResult {
  readonly requestError?: PutEventsRequestError;
  readonly entries: readonly PutEventsEntryValidation[];
}

/** Options of {@link validatePutEventsEntries}. */
export interface PutEventsValidationOptions {
  /** The time stamped on entries without `Time`. Defaults to the current time. */
  readonly now?: Date;
  /**
   * Limit on the summed entry sizes. AWS rejected 256 KiB + a few bytes when LocalStack recorded its tests;
   * newer SDK models mention 1 MB, so it is configurable.
   */
  readonly maxTotalSizeBytes?: number;
}

/** 256 KiB, the PutEvents limit on the total size of the entries of one request. */
export const PUT_EVENTS_MAX_TOTAL_SIZE_BYTES = 256 * 1024;
/** PutEvents accepts 1 to 10 entries per request. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/**
 * Validates a PutEvents request the way EventBridge does, in its order:
 * 1. 1 to 10 entries, else a request `ValidationException`;
 * 2. total entry size (see {@link putEventsEntrySize}) up to 256 KiB, else a request `ValidationException`;
 * 3. per entry, `Source`, `DetailType` and `Detail` must be non-empty (`InvalidArgument`, in that order), and
 *    `Detail` must be a JSON object (`MalformedDetail`). Accepted entries get their normalised `time`.
 */
export function validatePutEventsEntries(entries: readonly PutEventsEntryInput[], options: PutEventsValidationOptions = {}): PutEventsValidationResult {
  if (entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
    const constraint = entries.length < 1 ? 'Member must have length greater than or equal to 1' : `Member must have length less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`;
    return {
      requestError: {
        code: 'ValidationException',
        message: `1 validation error detected: Value '[${entries.map(describeEntry).join(', ')}]' at 'entries' failed to satisfy constraint: ${constraint}`,
      },
      entries: [],
    };
  }
  const totalSize = entries.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0);
  if (totalSize > (options.maxTotalSizeBytes ?? PUT_EVENTS_MAX_TOTAL_SIZE_BYTES)) {
    return {
      requestError: { code: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' },
      entries: [],
    };
  }
  const now = options.now ?? new Date();
  return { entries: entries.map((entry) => validateEntry(entry, now)) };
}

/**
 * The size EventBridge charges an entry against the request limit ("Calculating PutEvents event entry size"):
 * 14 bytes for `Time` if present, plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each resource.
 */
export function putEventsEntrySize(entry: PutEventsEntryInput): number {
  const bytes = (text: string | null | undefined): number => (text ? utf8.encode(text).length : 0);
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) size += bytes(resource);
  return size;
}

const utf8 = new TextEncoder();

function validateEntry(entry: PutEventsEntryInput, now: Date): PutEventsEntryValidation {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (!entry[field]) {
      return {
        ok: false,
        errorCode: 'InvalidArgument',
        errorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  if (!isJsonObject(entry.Detail ?? '')) return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  return { ok: true, time: normalizeEventTime(entry.Time, now) };
}

function isJsonObject(text: string): boolean {
  try {
    return parseJson(text).kind === 'object';
  } catch (error) {
    if (error instanceof JsonSyntaxError) return false;
    throw error;
  }
}

/** Java `toString()` of a request entry, which is how AWS quotes the entries in its validation message. */
function describeEntry(entry: PutEventsEntryInput): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- String() is the point: it prints each field as Java's toString would
  const show = (value: unknown): string => (value === undefined || value === null ? 'null' : String(value));
  const resources = entry.Resources ? `[${entry.Resources.join(', ')}]` : 'null';
  return (
    `PutEventsRequestEntry(time=${show(entry.Time)}, source=${show(entry.Source)}, resources=${resources}, ` +
    `detailType=${show(entry.DetailType)}, detail=${show(entry.Detail)}, eventBusName=${show(entry.EventBusName)}, ` +
    `traceHeader=${show(entry.TraceHeader)})`
  );
}
