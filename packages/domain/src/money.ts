import './zod-locale';
import * as z from 'zod/mini';
import type { ExchangeRate } from './channel-roi-configuration';

/**
 * Money is kept as whole minor units, so sums are exact; only ratios are floating point. An amount of a
 * currency is kept to `amountDecimalsOf` it: hundredths (cents) for most, JPY's included as it always was,
 * and thousandths for the currencies whose ISO 4217 minor unit is a thousandth (KWD, BHD, OMR, JOD, TND,
 * LYD, IQD). What is stored says which it holds (`decimals: 3`, else hundredths), never the currency alone,
 * so amounts stored before thousandths were kept (KWD in cents) keep their meaning.
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

/** Where ICU's (CLDR's) digits differ from ISO 4217: CLDR gives IQD none, as its fils are out of use, where ISO 4217 keeps three. */
const iso4217ExponentsUnlikeIcu: Readonly<Record<string, number>> = { IQD: 3 };

/** The ISO 4217 minor unit of `currency` as a power of ten: 2 for USD, 0 for JPY, 3 for KWD. */
export function currencyExponent(currency: string): number {
  return iso4217ExponentsUnlikeIcu[currency] ?? new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** How many decimals amounts are kept to: hundredths, or thousandths. */
export type AmountDecimals = 2 | 3;

/**
 * The decimals an amount of `currency` may be written with and is kept to: its ISO 4217 exponent, but
 * never fewer than two (JPY amounts have always been taken with two, and are stored in cents). The
 * runtime lists no currency with more than three (CLF and UYW, with four, are not ISO codes it takes).
 */
export function amountDecimalsOf(currency: string): AmountDecimals {
  return currencyExponent(currency) >= 3 ? 3 : 2;
}

/** The decimals of a stored amount: `decimals` when it says 3, hundredths otherwise, as everything stored before thousandths were kept. */
export function storedDecimals(stored: { decimals?: AmountDecimals }): AmountDecimals {
  return stored.decimals ?? 2;
}

/** What a record stores to say its amounts are in thousandths; nothing for hundredths, so those records are as they always were. */
export function decimalsMark(decimals: AmountDecimals): { decimals?: 3 } {
  return decimals === 3 ? { decimals } : {};
}

/** The largest amount a spend row or a sale takes: twelve digits before the point, in the minor units of `decimals`. */
export function largestAmount(decimals: AmountDecimals): number {
  return 10 ** (12 + decimals) - 1;
}

/**
 * A decimal amount as written by people (`1234.5`, `1234.50`, `0012.00`, spaces around it): at most twelve
 * digits after any leading zeros, at most three decimals (`parseAmount` takes three only for a currency
 * that has them). The API document shows this very pattern.
 */
export const amountTextPattern = /^\s*0*(\d{1,12})(?:\.(\d{1,3}))?\s*$/;

/**
 * An amount written as `amountTextPattern` takes it, in minor units of `decimals`: `parseAmount('12.345', 3)` is
 * `12345`; `undefined` for anything else, including a negative or too large amount or one with more decimals.
 */
export function parseAmount(text: string, decimals: AmountDecimals): number | undefined {
  const match = amountTextPattern.exec(text);
  if (!match || (match[2] ?? '').length > decimals) return undefined;
  return Number(match[1]) * 10 ** decimals + Number((match[2] ?? '').padEnd(decimals, '0'));
}

/** Why `amount` (a JSON number) has more decimals than `currency` takes; `undefined` when it has no more. */
export function amountDecimalsIssue(amount: number, currency: string): string | undefined {
  const decimals = amountDecimalsOf(currency);
  const scale = 10 ** decimals;
  return Math.round(amount * scale) / scale === amount ? undefined : `must have at most ${decimals} decimal places for ${currency}`;
}

/** `amount` (a JSON number that `amountDecimalsIssue` passes) in minor units of `decimals`. */
export function minorUnitsOf(amount: number, decimals: AmountDecimals): number {
  return Math.round(amount * 10 ** decimals);
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

/** Minor units of `decimals` as a plain decimal with that many places: `123456` → `1234.56` (`1234.567` with 3), `-5` → `-0.05`. */
export function formatAmount(units: number, decimals: AmountDecimals): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(Math.round(units))).padStart(decimals + 1, '0');
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** The rate of `currency` on `day`: the latest configured one starting on or before it. */
export function exchangeRateOn(currency: string, day: string, rates: readonly ExchangeRate[]): number | undefined {
  let best: ExchangeRate | undefined;
  for (const rate of rates) if (rate.currency === currency && rate.from <= day && (!best || rate.from > best.from)) best = rate;
  return best?.rate;
}

/** An exact amount: `units` of 10^-`decimals` of `currency`. */
export interface Amount {
  units: number;
  decimals: AmountDecimals;
  currency: string;
}

/** The reporting currency and the rates channel ROI values other currencies at. */
export interface Reporting {
  currency: string;
  exchangeRates: readonly ExchangeRate[];
}

/**
 * `amount` in minor units of the reporting currency (`amountDecimalsOf` it) on `day`, rounded halves up;
 * `undefined` when it is another currency with no rate configured for that day. The product is exact: in
 * floating point EUR 0.50 at 1.15 is 57.49999… cents and would round to 0.57, not 0.58. KWD 12.345 at
 * 3.25 is USD 40.12 (40.12125); USD 10.00 at 0.3075 is KWD 3.075; an amount of the reporting currency
 * kept to other decimals (KWD stored in cents) is only brought to its decimals.
 */
export function toReportingUnits(amount: Amount, day: string, reporting: Reporting): number | undefined {
  const rate = amount.currency === reporting.currency ? 1 : exchangeRateOn(amount.currency, day, reporting.exchangeRates);
  if (rate === undefined) return undefined;
  const { units, scale } = exactDecimalOf(rate);
  // units × rate × 10^(reporting decimals − amount decimals), the rate being rateUnits ÷ 10^scale.
  const shift = amountDecimalsOf(reporting.currency) - amount.decimals - scale;
  const product = BigInt(amount.units) * units * 10n ** BigInt(Math.max(0, shift));
  const divisor = 10n ** BigInt(Math.max(0, -shift));
  // product ÷ divisor, halves up: ⌊(2 × product + divisor) ÷ (2 × divisor)⌋.
  return Number(floorDivide(2n * product + divisor, 2n * divisor));
}

/** `units` of `from` decimals in `to` decimals, halves up (exact from hundredths to thousandths). */
export function rescaled(units: number, from: AmountDecimals, to: AmountDecimals): number {
  return to === from ? units : to > from ? units * 10 : Number(floorDivide(2n * BigInt(units) + 10n, 20n));
}

/**
 * `amount` valued as channel ROI values it on `day`, or why it cannot be: the one check of spend rows,
 * conversions and their corrections, so that nothing is stored that a rollup would refuse.
 */
export function reportingUnitsOn(amount: Amount, day: string, reporting: Reporting): { ok: true; units: number } | { ok: false; message: string } {
  const converted = toReportingUnits(amount, day, reporting);
  if (converted === undefined) return { ok: false, message: `${amount.currency} is not the reporting currency ${reporting.currency} and no exchange rate for it is configured on ${day} (channelRoi.exchangeRates)` };
  return { ok: true, units: converted };
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
