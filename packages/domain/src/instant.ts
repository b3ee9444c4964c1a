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
