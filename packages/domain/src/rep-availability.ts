import './zod-locale';
import * as z from 'zod/mini';
import type { Rep } from './configuration';
import { instantSchema } from './instant';

export const weekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof weekdaySchema>;

const clockTimeSchema = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as "09:00"'));

/** The hours a rep takes leads, on their own clock (`Rep.timeZone`); `end` before `start` spans midnight. */
export const workingHoursSchema = z
  .strictObject({ days: z.array(weekdaySchema).check(z.minLength(1)), start: clockTimeSchema, end: clockTimeSchema })
  .check(z.refine((hours) => hours.start !== hours.end, { message: 'start and end must differ', path: ['end'] }));
export type WorkingHours = z.infer<typeof workingHoursSchema>;

/** A rep's own or their manager's "out of office", until a moment or until switched off. */
export const outOfOfficeSchema = z.strictObject({
  repId: z.string(),
  outOfOffice: z.boolean(),
  until: z.optional(z.iso.datetime()),
  setBy: z.string(),
  setAt: z.iso.datetime(),
});
export type OutOfOffice = z.infer<typeof outOfOfficeSchema>;

/** The body of `PUT /reps/{repId}/availability`; `until` ends an absence, so it comes only with `outOfOffice: true`. */
export const availabilityChangeSchema = z
  .strictObject({
    outOfOffice: z.boolean(),
    /** When the absence ends (ISO 8601 with offset); omitted, until switched off. */
    until: z.optional(instantSchema),
  })
  .check(z.refine((change) => change.outOfOffice !== false || change.until === undefined, { path: ['until'], message: 'is only for "outOfOffice": true; leave it out when the rep is back' }));

/** Whether the rep's out-of-office record holds at `now` (set, and not yet over). */
export function isOutOfOffice(outOfOffice: OutOfOffice | undefined, now: Date): outOfOffice is OutOfOffice {
  return outOfOffice !== undefined && outOfOffice.outOfOffice && (!outOfOffice.until || Date.parse(outOfOffice.until) > now.getTime());
}

/** Why a rep cannot take a lead now, or `undefined` when they can. */
export function unavailability(rep: Rep, outOfOffice: OutOfOffice | undefined, now: Date): string | undefined {
  if (!rep.active) return 'inactive';
  if (isOutOfOffice(outOfOffice, now)) return outOfOffice.until ? `out of office until ${outOfOffice.until}` : 'out of office';
  if (rep.workingHours && !isWithinWorkingHours(rep.workingHours, rep.timeZone, now)) {
    return `outside working hours (${rep.workingHours.days.join(',')} ${rep.workingHours.start}-${rep.workingHours.end} ${rep.timeZone})`;
  }
  return undefined;
}

/** Whether `now` falls inside the working hours on the wall clock of `timeZone`. */
export function isWithinWorkingHours(hours: WorkingHours, timeZone: string, now: Date): boolean {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now).map((part) => [part.type, part.value]));
  const minutes = Number(parts.hour) * 60 + Number(parts.minute);
  const day = String(parts.weekday).toLowerCase().slice(0, 3) as Weekday;
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  if (start < end) return hours.days.includes(day) && minutes >= start && minutes < end;
  // Overnight shift: the evening belongs to the listed day, the early hours to the day after it.
  const previous = weekdaySchema.options[(weekdaySchema.options.indexOf(day) + 6) % 7];
  return (hours.days.includes(day) && minutes >= start) || (hours.days.includes(previous) && minutes < end);
}

function minutesOf(clock: string): number {
  const [hour, minute] = clock.split(':').map(Number) as [number, number];
  return hour * 60 + minute;
}
