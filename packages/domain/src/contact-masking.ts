/**
 * Contact details as a rep sees them before the lead is theirs (a pool listing, an offer), so that the
 * pool cannot be harvested.
 */
import type { Lead } from './lead';

/**
 * Masks a name to the first letter of each word: `"Ava Chen"` → `"A*** C***"`. Always three stars,
 * so the mask does not tell the length either.
 */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `${Array.from(word)[0].toLocaleUpperCase()}***`)
    .join(' ');
}

/**
 * A lead's contact as a rep who has not claimed or accepted it sees it (a pool listing, an offer): name,
 * email and phone masked, the free-text message left out; company, title and place kept.
 *
 * @example maskedContact({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' }) // { name: 'A*** L***', email: 'a***@example.com', phone: '+1***0100', … }
 */
export function maskedContact(contact: Lead['contact']): Omit<Lead['contact'], 'message' | 'phoneCountry'> {
  const { name, email, phone, company, title, country, region } = contact;
  return { name: name && maskName(name), email: email && maskEmail(email), phone: phone && maskPhone(phone), company, title, country, region };
}

/** `"ada@example.com"` → `"a***@example.com"`: the domain says which company, the mailbox stays hidden. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${Array.from(email)[0]}***${at > 0 ? email.slice(at) : ''}`;
}

/** `"+14155550100"` → `"+1***0100"`: the country code and last four digits, as callers recognise a number by them. */
function maskPhone(phone: string): string {
  return `${phone.slice(0, 2)}***${phone.slice(-4)}`;
}
