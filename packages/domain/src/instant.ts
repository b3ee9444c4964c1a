import './zod-locale';
import * as z from 'zod/mini';

/**
 * An instant given in ISO 8601 with an offset, normalised to UTC (`…Z`) as times are stored. An offset
 * can carry 9999-12-31 into the year 10000, or 0000-01-01 before the year 0: refused, as such a time
 * (`+010000-…`) would sort before every stored one and fail the stored schemas (`z.iso.datetime()`).
 */
export const instantSchema = z.pipe(
  z.pipe(
    z.iso.datetime({ offset: true }),
    z.transform((text) => new Date(text).toISOString()),
  ),
  // Aborting: a time outside those years has no further checks worth naming (not after now, not before 1970, …).
  z.string().check(z.regex(/^\d{4}-/, { message: 'must be an instant from the year 0000 to 9999', abort: true })),
);

/** The last second of the year 9999, as every stored instant is (`instantSchema`). */
const lastUnixSecond = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

/**
 * A platform's Unix time (`seconds` or `milliseconds` since 1970) as a whole number up to the year 9999: a
 * number beyond that (`1e200`) is no time at all, and DynamoDB could not store it exactly.
 */
export function unixTimeSchema(unit: 'seconds' | 'milliseconds') {
  const max = unit === 'seconds' ? lastUnixSecond : lastUnixSecond * 1000 + 999;
  return z.number({ error: `must be a unix time in ${unit}` }).check(
    // The range first, aborting: a number past it (`1e200`) is no time, whole or not.
    z.minimum(0, { error: `must be a unix time in ${unit}, from 1970`, abort: true }),
    z.maximum(max, { error: `must be a unix time in ${unit}, up to the year 9999`, abort: true }),
    z.multipleOf(1, { error: `must be a unix time in whole ${unit}` }),
  );
}
