import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  attributionModels,
  groupRollupRows,
  maxCampaignLength,
  otherCampaignsLabel,
  parseSpendRows,
  rollUpDay,
  rowCampaign,
  unfundedCampaignRowsPerChannel,
  type ChannelDaySpend,
  type LeadRoiFacts,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const day = '2026-08-10';
const spendContext = {
  currency: 'USD',
  channelIds: new Set(demoConfiguration().channels.map((channel) => channel.id)),
  channelRoi: { exchangeRates: [] },
  timeZone: 'America/New_York',
  now: new Date('2026-08-11T12:00:00.000Z'),
};

let leadNumber = 0;
function lead(channel: string, campaign: string, facts: Partial<LeadRoiFacts> = {}): LeadRoiFacts {
  leadNumber += 1;
  return {
    leadId: `lead-${leadNumber}`,
    day,
    channel,
    firstCampaign: campaign,
    lastCampaign: campaign,
    kind: 'lead',
    invalid: false,
    contacted: false,
    qualified: false,
    converted: false,
    revenueCents: 0,
    slaBreached: false,
    leadUpdatedAt: `${day}T10:00:00.000Z`,
    ...facts,
  };
}
const leads = (count: number, channel: string, campaign: string, facts: Partial<LeadRoiFacts> = {}) => Array.from({ length: count }, () => lead(channel, campaign, facts));
const campaignsOf = (rows: ReturnType<typeof rollUpDay>, attribution = 'first', channel = 'website') => rows.filter((row) => row.attribution === attribution && row.channel === channel).map((row) => row.campaign);

/** Random text of `length` characters, as a bot posts in `utm_campaign`. */
const randomName = (length: number) => Array.from({ length }, () => String.fromCharCode(33 + Math.floor(Math.random() * 94))).join('');

describe('campaign names a channel-ROI row is kept under', () => {
  it('keeps names of up to the spend limit as they are, and shortens longer ones to a prefix and a hash of the whole name', () => {
    expect(rowCampaign('spring')).toBe('spring');
    expect(rowCampaign('')).toBe('');
    const limit = 'a'.repeat(maxCampaignLength);
    expect(rowCampaign(limit)).toBe(limit);
    const long = `${'b'.repeat(190)}-one-${'x'.repeat(2000)}`;
    const alike = `${'b'.repeat(190)}-one-${'x'.repeat(1999)}y`;
    expect(rowCampaign(long)).toHaveLength(maxCampaignLength);
    expect(rowCampaign(long)).toMatch(new RegExp(`^b{183}…[0-9a-f]{16}$`));
    expect(rowCampaign(long)).toBe(rowCampaign(long));
    expect(rowCampaign(alike)).not.toBe(rowCampaign(long));
  });

  it('never cuts a character in two', () => {
    const name = `${'a'.repeat(182)}${'😀'.repeat(100)}`;
    const kept = rowCampaign(name);
    expect(kept.startsWith('a'.repeat(182))).toBe(true);
    expect(kept.charAt(182)).toBe('…');
    expect(kept.length).toBeLessThanOrEqual(maxCampaignLength);
  });

  it('keeps a lead’s campaign named like the folded row under another name, apart from the folded campaigns', () => {
    const rows = rollUpDay([...leads(5, 'website', otherCampaignsLabel), ...leads(2, 'website', 'a'), ...leads(1, 'website', 'b')], [], { campaignsPerChannel: 1 });
    const [folded, renamed] = campaignsOf(rows);
    expect(folded).toBe(otherCampaignsLabel);
    expect(renamed).toMatch(/^\(other campaigns\)…[0-9a-f]{16}$/);
    expect(campaignsOf(rows)).toHaveLength(2);
    // The lead campaign named like the folded row is kept (the most leads); the folded row holds a and b only.
    expect(rows.find((row) => row.attribution === 'first' && row.campaign === renamed)?.leads).toBe(5);
    expect(rows.find((row) => row.attribution === 'first' && row.campaign === otherCampaignsLabel)?.leads).toBe(3);
  });

  it('refuses spend for the folded row’s campaign, or for one longer than the limit', () => {
    const parsed = parseSpendRows(
      [
        { date: day, channel: 'meta-ads', campaign: otherCampaignsLabel, amount: '5', currency: 'USD' },
        { date: day, channel: 'meta-ads', campaign: 'c'.repeat(maxCampaignLength + 1), amount: '5', currency: 'USD' },
        { date: day, channel: 'meta-ads', campaign: 'c'.repeat(maxCampaignLength), amount: '5', currency: 'USD' },
      ],
      spendContext,
    );
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.issues.map((issue) => issue.path)).toEqual(['rows[0].campaign', 'rows[1].campaign']);
    expect(!parsed.ok && parsed.issues[0].message).toContain('campaigns without spend folded together');
    expect(!parsed.ok && parsed.issues[1].message).toBe(`must be at most ${maxCampaignLength} characters`);
  });
});

