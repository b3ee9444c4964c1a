import { createHash } from 'node:crypto';
import type { Principal } from './access-policy';
import type { LeadAttribution, TouchAttribution } from './attribution';
import { campaignName } from './channel-roi-campaigns';
import type { Configuration } from './configuration';
import type { FieldIssue } from './form-submission';
import type { IntakeSubmission } from './lead-intake';
import type { ImportRow } from './lead-import-file';
import { organisationCountry, phoneCountry } from './organisation-country';

/** Importing lead lists (trade shows, purchased lists) is for managers and admins. */
export function canImportLeads(principal: Principal): boolean {
  return principal.roles.includes('manager') || principal.roles.includes('admin');
}

/** What an import is credited to and where its leads go. */
export interface ImportTarget {
  /** The configured channel the leads are credited to. */
  channel: string;
  /** The campaign (a trade show, a list purchase) the leads are attributed to, if any. */
  campaign?: string;
  poolId: string;
  /** The import's source: the campaign, else the channel. Part of each row's delivery key. */
  sourceId: string;
  /** National phone numbers are read in the row's `country` (when it is an ISO code), else in this one. */
  defaultCountry?: string;
}

/** The parameters of an import, by the names the HTTP endpoint takes (`--source` … on the command line). */
export interface ImportParameters {
  source?: string;
  campaign?: string;
  pool?: string;
  country?: string;
}

/** Letters and digits of any script (`展会`, `Messe München`), with their accents and vowel signs, spaces and `_.:/-`; 128 characters at most. */
const campaignPattern = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} _.:/-]{0,127}$/u;

/**
 * Reads `fromLine`, the line an import goes on from: the `nextLine` of a call that ran out of time, so
 * the same file sent again stores only the rest. A whole number from 2 (line 1 is the header).
 */
export function readImportFromLine(fromLine: string | undefined): { ok: true; fromLine: number | undefined } | { ok: false; issues: FieldIssue[] } {
  if (fromLine === undefined || (/^[0-9]{1,9}$/.test(fromLine) && Number(fromLine) >= 2)) return { ok: true, fromLine: fromLine === undefined ? undefined : Number(fromLine) };
  return { ok: false, issues: [{ path: 'fromLine', message: 'must be a whole number of 2 or more: the "nextLine" of the import that stopped (line 1 is the header)' }] };
}

/**
 * Checks an import's parameters against the configuration. `source` must be a configured channel;
 * `pool` a configured pool, and it may be left out only when the configuration has one pool;
 * `country` (for national phone numbers) defaults to the organisation's (see `organisationCountry`).
 * Issues name the parameter.
 */
export function resolveImportTarget(config: Configuration, parameters: Readonly<ImportParameters>): { ok: true; target: ImportTarget } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const channelIds = config.channels.map((channel) => channel.id);
  const poolIds = config.pools.map((pool) => pool.id);
  const { source, pool, country } = parameters;
  // One form of the name, as channel ROI matches campaigns: "é" typed as one character or as two is one campaign.
  const campaign = parameters.campaign === undefined ? undefined : campaignName(parameters.campaign);

  if (!source) issues.push({ path: 'source', message: `is required: the channel the leads came from (one of ${channelIds.join(', ')})` });
  else if (!channelIds.includes(source)) issues.push({ path: 'source', message: `unknown channel "${source}"; configured channels: ${channelIds.join(', ')}` });

  if (campaign !== undefined && !campaignPattern.test(campaign)) {
    issues.push({ path: 'campaign', message: 'must be 1-128 letters (of any script), digits, spaces or "_.:/-", starting with a letter or digit' });
  }

  let poolId = pool;
  if (pool === undefined || pool === '') {
    if (poolIds.length === 1) poolId = poolIds[0];
    else issues.push({ path: 'pool', message: `is required: the pool the leads go to (one of ${poolIds.join(', ')})` });
  } else if (!poolIds.includes(pool)) {
    issues.push({ path: 'pool', message: `unknown pool "${pool}"; configured pools: ${poolIds.join(', ')}` });
  }

  if (country !== undefined && !phoneCountry(country)) issues.push({ path: 'country', message: 'must be an ISO 3166-1 alpha-2 country code such as "US"' });

  // Each missing value pushed an issue above; testing them again narrows their types.
  if (issues.length || !source || !poolId) return { ok: false, issues };
  return {
    ok: true,
    target: { channel: source, campaign: campaign || undefined, poolId, sourceId: campaign || source, defaultCountry: phoneCountry(country) ?? organisationCountry(config) },
  };
}

/**
 * A stable key of a row, the same for the same row in any file of the same import source, so importing a
 * file again replays rather than creating anything. A row with an external id is keyed by it and the channel
 * (`id:<channel>:<id>`), as a platform's lead id keys its webhook deliveries: a row corrected in the file and
 * imported again is the same delivery, replayed, not a second lead. The channel is in the key because the
 * delivery key is scoped by `sourceId`, the campaign when there is one, and two channels' files of the same
 * campaign number their rows independently: id 17 of one is not id 17 of the other. Without one, a row is keyed by its content (column
 * order, letter case of emails and spacing do not matter), and two identical rows in one file are one delivery.
 */
export function importRowKey(row: Pick<ImportRow, 'contact' | 'answers' | 'touch' | 'externalId'>, target: Pick<ImportTarget, 'channel'>): string {
  // The prefix keeps an id apart from every content key (32 hex digits).
  if (row.externalId !== undefined) return `id:${target.channel}:${row.externalId}`;
  const normalise = (record: Readonly<Record<string, string | undefined>>) =>
    Object.entries(record)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
      .map(([key, value]) => [key, value.trim().replace(/\s+/g, ' ')] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const contact = normalise({ ...row.contact, email: row.contact.email?.toLowerCase() });
  const canonical = JSON.stringify([target.channel, contact, normalise(row.answers), normalise(row.touch)]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * Turns an import row into an intake submission: credited to the import's channel, attributed to its
 * campaign (as `campaign_id`, unless the row names its own), with the row key as the platform lead id.
 */
export function importSubmission(row: ImportRow, target: ImportTarget): IntakeSubmission {
  const touch: TouchAttribution = { ...(target.campaign ? { campaign_id: target.campaign } : {}), ...row.touch };
  // The import is the first touch of a new person and the latest touch of a known one.
  const attribution: LeadAttribution = Object.keys(touch).length ? { firstTouch: touch, lastTouch: touch } : {};
  return {
    sourceKind: 'import',
    channel: target.channel,
    poolId: target.poolId,
    defaultCountry: phoneCountry(row.contact.country) ?? target.defaultCountry ?? '',
    contact: row.contact,
    answers: row.answers,
    attribution,
    platformLeadId: importRowKey(row, target),
    sourceId: target.sourceId,
    isTest: false,
  };
}
