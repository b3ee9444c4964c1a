import './zod-locale';
import * as z from 'zod/mini';

/**
 * A count in a query (`limit`): decimal digits only, so `0x10`, `1e2`, `1.0`, `-0` or an empty value are
 * refused by name rather than read as a number nobody meant. Leading zeros are read away (`0050` is 50);
 * its largest value is the route's to check, and to name.
 */
export const countParameter = z.pipe(
  z.string().check(z.regex(/^\d+$/, 'must be a whole number written in digits')),
  // Hundreds of digits read as Infinity, which no number schema takes: held at the largest exact number, it is refused as over the route's maximum.
  z.transform((digits) => Math.min(Number(digits), Number.MAX_SAFE_INTEGER)),
);

/**
 * An amount in a query (hours): digits with an optional decimal fraction of up to six places, never empty, signed
 * or in exponent form. Its largest value is the route's to check, and to name.
 */
export const amountParameter = z.pipe(
  z.string().check(
    z.regex(/^\d+(\.\d+)?$/, { message: 'must be a number written in digits, such as 24 or 1.5', abort: true }),
    z.regex(/^\d+(\.\d{1,6})?$/, { message: 'must have at most 6 decimal places', abort: true }),
    // Beyond 15 digits a number is no longer read exactly (and past about 300, not at all).
    z.regex(/^0*\d{1,15}(\.|$)/, { message: 'is too large' }),
  ),
  z.transform(Number),
);

const maxPageLimit = 100;

/** A page's `limit` in a query: 1–100, 50 when left out. */
export const pageLimitParameter = z
  ._default(z.pipe(countParameter, z.number().check(z.minimum(1, 'must be at least 1'), z.maximum(maxPageLimit, `must be at most ${maxPageLimit}`))), 50)
  .check(z.describe(`How many to answer: a whole number from 1 to ${maxPageLimit} (default 50).`));
