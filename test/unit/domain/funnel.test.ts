import { describe, expect, it } from 'vitest';
import {
  changedRows,
  funnelCsv,
  funnelJsonRows,
  funnelLines,
  funnelQuerySchema,
  funnelTotal,
  funnelTotalJson,
  reportFigures,
  reportLines,
  rollupRowSchema,
  rollUpDay,
  roiFactsOfLead,
  type Lead,
  type LeadHistoryEntry,
  type LeadRoiFacts,
  type RollupVersion,
} from '@leadflow/domain';

/**
 * A day of leads whose funnel was worked out by hand (UTC organisation, cohort day 2026-05-04).
 * Every expected figure in the tests below is computed in the comments from these times, not by the code.
 */
interface FunnelFixtureLead {
  leadId: string;
  channel: string;
  campaign: string;
  status: Lead['status'];
  capturedAt: string;
  firstContactAt?: string;
  steps?: Array<{ action: LeadHistoryEntry['action']; at: string }>;
  wonAt?: string;
  isTest?: boolean;
}

const fixtureLeads: FunnelFixtureLead[] = [
  // Captured 08:00; first contact 20:00 (0.5 d); qualified 05-06 08:00 (1.5 d after contact); won 05-10 08:00 (4 d after qualifying).
  {
    leadId: 'f1',
    channel: 'meta-ads',
    campaign: 'spring',
    status: 'converted',
    capturedAt: '2026-05-04T08:00:00.000Z',
    firstContactAt: '2026-05-04T20:00:00.000Z',
    steps: [
      { action: 'contacted', at: '2026-05-04T20:00:00.000Z' },
      { action: 'qualified', at: '2026-05-06T08:00:00.000Z' },
      { action: 'converted', at: '2026-05-10T09:00:00.000Z' },
    ],
    wonAt: '2026-05-10T08:00:00.000Z',
  },
  // Captured 09:00; first contact 05-05 09:00 (1 d); qualified 05-05 21:00 (0.5 d).
  {
    leadId: 'f2',
    channel: 'meta-ads',
    campaign: 'spring',
    status: 'qualified',
    capturedAt: '2026-05-04T09:00:00.000Z',
    firstContactAt: '2026-05-05T09:00:00.000Z',
    steps: [{ action: 'qualified', at: '2026-05-05T21:00:00.000Z' }],
  },
  // Captured 10:00; no first-contact time on the lead, a `contacted` entry on 05-07 10:00 (3 d).
  { leadId: 'f3', channel: 'meta-ads', campaign: 'spring', status: 'contacted', capturedAt: '2026-05-04T10:00:00.000Z', steps: [{ action: 'contacted', at: '2026-05-07T10:00:00.000Z' }] },
  // Captured 10:00, judged invalid at 12:00: captured, never valid.
  { leadId: 'f4', channel: 'meta-ads', campaign: 'spring', status: 'invalid', capturedAt: '2026-05-04T10:00:00.000Z', steps: [{ action: 'invalidated', at: '2026-05-04T12:00:00.000Z' }] },
  // Captured 11:00, invalid at 12:00, reactivated 05-05 11:00: valid 1 d after capture; waiting in its pool.
  {
    leadId: 'f5',
    channel: 'meta-ads',
    campaign: 'spring',
    status: 'in_pool',
    capturedAt: '2026-05-04T11:00:00.000Z',
    steps: [
      { action: 'invalidated', at: '2026-05-04T12:00:00.000Z' },
      { action: 'reactivated', at: '2026-05-05T11:00:00.000Z' },
    ],
  },
  // A test lead: never in the funnel.
  { leadId: 'f6', channel: 'meta-ads', campaign: 'spring', status: 'new', capturedAt: '2026-05-04T11:30:00.000Z', isTest: true },
  // google-ads/brand, captured 12:00; first contact 18:00 (0.25 d); won 05-08 12:00 with no `qualified` entry: qualified when won
  // (contact → qualified 05-04 18:00 → 05-08 12:00 = 3.75 d; qualified → converted 0 d).
  { leadId: 'f7', channel: 'google-ads', campaign: 'brand', status: 'converted', capturedAt: '2026-05-04T12:00:00.000Z', firstContactAt: '2026-05-04T18:00:00.000Z', wonAt: '2026-05-08T12:00:00.000Z' },
];

