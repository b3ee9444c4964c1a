import './zod-locale';
import * as z from 'zod/mini';
import type { Rep } from './configuration';
import type { Lead } from './lead';
import { maskName } from './contact-masking';
import { gradeSchema, temperatureSchema } from './lead-scoring';
import { addDays } from './calendar-day';
import { oneLine } from './notification-text';
import { localDay } from './pool-claim';
import { countSmsSegments, fitSmsUnits, type SmsSegmentCount } from './sms-segments';
import { clockChange, instantOnWallClock, wallClockMinutes } from './wall-clock';

/** The ways a rep is told about a lead. */
export const notificationChannelSchema = z.enum(['sms', 'email']);
export type NotificationChannel = z.infer<typeof notificationChannelSchema>;

const clockTimeSchema = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as "21:00"'));

/** Hours on the rep's own clock when no SMS is sent; `end` before `start` spans midnight. */
export const quietHoursSchema = z
  .strictObject({
    start: clockTimeSchema,
    end: clockTimeSchema,
    /** What becomes of an SMS due in quiet hours: sent when they end, or sent as an email at once. */
    during: z._default(z.enum(['wait', 'email']), 'wait'),
  })
  .check(z.refine((hours) => hours.start !== hours.end, { message: 'start and end must differ', path: ['end'] }));
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** A rep's own choices: which channels they accept, and their quiet hours. */
export const repNotificationPreferencesSchema = z.strictObject({
  sms: z._default(z.boolean(), true),
  email: z._default(z.boolean(), true),
  quietHours: z.optional(quietHoursSchema),
});

/** A daily SMS budget: most messages and most money (in the organisation's currency) per day. */
const smsBudgetSchema = z.strictObject({ dailyCount: z.number().check(z.int(), z.positive()), dailySpend: z.number().check(z.positive()) });

const channelRuleSchema = z.strictObject({
  when: z.strictObject({ grades: z.optional(z.array(gradeSchema).check(z.minLength(1))), temperatures: z.optional(z.array(temperatureSchema).check(z.minLength(1))) }),
  channels: z.array(notificationChannelSchema).check(z.minLength(1)),
});

export const notificationsConfigurationSchema = z.strictObject({
  /** First rule whose grades and temperatures the lead's score matches picks the channels; else `defaultChannels`. */
  channelRules: z._default(z.array(channelRuleSchema), [{ when: { temperatures: ['hot'] }, channels: ['sms', 'email'] }]),
  defaultChannels: z._default(z.array(notificationChannelSchema).check(z.minLength(1)), ['email']),
  /** Per rep id: channels on or off, quiet hours. */
  repPreferences: z._default(z.record(z.string(), repNotificationPreferencesSchema), {}),
  sms: z._default(
    z.strictObject({
      /** What one SMS part costs, in the organisation's currency (End User Messaging bills per part). */
      pricePerSegment: z._default(z.number().check(z.positive()), 0.01),
      /** Longest SMS in parts; names are shortened to fit. */
      maxSegments: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(2)), 2),
      /** `OriginationIdentity` of SendTextMessage (a phone number, sender id or pool id/ARN); omitted, AWS picks one. */
      originationIdentity: z.optional(z.string().check(z.minLength(1))),
      /**
       * `ConfigurationSetName` of SendTextMessage (a name or ARN): its event destinations receive each SMS's delivery
       * events with our `Context` (`leadId`, `reason`). Omitted, the account's default configuration set, if any.
       */
      configurationSetName: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_:/-]{1,256}$/, 'must be a configuration set name or ARN: 1-256 letters, digits, _ : / -'))),
      /** `MaxPrice` of SendTextMessage: most one SMS (all its parts) may cost, in US dollars as End User Messaging bills; the provider refuses dearer ones. */
      maxPriceUsd: z.optional(
        z.number().check(
          z.positive(),
          z.lt(100, 'must be less than 100 (US dollars per SMS)'),
          z.refine((price) => Number(price.toFixed(5)) === price, 'must have at most 5 decimal places'),
        ),
      ),
      budget: z._default(
        z.strictObject({
          organisation: z._default(smsBudgetSchema, { dailyCount: 500, dailySpend: 10 }),
          perRep: z._default(smsBudgetSchema, { dailyCount: 50, dailySpend: 1 }),
        }),
        { organisation: { dailyCount: 500, dailySpend: 10 }, perRep: { dailyCount: 50, dailySpend: 1 } },
      ),
    }),
    { pricePerSegment: 0.01, maxSegments: 2, budget: { organisation: { dailyCount: 500, dailySpend: 10 }, perRep: { dailyCount: 50, dailySpend: 1 } } },
  ),
  actionLinks: z._default(
    z.strictObject({
      /** Public base URL of the API the links point at (the local runtime uses its own address). */
      baseUrl: z.optional(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })),
      /** How long a one-tap link works. */
      expiryMinutes: z._default(z.number().check(z.int(), z.positive(), z.maximum(10_080)), 1440),
    }),
    { expiryMinutes: 1440 },
  ),
  /** A send claimed but not confirmed for this long is reported by the sweep (never resent). */
  pendingSendReportMinutes: z._default(z.number().check(z.int(), z.positive()), 10),
});
export type NotificationsConfiguration = z.infer<typeof notificationsConfigurationSchema>;

