import { createHash } from 'node:crypto';

/**
 * The longest campaign name kept: spend rows may name no longer a campaign, and a channel-ROI row is keyed
 * by no longer a one (a lead's `utm_campaign` may be up to 2,048 characters), so a day's rows stay small.
 */
export const maxCampaignLength = 200;

/**
 * The campaign of the row a day's campaigns without spend are folded into, beyond the most a channel keeps
 * of them (`unfundedCampaignRowsPerChannel`). Spend may not name it, and a lead's campaign of that name is
 * kept under another (see `rowCampaign`), so no real campaign is ever counted as, or with, the folded ones.
 */
export const otherCampaignsLabel = '(other campaigns)';

/**
 * A campaign name as channel ROI matches spend to leads: in Unicode normalisation form C, as public text is
 * kept (`publicText`), so "Café" typed as one character or as "e" and a combining accent names one campaign.
 * Spend names go through it, and so do the touches of leads stored before public text was put in NFC.
 */
export function campaignName(text: string): string {
  return text.normalize('NFC');
}

/** Hex digits of the name's SHA-256 a shortened name ends with: 64 bits, so two long names sharing their first characters still stay apart. */
const hashDigits = 16;
const ellipsis = '…';
const prefixLength = maxCampaignLength - ellipsis.length - hashDigits;

/**
 * The campaign a channel-ROI row is kept under: the name as it is, unless it is longer than
 * `maxCampaignLength` or is `otherCampaignsLabel`; then its first 183 characters, `…` and 16 hex digits of
 * the SHA-256 of the whole name (200 characters in all), so two long names that begin alike stay apart and
 * the same name always gets the same row. Spend can be imported for a shortened name as shown in a report.
 *
 * @example
 * rowCampaign('spring') // → 'spring'
 * rowCampaign('x'.repeat(2048)) // → 'xxx…x…' followed by 16 hex digits, 200 characters
 */
export function rowCampaign(campaign: string): string {
  if (campaign.length <= maxCampaignLength && campaign !== otherCampaignsLabel) return campaign;
  // Not cut between the two halves of a surrogate pair; the hash is of the UTF-16 code units, so any two names differ.
  const cut = isHighSurrogate(campaign.charCodeAt(prefixLength - 1)) ? prefixLength - 1 : prefixLength;
  return `${campaign.slice(0, cut)}${ellipsis}${createHash('sha256').update(Buffer.from(campaign, 'utf16le')).digest('hex').slice(0, hashDigits)}`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
