/**
 * EventBridge compares numbers only inside a fixed window: -5,000,000,000 to +5,000,000,000 inclusive, with at
 * most six digits after the decimal point (aws/event-ruler `ComparableNumber`). Inside that window every number
 * is an exact integer count of millionths, which this module represents as a `bigint` so that comparisons are
 * exact (no binary floating point: `0.3` and `0.1 + 0.2` stay different, `300` and `300.0` and `3e2` are equal).
 */

/** Millionths in one unit. */
const SCALE_DIGITS = 6;
/** 5e9 expressed in millionths. */
const LIMIT = 5_000_000_000n * 10n ** BigInt(SCALE_DIGITS);

/** Why a number has no comparable form; the text is what EventBridge says in its error message. */
export type IncomparableReason = 'too-many-decimals' | 'out-of-range';

/** Result of {@link toComparableNumber}: the value in millionths, or why there is none. */
export type ComparableNumberResult = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly reason: IncomparableReason; readonly message: string };

const JSON_NUMBER = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Converts the text of a JSON number to its comparable form: an exact count of millionths. Trailing zeros do not
 * count as decimals (`1.5000000` is fine), exactly as `BigDecimal.stripTrailingZeros()` does in EventBridge.
 *
 * @param text a JSON number, e.g. `301.8`, `3.018e2`, `-0`.
 */
export function toComparableNumber(text: string): ComparableNumberResult {
  const match = JSON_NUMBER.exec(text);
  if (!match) return { ok: false, reason: 'out-of-range', message: `Not a number: ${text}` };
  const [, sign = '', integer = '', fraction = '', exponentText = '0'] = match;
  let digits = (integer + fraction).replace(/^0+/, '');
  // The exponent can be absurd ("1e999999999"); BigInt keeps it exact and the digit count decides the range.
  let exponent = BigInt(exponentText) - BigInt(fraction.length);
  if (digits === '') return { ok: true, value: 0n };
  const stripped = digits.replace(/0+$/, '');
  exponent += BigInt(digits.length - stripped.length);
  digits = stripped;

  if (exponent < -BigInt(SCALE_DIGITS)) {
    return { ok: false, reason: 'too-many-decimals', message: 'Only values upto 6 decimals are supported' };
  }
  // digits × 10^exponent has digits.length + exponent integer digits; 5e9 has 10.
  if (BigInt(digits.length) + exponent > 10n) return outOfRange();
  const magnitude = BigInt(digits) * 10n ** (exponent + BigInt(SCALE_DIGITS));
  if (magnitude > LIMIT) return outOfRange();
  return { ok: true, value: sign === '-' ? -magnitude : magnitude };
}

function outOfRange(): ComparableNumberResult {
  return { ok: false, reason: 'out-of-range', message: 'Value must be between -5.0E9 and 5.0E9, inclusive' };
}
