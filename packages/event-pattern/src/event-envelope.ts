import type { PutEventsEntryInput } from './put-events-validation';

/** Values EventBridge fills in when it turns a PutEvents entry into an event. */
export interface EventEnvelopeContext {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** Already normalised, see {@link normalizeEventTime}. */
  readonly time: string;
}

/**
 * Builds the JSON text of the event EventBridge delivers for an accepted PutEvents entry, with AWS's member
 * order: `version`, `id`, `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`.
 *
 * `Detail` is inserted as the text it was sent as, so its numbers keep their exact form for matching; it must
 * already have passed {@link validatePutEventsEntries}.
 */
export function buildEventEnvelopeJson(entry: PutEventsEntryInput, context: EventEnvelopeContext): string {
  const members = [
    `"version":"0"`,
    `"id":${JSON.stringify(context.id)}`,
    `"detail-type":${JSON.stringify(entry.DetailType ?? '')}`,
    `"source":${JSON.stringify(entry.Source ?? '')}`,
    `"account":${JSON.stringify(context.account)}`,
    `"time":${JSON.stringify(context.time)}`,
    `"region":${JSON.stringify(context.region)}`,
    `"resources":${JSON.stringify(entry.Resources ?? [])}`,
    `"detail":${(entry.Detail ?? '{}').trim()}`,
  ];
  return `{${members.join(',')}}`;
}
