import {
  afterFailedFetch,
  deliveryDedupKey,
  erasedAtPersonsRequest,
  erasedIntakeRecord,
  erasePersonFromLead,
  fetchAlarmAttempts,
  fetchFailedEvent,
  newIntakeRecord,
  platformLeadIdOf,
  secretRefs,
  submissionFromFetchedLead,
  type Configuration,
  type FieldIssue,
  type IntakeRecordStatus,
  type LeadIntakeRecord,
  type PlatformLeadRequest,
} from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { ingestSubmission } from './ingest-submission';
import { logger } from './logger';
import { operationalMetricNames } from './ports/operational-metrics';

/**
 * The "never lost" intake of platforms whose leads must be read back (Meta, LinkedIn, TikTok): store the
 * delivery, read the lead, store the lead, mark the delivery done; or, when the read fails, keep the
 * delivery pending with its error and the time of the next attempt, and announce `lead.fetch_failed`.
 * An unsigned delivery is the exception: it is read first, and only what its platform confirms is stored.
 */

export type PlatformIntakeDependencies = Pick<Dependencies, 'config' | 'ingestion' | 'erasures' | 'measuredPriors' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'newId'>;

/** What became of one delivered platform lead, as the webhook answers it. */
export interface PlatformDeliveryResult {
  platformLeadId: string;
  status: IntakeRecordStatus;
  leadId?: string;
  /** The delivery had been received before (a redelivery). */
  duplicate?: true;
}

/**
 * What the answer to a signed delivery says beside its deliveries: the items naming no lead that can be read,
 * logged as an error and counted (`PlatformDeliveryUnreadable`, alarmed), as nothing was stored for them and
 * the platform will not send them again; and the malformed optional fields left out. Each only when there are any.
 */
export function unreadableAndIgnored(
  deps: Pick<Dependencies, 'metrics'>,
  platform: PlatformLeadRequest['platform'],
  reading: { unreadable: FieldIssue[]; ignored: FieldIssue[] },
): { unreadable?: FieldIssue[]; ignored?: FieldIssue[] } {
  const { unreadable, ignored } = reading;
  if (unreadable.length) {
    logger.error('A signed platform delivery held items naming no readable lead; they were not stored', { platform, unreadable });
    deps.metrics.count(operationalMetricNames.platformDeliveryUnreadable, { platform });
  }
  return { ...(unreadable.length ? { unreadable } : {}), ...(ignored.length ? { ignored } : {}) };
}

/** At most this many leads of one delivery are read while the platform waits; the rest go to the retry schedule. */
export const leadsReadPerDelivery = 10;

/**
 * Stores every delivered lead as a pending intake record first (a redelivery finds its record), with the
 * raw body it came in when the delivery names that lead alone, and only
 * then reads the new ones from their platform. Resolves once every record is durable, whatever the
 * platform did: the webhook may be acknowledged.
 */
export async function receivePlatformLeads(deps: PlatformIntakeDependencies, requests: readonly PlatformLeadRequest[], now: Date, rawDelivery?: string): Promise<PlatformDeliveryResult[]> {
  // A body naming several leads can hold each person's data: on every record, one person's export would show the others, and their erasure would leave it on the others' records.
  const namesOneLead = new Set(requests.map(platformLeadIdOf)).size === 1;
  const stored: Array<{ created: boolean; record: LeadIntakeRecord }> = [];
  for (const request of requests) stored.push(await deps.intakes.recordDelivery(newIntakeRecord(request, now, namesOneLead ? rawDelivery : undefined)));

  const toRead = stored.filter(({ created }) => created).slice(0, leadsReadPerDelivery);
  const read = new Map<LeadIntakeRecord, LeadIntakeRecord>();
  await Promise.all(
    toRead.map(async ({ record }) => {
      try {
        read.set(record, await fetchAndIngestLead(deps, record, now));
      } catch (error) {
        // The record is durable and due in a minute; the retry schedule will read it.
        logger.error('Could not record the outcome of a platform lead read', { platform: record.platform, platformLeadId: record.platformLeadId, error: error as Error });
      }
    }),
  );
  return stored.map(({ created, record }) => deliveryResult(read.get(record) ?? record, created));
}

/** A lead of an unsigned delivery that could not be read back or routed: nothing was stored for it. */
export interface UnreadPlatformLead {
  platformLeadId: string;
  problem: string;
}

/** Seconds a sender is asked to wait before delivering again a lead its platform could not confirm. */
export const unreadLeadRetryAfterSeconds = 60;

/**
 * The intake of a delivery no signature vouches for (a TikTok trigger for a form with `allowUnsigned`):
 * each new lead is read from its platform first and stored, record and lead, only once the platform has
 * answered it and it can be routed, so a forged id leaves nothing behind for the retry schedule. A lead
 * whose record exists is a duplicate and is not read again. `unread` names the leads nothing was stored
 * for: the caller answers so that the platform delivers them again, and finds the others as duplicates.
 * The caller bounds how many leads one delivery names (TikTok: `maxTikTokLeadsPerDelivery`), since all are read.
 */
