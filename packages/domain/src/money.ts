import type { ExchangeRate } from './channel-roi-configuration';

/**
 * Money is kept in whole cents (the reporting currency's minor unit), so sums are exact; only
 * ratios are floating point.
 */

/** A decimal amount as written by people (`1234.5`, `1234.50`) in cents; `undefined` for anything else, including a negative or sub-cent amount. */
export function parseAmountCents(text: string): number | undefined {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
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
 * `undefined` when it is another currency with no rate configured for that day.
 */
export function toReportingCents(cents: number, currency: string, day: string, reporting: { currency: string; exchangeRates: readonly ExchangeRate[] }): number | undefined {
  if (currency === reporting.currency) return cents;
  const rate = exchangeRateOn(currency, day, reporting.exchangeRates);
  return rate === undefined ? undefined : Math.round(cents * rate);
}
