import { parsePhoneNumber, type CountryCode } from './phone-numbers';
import * as z from 'zod/mini';

const emailSyntax = z.email();

/** Trims and lower-cases an email; `undefined` when it is not a syntactically valid address. */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return emailSyntax.safeParse(email).success ? email : undefined;
}

/** Converts a phone number to E.164, reading national numbers in the form's default country. */
export function normalisePhone(raw: string, defaultCountry: string): string | undefined {
  const phone = parsePhoneNumber(raw.trim(), defaultCountry as CountryCode);
  return phone?.isValid() ? phone.number : undefined;
}

/** Collapses inner whitespace and trims, so "  Ada   Lovelace " and "Ada Lovelace" are one name. */
export function normaliseName(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ');
}