export async function receiveUnsignedPlatformLeads(
  deps: PlatformIntakeDependencies,
  requests: readonly PlatformLeadRequest[],
  now: Date,
  rawDelivery?: string,
): Promise<{ deliveries: PlatformDeliveryResult[]; unread: UnreadPlatformLead[] }> {
  const namesOneLead = new Set(requests.map(platformLeadIdOf)).size === 1;
  // A lead named twice is read once.
  const byLead = new Map<string, Promise<Confirmation>>();
  const confirmations = await Promise.all(
    requests.map((request) => {
      const platformLeadId = platformLeadIdOf(request);
      const confirmation = byLead.get(platformLeadId) ?? confirmLead(deps, request);
      byLead.set(platformLeadId, confirmation);
      return confirmation;
    }),
  );

  const deliveries: PlatformDeliveryResult[] = [];
  const unread = new Map<string, UnreadPlatformLead>();
  const toIngest: Array<{ record: LeadIntakeRecord; fetched: unknown; index: number }> = [];
  for (const [index, request] of requests.entries()) {
    const platformLeadId = platformLeadIdOf(request);
    const confirmation = confirmations[index];
    if ('problem' in confirmation) {
      if (!unread.has(platformLeadId)) logger.warn('An unsigned platform lead could not be read back; nothing was stored for it', { platform: request.platform, platformLeadId, error: confirmation.problem });
      unread.set(platformLeadId, { platformLeadId, problem: confirmation.problem });
      continue;
    }
    const { created, record } = 'existing' in confirmation ? { created: false, record: confirmation.existing } : await deps.intakes.recordDelivery(newIntakeRecord(request, now, namesOneLead ? rawDelivery : undefined));
    if (created && 'fetched' in confirmation) toIngest.push({ record, fetched: confirmation.fetched, index: deliveries.length });
    deliveries.push(deliveryResult(record, created));
  }
  await Promise.all(
    toIngest.map(async ({ record, fetched, index }) => {
      try {
        deliveries[index] = deliveryResult(await fetchAndIngestLead(deps, record, now, { fetched }), true);
      } catch (error) {
        logger.error('Could not record the outcome of a platform lead read', { platform: record.platform, platformLeadId: record.platformLeadId, error: error as Error });
      }
    }),
  );
  return { deliveries, unread: [...unread.values()] };
}

type Confirmation = { existing: LeadIntakeRecord } | { fetched: unknown } | { problem: string };

