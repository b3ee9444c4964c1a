import { hasNumberingPlan, phoneNumberCountries } from './phone-numbers';
import type { Configuration } from './configuration';

/** `Intl.Locale#getTimeZones()` (newer engines) or the `timeZones` getter (Node 20); not yet in TypeScript's lib. */
type LocaleWithTimeZones = Intl.Locale & { getTimeZones?: () => string[]; timeZones?: string[] };

let countriesByTimeZone: Map<string, string[]> | undefined;

/**
 * The ISO 3166-1 country of an IANA time zone, from the time zones CLDR lists for each country
 * (`America/New_York` → `US`, `Europe/Berlin` → `DE`); `undefined` for zones of no one country, such as `UTC`.
 */
export function countryOfTimeZone(timeZone: string): string | undefined {
  countriesByTimeZone ??= buildCountriesByTimeZone();
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  const countries = countriesByTimeZone.get(canonical) ?? countriesByTimeZone.get(timeZone) ?? [];
  return countries.length === 1 ? countries[0] : undefined;
}

/**
 * The country national phone numbers are read in when a request names none: the country of the
 * organisation's time zone (the demo's `America/New_York` gives `US`). Without one, numbers must be
 * given in international form (`+…`).
 */
export function organisationCountry(config: Pick<Configuration, 'organisation'>): string | undefined {
  return countryOfTimeZone(config.organisation.timeZone);
}

/** An ISO 3166-1 alpha-2 code with a numbering plan, upper-cased; `undefined` otherwise. */
export function phoneCountry(code: string | undefined): string | undefined {
  const upper = code?.trim().toUpperCase();
  return upper && /^[A-Z]{2}$/.test(upper) && hasNumberingPlan(upper) ? upper : undefined;
}

function buildCountriesByTimeZone(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const country of phoneNumberCountries()) {
    let zones: string[];
    try {
      const locale = new Intl.Locale(`und-${country}`) as LocaleWithTimeZones;
      zones = locale.getTimeZones?.() ?? locale.timeZones ?? [];
    } catch {
      continue;
    }
    for (const zone of zones) map.set(zone, [...(map.get(zone) ?? []), country]);
  }
  return map;
}
