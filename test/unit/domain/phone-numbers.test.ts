import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parsePhoneNumberFromString as parseWithFullMin, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/examples.mobile.json';
import { describe, expect, it } from 'vitest';
import { parsePhoneNumber } from '../../../packages/domain/src/phone-numbers';
import { phoneMetadataFile, phoneMetadataText } from '../../../scripts/phone-metadata';

/** What the domain reads from a parsed number: its E.164 form, its country and whether it is valid. */
function reading(number: ReturnType<typeof parseWithFullMin>) {
  return number && { number: number.number, country: number.country, valid: number.isValid() };
}

const exampleNumbers = Object.entries(examples as Record<CountryCode, string>).map(([country, national]) => ({ country: country as CountryCode, national }));

/** The ways people write one number: national, national as the country writes it, international, and with a digit too few or too many. */
function writtenForms(country: CountryCode, national: string): Array<{ text: string; defaultCountry?: CountryCode }> {
  const parsed = parseWithFullMin(national, country);
  const formatted = parsed ? [parsed.formatNational(), parsed.formatInternational(), parsed.format('RFC3966')] : [];
  return [
    { text: national, defaultCountry: country },
    ...formatted.map((text) => ({ text, defaultCountry: country })),
    ...formatted.slice(1).map((text) => ({ text })),
    { text: national.slice(0, -1), defaultCountry: country },
    { text: `${national}7`, defaultCountry: country },
  ];
}

describe('phone numbers read with the metadata without formatting rules', () => {
  it('is committed as generated from the installed libphonenumber-js (run `npm run phone-metadata` when this fails)', () => {
    expect(readFileSync(phoneMetadataFile, 'utf8') === phoneMetadataText(), 'packages/domain/src/phone-metadata.json is behind the installed libphonenumber-js: run `npm run phone-metadata`').toBe(true);
  });

  it(`reads every country's example number, written every usual way, as the full 'min' metadata does (${exampleNumbers.length} countries)`, () => {
    let compared = 0;
    for (const { country, national } of exampleNumbers) {
      for (const { text, defaultCountry } of writtenForms(country, national)) {
        expect(reading(parsePhoneNumber(text, defaultCountry)), `${text} in ${defaultCountry ?? 'international form'}`).toEqual(reading(parseWithFullMin(text, defaultCountry as CountryCode)));
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(exampleNumbers.length * 5);
  });

  it('reads arbitrary digit strings, with or without a country, as the full metadata does', () => {
    const countries = exampleNumbers.map(({ country }) => country);
    const text = fc.stringMatching(/^\+?[0-9 ()-]{1,18}$/);
    fc.assert(
      fc.property(text, fc.option(fc.constantFrom(...countries), { nil: undefined }), (written, defaultCountry) => {
        expect(reading(parsePhoneNumber(written, defaultCountry))).toEqual(reading(parseWithFullMin(written, defaultCountry as CountryCode)));
      }),
      { numRuns: 3000 },
    );
  });
});
