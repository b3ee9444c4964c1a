import * as z from 'zod/mini';
import type { ExchangeRate } from './channel-roi-configuration';

/**
 * Money is kept in whole cents (the reporting currency's minor unit), so sums are exact; only
 * ratios are floating point.
 */

const isoCurrencyCodes = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency in use (as the runtime's ICU data lists them), such as `USD`. */
export function isIsoCurrencyCode(code: string): boolean {
  return isoCurrencyCodes.has(code);
}

/** A currency given by a person: an ISO 4217 code in use. */
export const currencyCodeSchema = z
  .string()
  .check(z.regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as "USD"', abort: true }), z.refine(isIsoCurrencyCode, { message: 'must be an ISO 4217 code such as "USD"' }));

/** The largest amount a spend row takes (twelve digits before the point), in cents. */
export const maxAmountCents = 999_999_999_999_99;

/**
 * A decimal amount as written by people (`1234.5`, `1234.50`, `0012.00`, spaces around it): at most twelve
 * digits after any leading zeros, at most two decimals. The API document shows this very pattern.
 */
export const amountTextPattern = /^\s*0*(\d{1,12})(?:\.(\d{1,2}))?\s*$/;

/** An amount written as `amountTextPattern` takes it, in cents; `undefined` for anything else, including a negative, sub-cent or too large amount. */
export function parseAmountCents(text: string): number | undefined {
  const match = amountTextPattern.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/**
 * `numerator ÷ denominator` (whole numbers, the denominator positive) as a decimal with `places` places,
 * rounded half away from zero on the exact quotient, as money is: `18.75 ÷ 1000` is `0.0188`, where binary
 * floating point gives `0.0187`, and a quotient that rounds to zero is `0.0000`, never `-0.0000`.
 */
export function exactRatio(numerator: number, denominator: number, places: number): string {
  const scale = 10n ** BigInt(places);
  const [top, bottom] = [BigInt(numerator), BigInt(denominator)];
  const magnitude = ((top < 0n ? -top : top) * scale * 2n + bottom) / (bottom * 2n);
  const digits = magnitude.toString().padStart(places + 1, '0');
  const sign = top < 0n && magnitude > 0n ? '-' : '';
  return places === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** Cents as a plain decimal with two places: `123456` → `1234.56`, `-5` → `-0.05`. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const absolute = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`;
}

/** The rate of `currency` on `day`: the latest configured one starting on or before it. */
export function exchangeRateOn(currency: string, day: string, rates: readonly ExchangeRate[]): number | undefined {
  let best: ExchangeRate | undefined;
  for (const rate of rates) if (rate.currency === currency && rate.from <= day && (!best || rate.from > best.from)) best = rate;
  return best?.rate;
}

/**
 * `cents` of `currency` in the reporting currency on `day`, rounded to the cent (halves up);
 * `undefined` when it is another currency with no rate configured for that day. The product is exact:
 * in floating point EUR 0.50 at 1.15 is 57.49999… cents and would round to 0.57, not 0.58.
 */
export function toReportingCents(cents: number, currency: string, day: string, reporting: { currency: string; exchangeRates: readonly ExchangeRate[] }): number | undefined {
  if (currency === reporting.currency) return cents;
  const rate = exchangeRateOn(currency, day, reporting.exchangeRates);
  if (rate === undefined) return undefined;
  const { units, scale } = exactDecimalOf(rate);
  const divisor = 10n ** BigInt(scale);
  // cents × units ÷ 10^scale, halves up: ⌊(2 × product + divisor) ÷ (2 × divisor)⌋.
  return Number(floorDivide(2n * BigInt(cents) * units + divisor, 2n * divisor));
}

/**
 * `cents` of `currency` valued as channel ROI values it on `day`, or why it cannot be: the one check of
 * spend rows, conversions and their corrections, so that nothing is stored that a rollup would refuse.
 */
export function reportingCentsOn(cents: number, currency: string, day: string, reporting: { currency: string; exchangeRates: readonly ExchangeRate[] }): { ok: true; cents: number } | { ok: false; message: string } {
  const converted = toReportingCents(cents, currency, day, reporting);
  if (converted === undefined) return { ok: false, message: `${currency} is not the reporting currency ${reporting.currency} and no exchange rate for it is configured on ${day} (channelRoi.exchangeRates)` };
  return { ok: true, cents: converted };
}

/**
 * A rate as the exact decimal `units ÷ 10^scale` it was written as: JavaScript prints a number as the
 * shortest decimal that reads back to it, which is the configuration's own text for any rate of up to
 * 15 significant digits (`1.15`, not the 1.149999… the binary number holds).
 */
function exactDecimalOf(rate: number): { units: bigint; scale: number } {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(rate));
  if (!match) throw new RangeError(`${rate} is not a finite, non-negative exchange rate`);
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? 0) - fraction.length;
  const units = BigInt(`${match[1]}${fraction}`);
  return exponent >= 0 ? { units: units * 10n ** BigInt(exponent), scale: 0 } : { units, scale: -exponent };
}

/** ⌊dividend ÷ divisor⌋ for a positive divisor (BigInt division truncates toward zero). */
function floorDivide(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor;
  return dividend < 0n && quotient * divisor !== dividend ? quotient - 1n : quotient;
}
