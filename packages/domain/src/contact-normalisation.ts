import './zod-locale';
import { domainToASCII, domainToUnicode } from 'node:url';
import { parsePhoneNumber, type CountryCode } from './phone-numbers';
import * as z from 'zod/mini';
import type { LeadContact } from './lead';

/** RFC 5321's limit on a path, so the longest address mail can be sent to; a longer one could not be a person's. */
const maxEmailLength = 254;
/** zod's practical pattern (`z.regexes.email`), but taking a top-level domain in punycode (`xn--fiqs8s`, 中国) as well as one of letters. */
const emailSyntax = z.email({ pattern: /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]+)$/ }).check(z.maxLength(maxEmailLength));
/**
 * What a domain may be written with before it is turned into punycode: letters and digits of any script, their
 * marks, `-`, and the dots UTS 46 reads as one (`.`, and the ideographic `。` a Chinese keyboard types). Anything
 * else is left for `emailSyntax` to refuse, rather than mapped: `domainToASCII` would decode a `%` escape into a letter.
 */
const domainCharacters = /^[\p{L}\p{M}\p{N}.\u3002\uff0e\uff61-]+$/u;

/**
 * Trims and lower-cases an email, its domain in punycode; `undefined` when it is not a syntactically valid address
 * of at most 254 characters in that form. Mail is sent to the punycode form (SES takes 7-bit ASCII addresses only),
 * and `anna@bücher.de` and `anna@xn--bcher-kva.de` are one person. The part before `@` must be ASCII: SES cannot
 * send to any other (it does not speak SMTPUTF8).
 *
 * @example normaliseEmail(' Anna@Bücher.de ') // → 'anna@xn--bcher-kva.de'
 */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  // `domainToASCII` answers '' for a domain it cannot map (a bad punycode label), which `emailSyntax` refuses.
  const canonical = at > 0 && domainCharacters.test(domain) ? `${email.slice(0, at)}@${domainToASCII(domain)}` : email;
  return emailSyntax.safeParse(canonical).success ? canonical : undefined;
}

/**
 * An email as a person reads it: its domain in Unicode (`anna@bücher.de`), where it is stored, deduplicated,
 * answered by the API and sent to in punycode. A domain that is no valid punycode stays as written, and so does
 * the part before `@`, so a masked address (`a***@xn--bcher-kva.de`) reads `a***@bücher.de`.
 *
 * @example readableEmail('anna@xn--bcher-kva.de') // → 'anna@bücher.de'
 */
export function readableEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = at < 0 ? '' : domainToUnicode(email.slice(at + 1));
  return domain ? `${email.slice(0, at + 1)}${domain}` : email;
}

/** The contact with its email as a person reads it (`readableEmail`), for text a rep, manager or the lead reads. */
export function readableContact<T extends { email?: string }>(contact: T): T {
  return contact.email ? { ...contact, email: readableEmail(contact.email) } : contact;
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
