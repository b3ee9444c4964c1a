import './zod-locale';
import * as z from 'zod/mini';

/** Where a visit came from: UTM tags, ad click ids, Meta's `fbc` and `fbp` (its `_fbc`, `_fbp` cookies), landing page and referrer (web touches). */
export const webTouchKeys = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid', 'gbraid', 'wbraid', 'fbclid', 'fbc', 'fbp', 'ttclid', 'li_fat_id', 'landing_url', 'referrer'] as const;

/** Ad-platform ids of the campaign, ad set / ad group, Google's Performance Max asset group, ad / creative and platform form (kept as exact strings). */
export const platformTouchKeys = ['campaign_id', 'campaign_name', 'adset_id', 'adgroup_id', 'asset_group_id', 'ad_id', 'creative_id', 'platform_form_id'] as const;

export const touchKeys = [...webTouchKeys, ...platformTouchKeys] as const;

/**
 * Touch keys that single out one visit, and so the person: ad click ids, Meta's browser ids, the landing
 * page and the referrer (either may carry an email in its query). An erasure removes them and keeps the
 * campaign credit (UTM tags, platform campaign and ad ids).
 */
export const visitIdentifyingTouchKeys = ['gclid', 'gbraid', 'wbraid', 'fbclid', 'fbc', 'fbp', 'ttclid', 'li_fat_id', 'landing_url', 'referrer'] as const satisfies readonly TouchKey[];
export type TouchKey = (typeof touchKeys)[number];

/** The ad click ids a touch may carry, in the order they are read when it carries more than one. */
export const clickIdKeys = ['gclid', 'gbraid', 'wbraid', 'fbclid', 'ttclid', 'li_fat_id'] as const satisfies readonly TouchKey[];
export type ClickIdKey = (typeof clickIdKeys)[number];

export const touchAttributionSchema = z.partialRecord(z.enum(touchKeys), z.string().check(z.maxLength(2048)));
export type TouchAttribution = z.infer<typeof touchAttributionSchema>;

/** First-touch and last-touch credit are both standard; a lead keeps both and reports say which they use. */
export const leadAttributionSchema = z.strictObject({
  firstTouch: z.optional(touchAttributionSchema),
  lastTouch: z.optional(touchAttributionSchema),
});
export type LeadAttribution = z.infer<typeof leadAttributionSchema>;

/**
 * A new lead's attribution: when the sender named no earlier touch (a plain HTML form without
 * `first_touch.*` fields, a webhook without `first_touch`), the touch it came with is its first touch
 * too, as an import or an ad-platform lead's is, so first-touch credit goes to that campaign. A lead
 * that came with no touch at all (a direct visit) gets an empty first touch, which says so: a later touch
 * (an ad click bringing the person back) moves its last touch, never its first.
 */
export function capturedAttribution(attribution: LeadAttribution): LeadAttribution {
  if (attribution.firstTouch) return attribution;
  return attribution.lastTouch ? { firstTouch: attribution.lastTouch, lastTouch: attribution.lastTouch } : { firstTouch: {} };
}

/**
 * Picks the touch keys out of a flat record of submitted values (`prefix` selects e.g. `first_touch.`).
 * Values that are not non-empty strings are ignored; `undefined` when nothing is there.
 */
export function readTouchAttribution(fields: Readonly<Record<string, unknown>>, prefix = ''): TouchAttribution | undefined {
  const touch: TouchAttribution = {};
  for (const key of touchKeys) {
    const value = fields[`${prefix}${key}`];
    if (typeof value === 'string' && value.trim() !== '') touch[key] = value.trim().slice(0, 2048);
    else if (typeof value === 'number' || typeof value === 'bigint') touch[key] = String(value);
  }
  return Object.keys(touch).length ? touch : undefined;
}
