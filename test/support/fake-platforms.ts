import type { LeadEvent, LeadIntakeRecord, PendingFetchPlatform } from '@leadflow/domain';
import type { IntakeResolution, LeadIntakeRecordStore, LeadOfRecords, LinkedInLeadQuery, PendingFetchPosition, MetaLeadQuery, OutboxEvent, PlatformLeadReaders, TikTokLeadQuery } from '@leadflow/platform';

/** Intake records in memory, with the DynamoDB adapter's contract; failure events go to the given outbox. */
export class MemoryLeadIntakeRecords implements LeadIntakeRecordStore {
  readonly records = new Map<string, LeadIntakeRecord>();

  constructor(private readonly outbox: Map<string, OutboxEvent>) {}

  private key(platform: PendingFetchPlatform, platformLeadId: string): string {
    return `INTAKE#${platform}#${platformLeadId}`;
  }

  async recordDelivery(record: LeadIntakeRecord) {
    const existing = this.records.get(this.key(record.platform, record.platformLeadId));
    if (existing) return { created: false, record: structuredClone(existing) };
    this.records.set(this.key(record.platform, record.platformLeadId), structuredClone(record));
    return { created: true, record };
  }

  async getRecord(platform: PendingFetchPlatform, platformLeadId: string) {
    return structuredClone(this.records.get(this.key(platform, platformLeadId)));
  }

  /** The records resolved to the lead, and the one its source names: the deliveries whose keys the DynamoDB adapter finds referenced under it. */
  async recordsOfLead(lead: LeadOfRecords) {
    // A web form's source names no intake record: its key is never stored.
    const created = lead.source?.platformLeadId ? this.key(lead.source.kind as PendingFetchPlatform, lead.source.platformLeadId) : undefined;
    return [...this.records.entries()]
      .filter(([key, record]) => record.leadId === lead.leadId || (key === created && record.leadId === undefined))
      .map(([, record]) => structuredClone(record))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async eraseRawDeliveriesOfLead(lead: LeadOfRecords) {
    for (const { platform, platformLeadId } of await this.recordsOfLead(lead)) delete this.records.get(this.key(platform, platformLeadId))!.rawDelivery;
  }

  async listDue(dueBy: string, page: { limit: number; after?: PendingFetchPosition }) {
    // The index's order: due time, then key; a page starts after `page.after` and says where the next starts when full.
    const position = (at: string, platform: string, platformLeadId: string) => `${at} ${this.key(platform as PendingFetchPlatform, platformLeadId)}`;
    const { after, limit } = page;
    const due = [...this.records.values()]
      .filter((record) => record.status === 'pending_fetch' && record.nextAttemptAt !== undefined && record.nextAttemptAt <= dueBy)
      .map((record) => ({ platform: record.platform, platformLeadId: record.platformLeadId, dueAt: record.nextAttemptAt! }))
      .filter((record) => !after || position(record.dueAt, record.platform, record.platformLeadId) > position(after.at, after.platform, after.platformLeadId))
      .sort((a, b) => position(a.dueAt, a.platform, a.platformLeadId).localeCompare(position(b.dueAt, b.platform, b.platformLeadId)))
      .slice(0, limit);
    const last = due.length === limit ? due.at(-1) : undefined;
    return { due, ...(last ? { next: { at: last.dueAt, platform: last.platform, platformLeadId: last.platformLeadId } } : {}) };
  }

  async resolve(platform: PendingFetchPlatform, platformLeadId: string, resolution: IntakeResolution) {
    const record = this.records.get(this.key(platform, platformLeadId));
    if (!record || record.status === 'erased') return 'unchanged' as const;
    const { nextAttemptAt: _next, ...rest } = record;
    // An erased record loses its raw delivery, as in the table.
    if (resolution.status === 'erased') delete rest.rawDelivery;
    this.records.set(this.key(platform, platformLeadId), {
      ...rest,
      status: resolution.status,
      resolvedAt: resolution.at,
      ...(resolution.leadId ? { leadId: resolution.leadId } : {}),
      ...(resolution.reason ? { statusReason: resolution.reason } : {}),
    });
    return 'resolved' as const;
  }

  async recordFailure(failed: LeadIntakeRecord, event: LeadEvent) {
    const record = this.records.get(this.key(failed.platform, failed.platformLeadId));
    if (!record || record.status !== 'pending_fetch') return 'already_resolved' as const;
    Object.assign(record, { attempts: failed.attempts, lastError: failed.lastError, lastAttemptAt: failed.lastAttemptAt, nextAttemptAt: failed.nextAttemptAt });
    this.outbox.set(event.detail.eventId, { eventId: event.detail.eventId, source: 'leadflow.leads', detailType: event.type, detail: event.detail, time: event.time });
    return 'recorded' as const;
  }
}

type Platform = keyof PlatformLeadReaders;

/**
 * The ad platforms' lead APIs as fakes: each answers a sample lead in the platform's own shape, derived
 * from the id, unless the test gave an answer for that id; a platform in `down` fails like an outage.
 */
export class FakePlatformLeadReaders implements PlatformLeadReaders {
  readonly calls: Array<{ platform: Platform; query: MetaLeadQuery | LinkedInLeadQuery | TikTokLeadQuery }> = [];
  readonly down = new Set<Platform>();
  readonly answers = new Map<string, unknown>();