/** The defaults, for configurations without a `notifications` section. */
export const defaultNotificationsConfiguration: NotificationsConfiguration = notificationsConfigurationSchema.parse({});

/** One message the notifier should send: its channel, and for an SMS held back by quiet hours, when. */
export interface PlannedSend {
  channel: NotificationChannel;
  /** ISO instant before which it must not go out (quiet hours with `during: wait`). */
  notBefore?: string;
  /** Why the plan differs from the configured channels, for the log and the send record. */
  note?: string;
}

/**
 * Which messages tell `rep` about `lead` now: the configured channels for its grade or temperature,
 * then the rep's preferences, a failing phone and quiet hours. An SMS the rep cannot take becomes an
 * email; the rep always gets at least one message.
 */
export function planRepNotification(input: { config: NotificationsConfiguration; rep: Rep; score: Lead['score']; now: Date; phoneFailing: boolean }): PlannedSend[] {
  const { config, rep, score, now } = input;
  const rule = config.channelRules.find(({ when }) => score !== undefined && (!when.grades || when.grades.includes(score.grade)) && (!when.temperatures || when.temperatures.includes(score.temperature)));
  const preferences = preferencesOf(config, rep);
  const sends: PlannedSend[] = [];
  const asEmail = (note: string) => {
    if (!sends.some((send) => send.channel === 'email')) sends.push({ channel: 'email', note });
  };
  const refusal = smsRefusal(config, rep, input.phoneFailing);
  for (const channel of rule?.channels ?? config.defaultChannels) {
    if (channel === 'email') {
      if (preferences.email) asEmail('configured');
      continue;
    }
    if (refusal) {
      asEmail(`SMS replaced by email: ${refusal}`);
      continue;
    }
    const quietUntil = preferences.quietHours && quietHoursEnd(preferences.quietHours, rep.timeZone, now);
    if (quietUntil && preferences.quietHours?.during === 'email') asEmail(`SMS replaced by email: quiet hours until ${quietUntil.toISOString()}`);
    else if (quietUntil) sends.push({ channel: 'sms', notBefore: quietUntil.toISOString(), note: `quiet hours: waits until ${quietUntil.toISOString()}` });
    else sends.push({ channel: 'sms' });
  }
  if (sends.length === 0) sends.push({ channel: 'email', note: 'no channel left by the preferences; email is the last resort' });
  return sends.map((send) => (send.note === 'configured' ? { channel: send.channel } : send));
}

/** The rep's notification preferences, or the defaults for a rep who set none. */
function preferencesOf(config: Pick<NotificationsConfiguration, 'repPreferences'>, rep: Pick<Rep, 'id'>) {
  return config.repPreferences[rep.id] ?? repNotificationPreferencesSchema.parse({});
}

/**
 * Why `rep` cannot take an SMS now (they turned SMS off, or their phone is marked failing), or `undefined`
 * when they can. Asked when a message is planned, and again when an SMS held for quiet hours goes out.
 */
export function smsRefusal(config: Pick<NotificationsConfiguration, 'repPreferences'>, rep: Pick<Rep, 'id'>, phoneFailing: boolean): string | undefined {
  const preferences = preferencesOf(config, rep);
  return !preferences.sms ? 'rep turned SMS off' : phoneFailing ? "rep's phone is marked failing" : undefined;
}

/**
 * When the quiet hours around `now` end on the rep's clock, or `undefined` when `now` is outside them:
 * the first instant the clock reads a time outside them, so on a night the clocks change they end when
 * the clock reads their end (or, jumping over it, at the jump).
 */
export function quietHoursEnd(hours: Pick<QuietHours, 'start' | 'end'>, timeZone: string, now: Date): Date | undefined {
  const minutes = wallClockMinutes(now, timeZone);
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return undefined;
  const today = localDay(now, timeZone);
  const endOnClock = instantOnWallClock(minutes < end ? today : addDays(today, 1), end, timeZone, now);
  // Clocks that change before then may leave quiet hours (going back to before their start) or land in
  // the next ones (Samoa skipped 30 December 2011 whole): the hours are read again from the change.
  const next = clockChange(now, endOnClock, timeZone) ?? endOnClock;
  return quietHoursEnd(hours, timeZone, next) ?? next;
}