function storedLead(fixture: FunnelFixtureLead): Lead {
  return {
    leadId: fixture.leadId,
    status: fixture.status,
    channel: fixture.channel,
    source: { kind: fixture.channel === 'meta-ads' ? 'meta' : 'google' },
    poolId: 'americas-inbound',
    contact: { email: `${fixture.leadId}@example.com` },
    answers: {},
    attribution: { firstTouch: { utm_campaign: fixture.campaign } },
    isTest: fixture.isTest ?? false,
    touches: 1,
    ...(fixture.firstContactAt ? { firstContactAt: fixture.firstContactAt } : {}),
    ...(fixture.wonAt ? { conversion: { revenue: 100, currency: 'USD', wonAt: fixture.wonAt, by: 'rep-ava' } } : {}),
    capturedAt: fixture.capturedAt,
    updatedAt: fixture.wonAt ?? fixture.capturedAt,
    history: [{ at: fixture.capturedAt, action: 'captured', by: 'system' }, ...(fixture.steps ?? []).map((step) => ({ ...step, by: 'rep-ava' }))],
  };
}

const reporting = { timeZone: 'UTC', currency: 'USD', channelRoi: { exchangeRates: [] } };

function fixtureFacts(): LeadRoiFacts[] {
  return fixtureLeads.map((fixture) => ({ ...roiFactsOfLead(storedLead(fixture), reporting), slaBreached: false }));
}

const fixtureVersion = (): RollupVersion => ({ day: '2026-05-04', version: 1, rolledUpAt: '2026-05-05T00:30:00.000Z', rows: rollUpDay(fixtureFacts(), []) });

const header =
  'date,attribution,channel,version,captured,valid,contacted,qualified,converted,captured_to_valid_rate,valid_to_contacted_rate,contacted_to_qualified_rate,qualified_to_converted_rate,median_days_captured_to_valid,median_days_valid_to_contacted,median_days_contacted_to_qualified,median_days_qualified_to_converted';