  private async answer(platform: Platform, id: string, query: MetaLeadQuery | LinkedInLeadQuery | TikTokLeadQuery, sample: () => unknown): Promise<unknown> {
    this.calls.push({ platform, query });
    if (this.down.has(platform)) throw new Error(`The ${platform} API answered HTTP 503: Service temporarily unavailable`);
    return structuredClone(this.answers.has(id) ? this.answers.get(id) : sample());
  }

  meta = { readLead: (query: MetaLeadQuery) => this.answer('meta', query.leadgenId, query, () => sampleMetaLead(query.leadgenId)) };
  linkedin = { readLead: (query: LinkedInLeadQuery) => this.answer('linkedin', query.responseId, query, () => sampleLinkedInLead(query.responseId)) };
  tiktok = { readLead: (query: TikTokLeadQuery) => this.answer('tiktok', query.leadId, query, () => sampleTikTokLead(query.leadId, query.pageId)) };
}

export function sampleMetaLead(leadgenId: string) {
  return {
    id: leadgenId,
    created_time: '2026-03-02T10:00:00+0000',
    ad_id: '23850000000000001',
    adset_id: '23850000000000002',
    campaign_id: '23850000000000003',
    form_id: '172036835026334',
    is_organic: false,
    platform: 'ig',
    field_data: [
      { name: 'full_name', values: ['Jane Doe'] },
      { name: 'email', values: [`jane.${leadgenId}@example.com`] },
      { name: 'phone_number', values: ['+15555550123'] },
      { name: 'what_is_your_budget?', values: ['10k-50k'] },
    ],
  };
}

export function sampleLinkedInLead(responseId: string) {
  return {
    id: responseId,
    owner: { sponsoredAccount: 'urn:li:sponsoredAccount:5012345' },
    submitter: 'urn:li:person:abc',
    leadType: 'SPONSORED',
    versionedLeadGenFormUrn: 'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1234567,1)',
    submittedAt: 1772445600000,
    testLead: responseId.startsWith('test-'),
    associatedEntity: { associatedCreative: 'urn:li:sponsoredCreative:98765' },
    leadMetadata: { sponsoredLeadMetadata: { campaign: 'urn:li:sponsoredCampaign:555001' } },
    formResponse: {
      answers: [
        { questionId: 1, answerDetails: { textQuestionAnswer: { answer: 'Lin' } } },
        { questionId: 2, answerDetails: { textQuestionAnswer: { answer: 'Kedin' } } },
        { questionId: 3, answerDetails: { textQuestionAnswer: { answer: `lin.${responseId}@example.com` } } },
        { questionId: 4, answerDetails: { textQuestionAnswer: { answer: 'Contoso' } } },
        { questionId: 9, answerDetails: { textQuestionAnswer: { answer: 'Q3' } } },
      ],
      consentResponses: [{ consentId: 11, accepted: true }],
    },
  };
}

export function sampleTikTokLead(leadId: string, pageId: string) {
  return {
    code: 0,
    message: 'OK',
    request_id: 'req-1',
    data: {
      lead_data: { name: 'Tik Tokker', email: `tik.${leadId}@example.com`, phone_number: '+15555550124', city: 'Austin' },
      meta_data: { lead_id: leadId, lead_source: 'INSTANT_FORM', page_id: pageId, create_time: '2026-03-02 10:00:00', campaign_id: '1800000000000001', adgroup_id: '1800000000000002', ad_id: '1800000000000003' },
    },
  };
}
