import { getCountries, isSupportedCountry, isValidPhoneNumber as isValidWith, parsePhoneNumberFromString, type CountryCode, type MetadataJson, type PhoneNumber } from 'libphonenumber-js/core';
import metadata from './phone-metadata.json';

/**
 * libphonenumber-js with the numbering plans of `phone-metadata.json`: its 'min' metadata without the
 * formatting rules, which nothing here uses (numbers are stored and sent in E.164). `npm run
 * phone-metadata` writes the file from the installed libphonenumber-js.
 */
const phoneMetadata = metadata as MetadataJson;

export type { CountryCode };

/** The number `text` denotes, national numbers read in `defaultCountry`; `undefined` when it names none. */
export function parsePhoneNumber(text: string, defaultCountry?: CountryCode): PhoneNumber | undefined {
  return defaultCountry ? parsePhoneNumberFromString(text, defaultCountry, phoneMetadata) : parsePhoneNumberFromString(text, phoneMetadata);
}

/** Whether `text` is a valid number in international form. */
export function isValidPhoneNumber(text: string): boolean {
  return isValidWith(text, phoneMetadata);
}

/** Every country with a numbering plan. */
export function phoneNumberCountries(): CountryCode[] {
  return getCountries(phoneMetadata);
}

/** Whether an upper-case ISO 3166-1 alpha-2 code has a numbering plan. */
export function hasNumberingPlan(code: string): code is CountryCode {
  return isSupportedCountry(code as CountryCode, phoneMetadata);
}
