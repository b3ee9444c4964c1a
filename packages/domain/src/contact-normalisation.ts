import { parsePhoneNumber, type CountryCode } from './phone-numbers';
import * as z from 'zod/mini';
import type { LeadContact } from './lead';

/** RFC 5321's limit on a path, so the longest address mail can be sent to; a longer one could not be a person's. */
const maxEmailLength = 254;
const emailSyntax = z.email().check(z.maxLength(maxEmailLength));

/** Trims and lower-cases an email; `undefined` when it is not a syntactically valid address of at most 254 characters. */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return emailSyntax.safeParse(email).success ? email : undefined;
}

/**
 * A valid phone number in E.164 and the country it belongs to (absent for non-geographic numbers such as
 * +800), national numbers read in the form's default country; `undefined` when it is not a valid number.
 */
export function normalisePhone(raw: string, defaultCountry: string): { number: string; country?: string } | undefined {
  const phone = parsePhoneNumber(raw.trim(), defaultCountry as CountryCode);
  return phone?.isValid() ? { number: phone.number, ...(phone.country ? { country: phone.country } : {}) } : undefined;
}

/** The contact with its phone's country, read from the number when the lead was stored without it (captured before it was kept). */
export function withPhoneCountry<T extends { contact: LeadContact }>(lead: T): T {
  if (!lead.contact.phone || lead.contact.phoneCountry) return lead;
  const country = parsePhoneNumber(lead.contact.phone)?.country;
  return country ? { ...lead, contact: { ...lead.contact, phoneCountry: country } } : lead;
}

/** Collapses inner whitespace and trims, so "  Ada   Lovelace " and "Ada Lovelace" are one name. */
export function normaliseName(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ');
}
