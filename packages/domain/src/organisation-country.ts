import './zod-locale';
import * as z from 'zod/mini';
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

/**
 * The 249 ISO 3166-1 alpha-2 codes assigned to countries and territories, and `AC`, `TA` and `XK`, which ISO
 * only reserves or leaves to users but libphonenumber gives numbers (`contact.phoneCountry`) of. A list, not
 * the numbering plans, so reading a lead's facts bundles no phone metadata (routing never parses a phone);
 * not `Intl.DisplayNames`, which also names `EU`, `UN`, `ZZ` and withdrawn codes such as `SU` and `YU`.
 */
const countryCodeList = `
  AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
  BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
  CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
  DE DJ DK DM DO DZ
  EC EE EG EH ER ES ET
  FI FJ FK FM FO FR
  GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
  HK HM HN HR HT HU
  ID IE IL IM IN IO IQ IR IS IT
  JE JM JO JP
  KE KG KH KI KM KN KP KR KW KY KZ
  LA LB LC LI LK LR LS LT LU LV LY
  MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
  NA NC NE NF NG NI NL NO NP NR NU NZ
  OM
  PA PE PF PG PH PK PL PM PN PR PS PT PW PY
  QA
  RE RO RS RU RW
  SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
  TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
  UA UG UM US UY UZ
  VA VC VE VG VI VN VU
  WF WS
  YE YT
  ZA ZM ZW
  AC TA XK`;

let countryCodes: Set<string> | undefined;

/**
 * The country code a person gave, trimmed and upper-cased, `UK` read as `GB` (ISO reserves `UK` for the United
 * Kingdom, and people write it); `undefined` for anything else (`Canada`, `XX`, `EU`), so their phone's country counts.
 *
 * @example givenCountry(' uk ') // 'GB'
 */
export function givenCountry(text: string | undefined): string | undefined {
  const upper = text?.trim().toUpperCase();
  const code = upper === 'UK' ? 'GB' : upper;
  countryCodes ??= new Set(countryCodeList.trim().split(/\s+/));
  return code !== undefined && countryCodes.has(code) ? code : undefined;
}

/**
 * A country code written in the configuration (a rep's `countries`, a route's `match.countries`): one of the
 * codes `givenCountry` keeps as it is, so a lead's country can equal it; `UK` is refused with a pointer to
 * `GB`, as leads who give `uk` are filed under `GB`.
 */
export const configuredCountrySchema = z.string().check(
  z.superRefine((code, ctx) => {
    if (givenCountry(code) === code) return;
    ctx.addIssue({ code: 'custom', message: code === 'UK' ? 'must be "GB" for the United Kingdom: leads who give "uk" are filed under "GB"' : 'must be an ISO 3166-1 alpha-2 country code such as "US"' });
  }),
);

/**
 * The country a form reads national phone numbers in (`defaultCountry`): a configured country code with a
 * telephone numbering plan, so a national number can be read at all (`UK`, `EU` or `AQ` would refuse every one).
 */
// Marked pure, so a bundle that reads countries but no configuration leaves it out, and the numbering plans with it.
export const phoneCountrySchema = /* @__PURE__ */ configuredCountrySchema.check(
  /* @__PURE__ */ z.refine((code: string) => givenCountry(code) !== code || hasNumberingPlan(code), { message: 'has no telephone numbering plan: national phone numbers could not be read in it' }),
);

/** A country code as `givenCountry` reads it, when the country has a numbering plan; `undefined` otherwise. */
export function phoneCountry(code: string | undefined): string | undefined {
  const country = givenCountry(code);
  return country && hasNumberingPlan(country) ? country : undefined;
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