describe('campaigns without spend folded into one row per channel', () => {
  it('keeps those with the most leads, ties by name, and folds the rest, quarantined-only ones first', () => {
    const facts = [...leads(3, 'website', 'a'), ...leads(1, 'website', 'c'), ...leads(2, 'website', 'd'), ...leads(1, 'website', 'b'), ...leads(4, 'website', 'e', { kind: 'quarantined' }), ...leads(1, 'meta-ads', 'z')];
    const rows = rollUpDay(facts, [], { campaignsPerChannel: 3 });
    for (const attribution of attributionModels) {
      expect(campaignsOf(rows, attribution)).toEqual([otherCampaignsLabel, 'a', 'b', 'd']);
      const other = rows.find((row) => row.attribution === attribution && row.channel === 'website' && row.campaign === otherCampaignsLabel);
      expect(other).toMatchObject({ leads: 1, quarantined: 4, spendCents: 0 });
      // Another channel keeps its own campaigns.
      expect(campaignsOf(rows, attribution, 'meta-ads')).toEqual(['z']);
    }
  });

  it('folds nothing when a channel has no more campaigns without spend than it keeps', () => {
    const facts = [...leads(1, 'website', 'a'), ...leads(1, 'website', 'b')];
    expect(campaignsOf(rollUpDay(facts, [], { campaignsPerChannel: 2 }))).toEqual(['a', 'b']);
  });

  it('never folds a campaign the day’s spend names, however few its leads', () => {
    const spend: ChannelDaySpend[] = [
      {
        day,
        channel: 'website',
        campaigns: [
          { campaign: 'paid-quiet', cents: 1000 },
          { campaign: 'paid-free', cents: 0 },
        ],
      },
    ];
    const facts = [...leads(5, 'website', 'organic-1'), ...leads(4, 'website', 'organic-2'), ...leads(3, 'website', 'organic-3'), ...leads(1, 'website', 'paid-free')];
    const rows = rollUpDay(facts, spend, { campaignsPerChannel: 1 });
    expect(campaignsOf(rows)).toEqual([otherCampaignsLabel, 'organic-1', 'paid-free', 'paid-quiet']);
    expect(rows.find((row) => row.attribution === 'first' && row.campaign === 'paid-quiet')).toMatchObject({ leads: 0, spendCents: 1000 });
    expect(rows.find((row) => row.attribution === 'last' && row.campaign === otherCampaignsLabel)).toMatchObject({ leads: 7, spendCents: 0 });
  });

  it('never folds a campaign with a converted lead, so its revenue is reported under its own name', () => {
    const facts = [
      ...leads(5, 'website', 'organic-1'),
      ...leads(4, 'website', 'organic-2'),
      lead('website', 'won-once', { qualified: true, converted: true, revenueCents: 250_000 }),
      lead('website', 'won-free', { converted: true }),
    ];
    const rows = rollUpDay(facts, [], { campaignsPerChannel: 1 });
    expect(campaignsOf(rows)).toEqual([otherCampaignsLabel, 'organic-1', 'won-free', 'won-once']);
    expect(rows.find((row) => row.attribution === 'first' && row.campaign === 'won-once')).toMatchObject({ leads: 1, converted: 1, revenueCents: 250_000 });
  });

  it('keeps each channel’s totals, counts, revenue, spend and times alike, whatever is folded', () => {
    const facts = fc.record({
      channel: fc.constantFrom('website', 'meta-ads', 'google-ads'),
      firstCampaign: fc.constantFrom('', 'a', 'b', 'c', 'd', 'e', 'paid'),
      lastCampaign: fc.constantFrom('', 'a', 'b', 'c', 'd', 'e', 'paid'),
      kind: fc.constantFrom<LeadRoiFacts['kind']>('lead', 'lead', 'test', 'quarantined'),
      invalid: fc.boolean(),
      contacted: fc.boolean(),
      revenueCents: fc.nat(100_000),
      firstContactSeconds: fc.option(fc.nat(86_400), { nil: undefined }),
      slaBreached: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(facts, { maxLength: 60 }), fc.integer({ min: 0, max: 4 }), (drawn, limit) => {
        const all = drawn.map((fields) => {
          const { firstContactSeconds, ...rest } = fields;
          return lead(fields.channel, fields.firstCampaign, { ...rest, ...(firstContactSeconds === undefined ? {} : { firstContactSeconds }) });
        });
        const spend: ChannelDaySpend[] = [{ day, channel: 'website', campaigns: [{ campaign: 'paid', cents: 12_345 }] }];
        const whole = rollUpDay(all, spend, { campaignsPerChannel: Number.POSITIVE_INFINITY });
        const folded = rollUpDay(all, spend, { campaignsPerChannel: limit });
        for (const attribution of attributionModels) expect(groupRollupRows(folded, attribution, 'channel')).toEqual(groupRollupRows(whole, attribution, 'channel'));
        for (const attribution of attributionModels) {
          for (const channel of ['website', 'meta-ads', 'google-ads']) {
            const foldable = folded.filter(
              (row) => row.attribution === attribution && row.channel === channel && row.campaign !== 'paid' && row.campaign !== otherCampaignsLabel && row.converted === 0 && row.revenueCents === 0,
            );
            expect(foldable.length).toBeLessThanOrEqual(limit);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a day of 1,500 bot posts with distinct 2,048-character campaigns to a bounded, small set of rows', () => {
    const posts = Array.from({ length: 1500 }, () => lead('website', randomName(2048), { kind: 'quarantined' }));
    const rows = rollUpDay([...posts, ...leads(2, 'website', 'spring')], [{ day, channel: 'website', campaigns: [{ campaign: 'spring', cents: 5000 }] }]);
    expect(rows).toHaveLength(2 * (unfundedCampaignRowsPerChannel + 2));
    expect(rows.every((row) => row.campaign.length <= maxCampaignLength)).toBe(true);
    for (const attribution of attributionModels) {
      expect(groupRollupRows(rows, attribution, 'channel')[0]).toMatchObject({ leads: 2, quarantined: 1500, spendCents: 5000 });
      expect(rows.find((row) => row.attribution === attribution && row.campaign === 'spring')).toMatchObject({ leads: 2, spendCents: 5000 });
    }
    // About 60 KB of JSON, 25 KB gzipped, where the 3,000 rows of 2 KB names took some 4.4 MB gzipped.
    expect(Buffer.byteLength(JSON.stringify(rows))).toBeLessThan(150 * 1024);
    expect(gzipSync(JSON.stringify(rows)).length).toBeLessThan(100 * 1024);
  });
});