function minutesOf(clock: string): number {
  const [hour, minute] = clock.split(':').map(Number) as [number, number];
  return hour * 60 + minute;
}

const unnamedLead = 'A new lead';

/**
 * The SMS that tells a rep a lead is theirs (or `offered` to them and others, when the name is masked as
 * in a pool listing): the lead's name and company and the accept link, nothing more (an SMS sits on a lock screen). The name and company are shortened so the whole text fits in
 * `maxSegments` parts of whichever encoding it needs. When a long link leaves no room for a name that
 * needs UCS-2 (which would make the whole text UCS-2), the name gives way to a GSM-7 stand-in (`A new lead`), and
 * with no room even for that, to nothing, and an offer's header to a short one: the link is what the rep needs. A
 * link too long for `maxSegments` parts even so is sent whole, in the parts it takes (counted, as every text is).
 */
export function newLeadSms(lead: Pick<Lead, 'contact' | 'score'>, acceptUrl: string, maxSegments: number, offered = false): { text: string; segments: SmsSegmentCount } {
  // Cut with "..." (fitSmsUnits), not oneLine's "…": one character outside GSM-7 would make the whole text UCS-2.
  const typed = oneLine(lead.contact.name ?? '', Number.POSITIVE_INFINITY);
  const name = fitSmsUnits(offered ? maskName(typed) : typed, 80) || unnamedLead;
  const company = lead.contact.company ? ` (${fitSmsUnits(oneLine(lead.contact.company, Number.POSITIVE_INFINITY), 60)})` : '';
  const hot = lead.score?.temperature === 'hot' ? 'hot ' : '';
  const head = offered ? `${hot ? 'Hot lead' : 'Lead'} offered, first to accept gets it: ` : `New ${hot}lead: `;
  const tail = ` Accept: ${acceptUrl}`;
  const withWho = (who: string) => {
    const { encoding } = countSmsSegments(`${head}${who}${tail}`);
    const budget = maxSegments === 1 ? (encoding === 'GSM-7' ? 160 : 70) : maxSegments * (encoding === 'GSM-7' ? 153 : 67);
    // The whole of a short name, or at least its first character and "...". Units alone can leave one part
    // too many (an emoji or escape pair at a part's end moves whole to the next), so a text that needs it is cut further.
    for (let room = budget - countSmsSegments(`${head}${tail}`).units; room >= Math.min(countSmsSegments(who).units, 4); room -= 1) {
      const text = `${head}${fitSmsUnits(who, room)}${tail}`;
      if (countSmsSegments(text).segments <= maxSegments) return text;
    }
    return undefined;
  };
  // An offer's header alone (43 characters) leaves a one-part text no room for an API Gateway link (about 135): a shorter one says it.
  const bare = `${head.trimEnd()}${tail}`;
  const shortest = `${offered ? 'Lead offered' : 'New lead'}:${tail}`;
  const text = withWho(`${name}${company}`) ?? withWho(unnamedLead) ?? (countSmsSegments(bare).segments <= maxSegments ? bare : shortest);
  return { text, segments: countSmsSegments(text) };
}

/** The bounds SendTextMessage puts on `TimeToLive`, in seconds. */
const smsTimeToLiveBounds = { min: 5, max: 259_200 };

/**
 * How long the provider may keep trying to deliver an SMS: until its accept link expires (`linkExpiresAt`,
 * Unix seconds), within the provider's bounds. Later, the text would arrive with a dead link; the rep has the email.
 */
export function smsTimeToLiveSeconds(linkExpiresAt: number, now: Date): number {
  return Math.min(smsTimeToLiveBounds.max, Math.max(smsTimeToLiveBounds.min, linkExpiresAt - Math.floor(now.getTime() / 1000)));
}

/** Money is counted in millionths of the currency unit, so budgets add up exactly. */
export function smsCostMicros(segments: number, pricePerSegment: number): number {
  return segments * Math.round(pricePerSegment * 1_000_000);
}

/** The daily budgets an SMS to `repId` counts against, in counter form (count, millionths). */
export function smsBudgetLimits(config: NotificationsConfiguration): { organisation: { count: number; micros: number }; perRep: { count: number; micros: number } } {
  const { organisation, perRep } = config.sms.budget;
  return {
    organisation: { count: organisation.dailyCount, micros: Math.round(organisation.dailySpend * 1_000_000) },
    perRep: { count: perRep.dailyCount, micros: Math.round(perRep.dailySpend * 1_000_000) },
  };
}