describe('the funnel of the hand-computed day', () => {
  it('keeps when each lead reached each stage, a stage reached without its own time taking the next one’s', () => {
    const facts = new Map(fixtureFacts().map((fact) => [fact.leadId, fact.reachedAt]));
    expect(facts.get('f5')).toEqual({ captured: '2026-05-04T11:00:00.000Z', valid: '2026-05-05T11:00:00.000Z' });
    expect(facts.get('f4')).toEqual({ captured: '2026-05-04T10:00:00.000Z' });
    // Won at 08:00 though the timeline entry came at 09:00: the deal's own time counts.
    expect(facts.get('f1')?.converted).toBe('2026-05-10T08:00:00.000Z');
    expect(facts.get('f7')).toEqual({
      captured: '2026-05-04T12:00:00.000Z',
      valid: '2026-05-04T12:00:00.000Z',
      contacted: '2026-05-04T18:00:00.000Z',
      qualified: '2026-05-08T12:00:00.000Z',
      converted: '2026-05-08T12:00:00.000Z',
    });
  });

  it('counts, rates and medians per channel, byte for byte', () => {
    const lines = reportLines([{ latest: fixtureVersion() }], { groupBy: 'channel', attribution: 'first' });
    // google-ads: f7 alone at every stage → rates 1/1; medians 0 d, 0.25 d, 3.75 d, 0 d.
    // meta-ads: captured f1–f5 = 5 (f6 is a test); valid f1, f2, f3, f5 = 4; contacted f1, f2, f3 = 3; qualified f1, f2 = 2; converted f1 = 1.
    //   Rates 4/5 = 0.8000, 3/4 = 0.7500, 2/3 = 0.6667, 1/2 = 0.5000.
    //   Capture → valid: 0, 0, 0 (f1–f3), 1 d (f5) → median (0 + 0)/2 = 0.00. Valid → contacted: 0.5, 1, 3 → 1.00.
    //   Contacted → qualified: 1.5, 0.5 → (0.5 + 1.5)/2 = 1.00. Qualified → converted: 4 → 4.00.
    expect(funnelCsv(lines, 'channel')).toBe(
      [header, '2026-05-04,first,google-ads,1,1,1,1,1,1,1.0000,1.0000,1.0000,1.0000,0.00,0.25,3.75,0.00', '2026-05-04,first,meta-ads,1,5,4,3,2,1,0.8000,0.7500,0.6667,0.5000,0.00,1.00,1.00,4.00', ''].join('\r\n'),
    );
  });

  it('merges a day’s channels grouped by day, with medians over every lead rather than of the channels’ medians', () => {
    const lines = funnelLines(reportLines([{ latest: fixtureVersion() }], { groupBy: 'channel', attribution: 'first' }), 'day', 'first');
    // Captured 5 + 1 = 6, valid 5, contacted 4, qualified 3, converted 2 → 5/6 = 0.8333, 4/5 = 0.8000, 3/4 = 0.7500, 2/3 = 0.6667.
    // Capture → valid: 0, 0, 0, 0, 1 d → 0.00. Valid → contacted: 0.25, 0.5, 1, 3 → (0.5 + 1)/2 = 0.75 (the channels' medians, 0.25 and 1, would give 0.625).
    // Contacted → qualified: 0.5, 1.5, 3.75 → 1.50. Qualified → converted: 0, 4 → 2.00.
    expect(funnelJsonRows(lines, 'day')).toEqual([
      {
        date: '2026-05-04',
        attribution: 'first',
        version: 1,
        captured: 6,
        valid: 5,
        contacted: 4,
        qualified: 3,
        converted: 2,
        captured_to_valid_rate: 0.8333,
        valid_to_contacted_rate: 0.8,
        contacted_to_qualified_rate: 0.75,
        qualified_to_converted_rate: 0.6667,
        median_days_captured_to_valid: 0,
        median_days_valid_to_contacted: 0.75,
        median_days_contacted_to_qualified: 1.5,
        median_days_qualified_to_converted: 2,
      },
    ]);
    const { date: _date, attribution: _attribution, version: _version, ...figures } = funnelJsonRows(lines, 'day')[0];
    expect(funnelTotalJson(funnelTotal(lines, 'first'))).toEqual(figures);
  });

  it('leaves a rate or median empty where nothing reached the stage before, and reads versions rolled up before the funnel', () => {
    // A version stored before stage times existed: its rows have no `stageSeconds`.
    const { stageSeconds: _stageSeconds, ...oldRow } = fixtureVersion().rows.find((row) => row.channel === 'google-ads' && row.attribution === 'first')!;
    const row = rollupRowSchema.parse({ ...oldRow, leads: 0, contacted: 0, qualified: 0, converted: 0, firstContactSeconds: [] });
    expect(funnelJsonRows([{ day: '2026-05-04', version: 1, row }], 'campaign')).toEqual([
      expect.objectContaining({ campaign: 'brand', captured: 0, captured_to_valid_rate: null, valid_to_contacted_rate: null, median_days_captured_to_valid: null, median_days_qualified_to_converted: null }),
    ]);
  });

  it('counts the stages after valid over valid leads only, so a lead judged invalid after its contact raises no rate over 1', () => {
    // g1–g3 contacted at 09:00; g2 and g3 judged invalid at 10:00: captured 3, valid 1, contacted 1 (g1) → 1/1, not 3/1.
    const contacted = (leadId: string, invalidated: boolean): FunnelFixtureLead => ({
      leadId,
      channel: 'meta-ads',
      campaign: 'spring',
      status: invalidated ? 'invalid' : 'contacted',
      capturedAt: '2026-05-04T08:00:00.000Z',
      firstContactAt: '2026-05-04T09:00:00.000Z',
      steps: [{ action: 'contacted', at: '2026-05-04T09:00:00.000Z' }, ...(invalidated ? [{ action: 'invalidated' as const, at: '2026-05-04T10:00:00.000Z' }] : [])],
    });
    const facts = [contacted('g1', false), contacted('g2', true), contacted('g3', true)].map((fixture) => ({ ...roiFactsOfLead(storedLead(fixture), reporting), slaBreached: false }));
    const row = rollUpDay(facts, []).find((candidate) => candidate.attribution === 'first')!;
    expect(funnelJsonRows([{ day: '2026-05-04', version: 1, row }], 'campaign')[0]).toMatchObject({ captured: 3, valid: 1, contacted: 1, valid_to_contacted_rate: 1 });
    // The channel-ROI export still counts every contact made.
    expect(reportFigures(row, 2).contacted).toBe(3);
    // A version stored before the valid-only counts were kept: its contacts are capped at its valid leads.
    const { validContacted: _contacted, validQualified: _qualified, validConverted: _converted, ...oldRow } = row;
    expect(funnelJsonRows([{ day: '2026-05-04', version: 1, row: rollupRowSchema.parse(oldRow) }], 'campaign')[0]).toMatchObject({ valid: 1, contacted: 1, valid_to_contacted_rate: 1 });
  });

  it('takes the medians of the steps after valid over valid leads only, as their counts', () => {
    // h1 contacted 09:00, qualified 05-05 09:00 (1 d); h2 the same but qualified 05-13 09:00 (9 d), then judged invalid:
    // contacted 1, qualified 1, and the contact → qualified median is h1's 1 d, not the (1 + 9)/2 = 5 d with h2.
    const qualified = (leadId: string, qualifiedAt: string, invalidated: boolean): FunnelFixtureLead => ({
      leadId,
      channel: 'meta-ads',
      campaign: 'spring',
      status: invalidated ? 'invalid' : 'qualified',
      capturedAt: '2026-05-04T08:00:00.000Z',
      firstContactAt: '2026-05-04T09:00:00.000Z',
      steps: [{ action: 'contacted', at: '2026-05-04T09:00:00.000Z' }, { action: 'qualified', at: qualifiedAt }, ...(invalidated ? [{ action: 'invalidated' as const, at: '2026-05-14T09:00:00.000Z' }] : [])],
    });
    const facts = [qualified('h1', '2026-05-05T09:00:00.000Z', false), qualified('h2', '2026-05-13T09:00:00.000Z', true)].map((fixture) => ({ ...roiFactsOfLead(storedLead(fixture), reporting), slaBreached: false }));
    const row = rollUpDay(facts, []).find((candidate) => candidate.attribution === 'first')!;
    expect(funnelJsonRows([{ day: '2026-05-04', version: 1, row }], 'campaign')[0]).toMatchObject({
      captured: 2,
      valid: 1,
      contacted: 1,
      qualified: 1,
      median_days_valid_to_contacted: 0.04,
      median_days_contacted_to_qualified: 1,
    });
  });

  it('shows no channel-ROI change for a day restated only because the funnel’s stage times are now kept', () => {
    const current = fixtureVersion().rows;
    const before = current.map(({ stageSeconds: _stageSeconds, ...row }) => rollupRowSchema.parse(row));
    expect(changedRows(before, current, 2)).toEqual([]);
    const converted = current.map((row) => (row.channel === 'google-ads' ? { ...row, converted: 0 } : row));
    expect(changedRows(converted, current, 2).map(({ row, change }) => [row.attribution, row.channel, change])).toEqual([
      ['first', 'google-ads', 'changed'],
      ['last', 'google-ads', 'changed'],
    ]);
  });

  it('names bad report parameters', () => {
    const issues = (query: Record<string, string>) => {
      const parsed = funnelQuerySchema.safeParse(query);
      return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
    };
    expect(issues({ from: '2026-05-04', to: '2026-05-04' })).toEqual([]);
    expect(funnelQuerySchema.parse({ from: '2026-05-04', to: '2026-05-04' })).toEqual({ from: '2026-05-04', to: '2026-05-04', groupBy: 'channel', attribution: 'first' });
    expect(issues({ from: '2026-02-30', to: '2026-05-04' })).toEqual(['from']);
    expect(issues({ from: '2026-05-04', to: '2026-05-03' })).toEqual(['to']);
    expect(issues({ from: '2026-05-04', to: '2026-05-04', groupBy: 'week' })).toEqual(['groupBy']);
    expect(issues({ from: '2026-05-04', to: '2026-05-04', format: 'xml' })).toEqual(['format']);
    expect(issues({ from: '2026-05-04', to: '2026-05-04', sinceVersion: '1' })).toEqual(['']);
  });
});