/** An unsigned lead's record, if it was delivered before; else the lead as its platform answers it, if it can be routed; else why not. */
async function confirmLead(deps: PlatformIntakeDependencies, request: PlatformLeadRequest): Promise<Confirmation> {
  const existing = await deps.intakes.getRecord(request.platform, platformLeadIdOf(request));
  if (existing) return { existing };
  try {
    const fetched = await readPlatformLead(deps, request);
    const read = submissionFromFetchedLead(deps.config.integrations, request, fetched);
    return read.ok ? { fetched } : { problem: read.problem };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

function deliveryResult(record: LeadIntakeRecord, created: boolean): PlatformDeliveryResult {
  return { platformLeadId: record.platformLeadId, status: record.status, ...(record.leadId ? { leadId: record.leadId } : {}), ...(created ? {} : { duplicate: true as const }) };
}

/**
 * Reads one pending lead from its platform and stores it, marking the record `fetched` (or `skipped` for
 * a test lead the form does not include). A failure of the platform, its answer or the configuration is
 * recorded on the record with the next attempt's time and a `lead.fetch_failed` event; only a failure to
 * record that rejects. Resolves with the record as it now is. `prefetched` is the lead already read
 * (an unsigned delivery is read before it is stored), so it is not read a second time.
 */
export async function fetchAndIngestLead(deps: PlatformIntakeDependencies, record: LeadIntakeRecord, now: Date, prefetched?: { fetched: unknown }): Promise<LeadIntakeRecord> {
  const at = now.toISOString();
  let outcome: { status: 'fetched'; leadId: string } | { status: 'skipped'; reason: string };
  try {
    const fetched = prefetched ? prefetched.fetched : await readPlatformLead(deps, record.request);
    const read = submissionFromFetchedLead(deps.config.integrations, record.request, fetched);
    if (!read.ok) throw new Error(read.problem);
    if (read.submission.isTest && !read.includeTestLeads) {
      outcome = { status: 'skipped', reason: 'a platform test lead, and the form does not include test leads' };
    } else {
      const { leadId } = await ingestSubmission(deps, read.submission, now);
      outcome = { status: 'fetched', leadId };
    }
  } catch (error) {
    const failed = afterFailedFetch(record, (error as Error).message, now);
    const recorded = await deps.intakes.recordFailure(failed, fetchFailedEvent(failed, deps.newId(), now));
    if (recorded === 'already_resolved') return (await deps.intakes.getRecord(record.platform, record.platformLeadId)) ?? record;
    const details = { platform: failed.platform, platformLeadId: failed.platformLeadId, attempts: failed.attempts, nextAttemptAt: failed.nextAttemptAt, error: failed.lastError };
    deps.metrics.count('PlatformLeadFetchFailed', { platform: failed.platform });
    if (failed.attempts >= fetchAlarmAttempts) logger.error('A platform lead still cannot be read; it stays pending and is retried', details);
    else logger.warn('Could not read a platform lead; it stays pending and is retried', details);
    return failed;
  }
  if (outcome.status === 'fetched') {
    const resolved = await deps.intakes.resolve(record.platform, record.platformLeadId, { status: 'fetched', leadId: outcome.leadId, at });
    // The person deleted the lead while it was being read: their erasure found no lead then, so the one just stored is erased now.
    const latest = resolved === 'unchanged' ? await deps.intakes.getRecord(record.platform, record.platformLeadId) : undefined;
    if (latest?.status === 'erased') {
      await eraseDeliveredLead(deps, record.request, now);
      return latest;
    }
  } else await deps.intakes.resolve(record.platform, record.platformLeadId, { status: 'skipped', reason: outcome.reason, at });
  const { nextAttemptAt: _next, ...resolved } = record;
  return { ...resolved, ...outcome, ...(outcome.status === 'skipped' ? { statusReason: outcome.reason } : {}), resolvedAt: at };
}

/**
 * Honours a person's deletion of a platform lead (LinkedIn `leadAction: DELETED`): the delivery's record
 * becomes `erased`, without its raw delivery (created so, if the lead was never delivered, so a late
 * delivery is not read; the deletion notice itself is not kept), and the lead, if it was stored, loses the
 * person's data and their person keys.
 */
export async function erasePlatformLead(deps: Pick<PlatformIntakeDependencies, 'erasures' | 'intakes' | 'newId'>, request: PlatformLeadRequest, now: Date): Promise<PlatformDeliveryResult> {
  const at = now.toISOString();
  const platformLeadId = platformLeadIdOf(request);
  const { created, record } = await deps.intakes.recordDelivery(erasedIntakeRecord(request, now, erasedAtPersonsRequest));
  if (!created && record.status !== 'erased') await deps.intakes.resolve(request.platform, platformLeadId, { status: 'erased', reason: erasedAtPersonsRequest, at });
  const erased = await eraseDeliveredLead(deps, request, now);
  return { platformLeadId, status: 'erased', ...(erased ? { leadId: erased.leadId } : {}) };
}

/**
 * Erases the person from the lead a platform delivery stored, found by its delivery key, then the raw
 * payloads of the other platform deliveries that touched it (again, too, for a deletion redelivered after an
 * interrupted erasure); `undefined` when no lead was stored.
 */
async function eraseDeliveredLead(deps: Pick<PlatformIntakeDependencies, 'erasures' | 'intakes' | 'newId'>, request: PlatformLeadRequest, now: Date) {
  const erased = await deps.erasures.erasePerson({
    dedupKey: deliveryDedupKey(request.platform, undefined, platformLeadIdOf(request)),
    erase: (lead) => erasePersonFromLead(lead, { at: now.toISOString(), eventId: deps.newId() }),
  });
  if (erased) await deps.intakes.eraseRawDeliveriesOfLead({ leadId: erased.leadId });
  return erased;
}

/** Reads the lead a request names from its platform, with the platform's current access token. */
async function readPlatformLead(deps: Pick<PlatformIntakeDependencies, 'config' | 'platformLeads' | 'secrets'>, request: PlatformLeadRequest): Promise<unknown> {
  const integrations: Configuration['integrations'] = deps.config.integrations;
  if (request.platform === 'meta') {
    if (!integrations.meta) throw new Error('Meta Lead Ads is not configured (integrations.meta)');
    const pageAccessToken = await deps.secrets.get(secretRefs.metaPageAccessToken);
    return deps.platformLeads.meta.readLead({ leadgenId: request.leadgenId, accessToken: pageAccessToken.current });
  }
  if (request.platform === 'linkedin') {
    if (!integrations.linkedin) throw new Error('LinkedIn Lead Sync is not configured (integrations.linkedin)');
    const accessToken = await deps.secrets.get(secretRefs.linkedInAccessToken);
    return deps.platformLeads.linkedin.readLead({ responseId: request.responseId, accessToken: accessToken.current, apiVersion: integrations.linkedin.apiVersion });
  }
  if (!integrations.tiktok) throw new Error('TikTok lead generation is not configured (integrations.tiktok)');
  const accessToken = await deps.secrets.get(secretRefs.tikTokAccessToken);
  return deps.platformLeads.tiktok.readLead({ leadId: request.leadId, pageId: request.pageId, advertiserId: integrations.tiktok.advertiserId, accessToken: accessToken.current });
}
