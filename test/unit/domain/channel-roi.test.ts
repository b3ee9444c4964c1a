import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dayCount,
  daysBetween,
  daysPastNightlyRestatement,
  factsAtConfiguredRates,
  changedRows,
  channelRoiCsv,
  clickIdChannelsOf,
  defaultClickIdChannels,
  parseConfiguration,
  exactRatio,
  formatAmount,
  localDay,
  measureChannelRates,
  planNightlyRollup,
  parseAmount,
  parseSpendCsv,
  parseSpendRows,
  possibleCaptureDays,
  funnelFigures,
  reportFigures,
  reportLines,
  reportQuerySchema,
  rollupRangeSchema,
  rollUpDay,
  roiFactsOfLead,
  rollupNeededNote,
  toReportingUnits,
  yesterdayIn,
  type Lead,
  type LeadRoiFacts,
  type RollupVersion,
} from '@leadflow/domain';
import { readFileSync } from 'node:fs';
import { demoConfiguration, demoConfigurationFile } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';
import { expectedFirstTouchCampaignCsv, expectedFirstTouchChannelCsv, expectedLastTouchCampaignCsv, fixtureDay, fixtureExchangeRates, fixtureLeadRecords, fixtureSpendCsv } from '../../fixtures/channel-roi/hand-computed';

const config = demoConfiguration();
const channelRoi = { lookbackDays: 90, exchangeRates: fixtureExchangeRates };
const reporting = { timeZone: 'America/New_York', currency: 'USD', channelRoi };
const spendContext = { currency: 'USD', channelIds: new Set(config.channels.map((channel) => channel.id)), channelRoi, timeZone: 'America/New_York', now: new Date('2026-03-11T04:30:00.000Z') };

function fixtureFacts(): LeadRoiFacts[] {
  return fixtureLeadRecords.map(({ lead, slaBreached }) => ({ ...roiFactsOfLead(lead, reporting), slaBreached }));
}

function fixtureVersion(): RollupVersion {
  const spend = parseSpendCsv(fixtureSpendCsv, spendContext);
  if (!spend.ok) throw new Error(JSON.stringify(spend.issues));
  const rows = rollUpDay(
    fixtureFacts().filter((facts) => facts.day === fixtureDay),
    spend.spend.filter((group) => group.day === fixtureDay),
  );
  return { day: fixtureDay, version: 1, rolledUpAt: '2026-03-11T04:30:00.000Z', rows };
}

describe('channel-ROI rollup of the hand-computed fixture', () => {
  it('gives the first-touch campaign CSV byte for byte', () => {
    const lines = reportLines([{ latest: fixtureVersion() }], { groupBy: 'campaign', attribution: 'first' });
    expect(channelRoiCsv(lines, { groupBy: 'campaign', withChanges: false })).toBe(expectedFirstTouchCampaignCsv);
  });

  it('gives the last-touch campaign CSV byte for byte', () => {
    const lines = reportLines([{ latest: fixtureVersion() }], { groupBy: 'campaign', attribution: 'last' });
    expect(channelRoiCsv(lines, { groupBy: 'campaign', withChanges: false })).toBe(expectedLastTouchCampaignCsv);
  });

  it('gives the first-touch channel CSV byte for byte, with medians over all of a channel’s leads', () => {
    const lines = reportLines([{ latest: fixtureVersion() }], { groupBy: 'channel', attribution: 'first' });
    expect(channelRoiCsv(lines, { groupBy: 'channel', withChanges: false })).toBe(expectedFirstTouchChannelCsv);
  });

  it("keeps each channel's rows together, a channel named like the start of another included", () => {
    const template = fixtureVersion().rows.find((row) => row.attribution === 'first')!;
    const row = (channel: string, campaign: string) => ({ ...template, channel, campaign });
    const version = { ...fixtureVersion(), rows: [row('meta', 'zeta'), row('meta-ads', 'alpha'), row('meta', 'alpha'), row('meta', ''), row('meta', '_retargeting')] };
    const order = reportLines([{ latest: version }], { groupBy: 'campaign', attribution: 'first' }).map((line) => `${line.row.channel}/${line.row.campaign}`);
    expect(order).toEqual(['meta/', 'meta/_retargeting', 'meta/alpha', 'meta/zeta', 'meta-ads/alpha']);
  });

  it('shows exactly the rows that changed since a version, and nothing for days not restated', () => {
    const v1 = fixtureVersion();
    const l2 = fixtureFacts().find((facts) => facts.leadId === 'roi-l2')!;
    const converted = { ...l2, converted: true, revenueCents: 30_000 };
    const others = fixtureFacts().filter((facts) => facts.day === fixtureDay && facts.leadId !== 'roi-l2');
    const spend = parseSpendCsv(fixtureSpendCsv, spendContext);
    if (!spend.ok) throw new Error('spend');
    const v2: RollupVersion = {
      ...v1,
      version: 2,
      rows: rollUpDay(
        [...others, converted],
        spend.spend.filter((group) => group.day === fixtureDay),
      ),
    };
    const otherDay: RollupVersion = { ...v1, day: '2026-03-11', rows: [] };

    const firstTouch = reportLines([{ latest: v2, since: v1 }, { latest: otherDay }], { groupBy: 'campaign', attribution: 'first', sinceVersion: 1 });
    expect(firstTouch.map((line) => [line.day, line.version, line.row.channel, line.row.campaign, line.change, line.row.converted, line.row.revenueCents])).toEqual([
      ['2026-03-10', 2, 'meta-ads', 'spring', 'changed', 2, 150_000],
    ]);
    const lastTouch = reportLines([{ latest: v2, since: v1 }], { groupBy: 'campaign', attribution: 'last', sinceVersion: 1 });
    expect(lastTouch.map((line) => [line.row.campaign, line.change])).toEqual([['retarget', 'changed']]);
    expect(reportLines([{ latest: v2, since: v2 }], { groupBy: 'campaign', attribution: 'first', sinceVersion: 2 })).toEqual([]);
  });

  it('reports a row that disappeared as removed, with zero counts', () => {
    const v1 = fixtureVersion();
    const withoutGeneric = v1.rows.filter((row) => row.campaign !== 'generic, broad');
    expect(changedRows(v1.rows, withoutGeneric, 2).map(({ row, change }) => [row.attribution, row.campaign, change, row.spendCents])).toEqual([
      ['first', 'generic, broad', 'removed', 0],
      ['last', 'generic, broad', 'removed', 0],
    ]);
  });

  it('divides spend by every lead for CPL, invalid ones included, as spend ÷ leads', () => {
    // meta-ads "spring" under first touch: l1, l2, l3 are leads (l3 invalid; l4, a test lead, is not); spend 400.00 → 400 / 3 = 133.33, not 400 / 2 valid.
    const spring = fixtureVersion().rows.find((row) => row.attribution === 'first' && row.channel === 'meta-ads' && row.campaign === 'spring')!;
    expect([spring.leads, spring.invalid, spring.test, spring.spendCents]).toEqual([3, 1, 1, 40_000]);
    expect(reportFigures(spring, 2)).toMatchObject({ leads: 3, valid: 2, cpl: '133.33' });
  });

  it('rounds median times half up, exactly: 9 s is 0.2 minutes as 27 s is 0.5, and a funnel median of 0.015 days (1,296 s) is 0.02', () => {
    const spring = fixtureVersion().rows.find((row) => row.attribution === 'first' && row.channel === 'meta-ads' && row.campaign === 'spring')!;
    expect(reportFigures({ ...spring, firstContactSeconds: [9] }, 2).medianMinutesToFirstContact).toBe('0.2');
    expect(reportFigures({ ...spring, firstContactSeconds: [27] }, 2).medianMinutesToFirstContact).toBe('0.5');
    expect(reportFigures({ ...spring, firstContactSeconds: [8, 10] }, 2).medianMinutesToFirstContact).toBe('0.2');
    expect(reportFigures({ ...spring, firstContactSeconds: [] }, 2).medianMinutesToFirstContact).toBe('');
    const stageSeconds = { ...spring.stageSeconds, contacted: [1_000, 1_592] };
    expect(funnelFigures({ ...spring, stageSeconds }).medianDays.contacted).toBe('0.02');
  });

  it('counts SLA breaches of valid leads only: a lead breached and then judged invalid is in neither side of the rate', () => {
    // meta-ads "spring" under first touch: l1 and l2 valid, l3 invalid; all three breached.
    const breached = fixtureFacts()
      .filter((facts) => facts.day === fixtureDay)
      .map((facts) => (['roi-l1', 'roi-l2', 'roi-l3'].includes(facts.leadId) ? { ...facts, slaBreached: true } : facts));
    const spring = rollUpDay(breached, []).find((row) => row.attribution === 'first' && row.channel === 'meta-ads' && row.campaign === 'spring')!;
    expect([spring.leads, spring.invalid, spring.slaBreached]).toEqual([3, 1, 2]);
    expect(reportFigures(spring, 2).slaBreachRate).toBe('1.0000');
  });
});

describe('ratios in the exports', () => {
  it('round the exact quotient half away from zero, as money is, where binary floating point did not, and never show -0.0000', () => {
    expect(exactRatio(1875, 100_000, 4)).toBe('0.0188'); // ROAS of 18.75 on 1000.00; toFixed gave 0.0187
    expect(exactRatio(99_999 - 100_000, 100_000, 4)).toBe('0.0000'); // ROI of 999.99 on 1000.00; toFixed gave -0.0000
    expect(exactRatio(-5, 100_000, 4)).toBe('-0.0001');
    expect(exactRatio(2, 3, 4)).toBe('0.6667');
    expect(exactRatio(99_999_999_999_999, 1, 4)).toBe('99999999999999.0000');
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: 1, max: 2000 }), (numerator, denominator) => {
        const shown = Number(exactRatio(numerator, denominator, 4));
        expect(Math.abs(shown - numerator / denominator)).toBeLessThanOrEqual(0.00005 + 1e-9);
      }),
    );
  });
});

describe('cohort day in the organisation’s time zone', () => {
  const captureDay = (capturedAt: string, timeZone = 'America/New_York') => {
    const lead = { ...fixtureLeadRecords[0].lead, capturedAt, updatedAt: capturedAt };
    return roiFactsOfLead(lead, { ...reporting, timeZone }).day;
  };

  it('counts a lead captured at 23:30 on that local day, on both sides of the spring-forward change', () => {
    // 2026-03-08 02:00 EST → 03:00 EDT in New York.
    expect(captureDay('2026-03-08T04:30:00.000Z')).toBe('2026-03-07'); // 23:30 EST on the 7th
    expect(captureDay('2026-03-09T03:30:00.000Z')).toBe('2026-03-08'); // 23:30 EDT on the 8th (the 23-hour day)
    expect(captureDay('2026-03-08T05:30:00.000Z')).toBe('2026-03-08'); // 00:30 EST on the 8th
  });

  it('counts a lead captured at 23:30 on that local day across the fall-back change, and in a zone east of UTC', () => {
    // 2026-11-01 02:00 EDT → 01:00 EST: the 25-hour day.
    expect(captureDay('2026-11-02T04:30:00.000Z')).toBe('2026-11-01'); // 23:30 EST on the 1st
    expect(captureDay('2026-11-01T03:30:00.000Z')).toBe('2026-10-31'); // 23:30 EDT on the 31st
    // Europe/Berlin springs forward on 2026-03-29: 23:30 CEST on the 29th is 21:30Z.
    expect(captureDay('2026-03-29T21:30:00.000Z', 'Europe/Berlin')).toBe('2026-03-29');
    expect(captureDay('2026-03-29T22:30:00.000Z', 'Europe/Berlin')).toBe('2026-03-30');
  });

  it('closes the organisation’s yesterday, whatever the UTC date, then restates changed days only within the lookback, newest first', () => {
    // 00:30 EDT on 2026-03-09 is still the 9th's early morning; yesterday was the short 8th.
    expect(yesterdayIn(new Date('2026-03-09T04:30:00.000Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDay(new Date('2026-03-09T04:30:00.000Z'), 'UTC')).toBe('2026-03-09');
    const now = new Date('2026-04-20T04:30:00.000Z');
    expect(planNightlyRollup(now, 'America/New_York', 40, ['2026-03-10', '2026-03-09', '2026-04-12', '2026-04-20', '2026-03-30'], '2026-04-18')).toEqual({
      days: ['2026-04-19', '2026-04-12', '2026-03-30', '2026-03-10'],
      unclosed: ['2026-04-19'],
    });
  });

  it('rolls up every day since the last one a nightly run closed, within the lookback, after nights without a run', () => {
    // America/Santiago goes from 00:00 to 01:00 on 2026-09-06: no 00:30, no run, so the run at 00:30 on the 7th finds the 5th unclosed too.
    const seventh = new Date('2026-09-07T03:30:00.000Z');
    expect(planNightlyRollup(seventh, 'America/Santiago', 90, ['2026-08-01'], '2026-09-04')).toEqual({ days: ['2026-09-06', '2026-09-05', '2026-08-01'], unclosed: ['2026-09-05', '2026-09-06'] });
    // A machine off for months: the days within the lookback only.
    expect(planNightlyRollup(seventh, 'America/Santiago', 3, [], '2026-01-01')).toEqual({
      days: ['2026-09-06', '2026-09-05', '2026-09-04', '2026-09-03'],
      unclosed: ['2026-09-03', '2026-09-04', '2026-09-05', '2026-09-06'],
    });
    // The first run ever closes yesterday alone; the same night again (a retry), or an earlier night replayed, closes none.
    expect(planNightlyRollup(seventh, 'America/Santiago', 90, [], undefined)).toEqual({ days: ['2026-09-06'], unclosed: ['2026-09-06'] });
    expect(planNightlyRollup(seventh, 'America/Santiago', 90, [], '2026-09-06')).toEqual({ days: ['2026-09-06'], unclosed: [] });
    expect(planNightlyRollup(seventh, 'America/Santiago', 90, [], '2026-09-20')).toEqual({ days: ['2026-09-06'], unclosed: [] });
  });

  it('names every day a capture may be filed under on some clock: two, or three from 10:00 to 12:00 UTC', () => {
    expect(possibleCaptureDays('2026-03-10T09:59:59.999Z')).toEqual(['2026-03-09', '2026-03-10']);
    expect(possibleCaptureDays('2026-03-10T10:00:00.000Z')).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
    expect(possibleCaptureDays('2026-03-10T11:59:59.999Z')).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
    expect(possibleCaptureDays('2026-03-10T12:00:00.000Z')).toEqual(['2026-03-10', '2026-03-11']);
    // Across a year's end and a leap day.
    expect(possibleCaptureDays('2026-12-31T23:00:00.000Z')).toEqual(['2026-12-31', '2027-01-01']);
    expect(possibleCaptureDays('2028-03-01T01:00:00.000Z')).toEqual(['2028-02-29', '2028-03-01']);
  });

  it('holds the capture day of every time zone there is, at any instant, among them', () => {
    // `localDay`'s format, one formatter per zone: building them is what takes the time.
    const clocks = [...Intl.supportedValuesOf('timeZone'), 'Etc/GMT+12', 'Etc/GMT-14'].map((timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }));
    expect(clocks[0].format(new Date('2026-03-10T12:00:00Z'))).toBe(localDay(new Date('2026-03-10T12:00:00Z'), clocks[0].resolvedOptions().timeZone));
    const instants = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instants, (at) => {
        const days = possibleCaptureDays(at.toISOString());
        return clocks.every((clock) => days.includes(clock.format(at)));
      }),
    );
  });

  it('names the changed days the next nightly run will not restate, exactly those it drops', () => {
    // 10:00 EDT on 2026-04-20: tonight's run closes the 20th and looks back 40 days, to 03-11.
    const now = new Date('2026-04-20T14:00:00.000Z');
    const changed = ['2026-03-11', '2026-03-10', '2026-04-20', '2026-03-09', '2026-03-10', '2024-02-29'];
    const tooOld = daysPastNightlyRestatement(now, 'America/New_York', 40, changed);
    expect(tooOld).toEqual(['2024-02-29', '2026-03-09', '2026-03-10']);
    const tonight = planNightlyRollup(new Date('2026-04-21T04:30:00.000Z'), 'America/New_York', 40, changed, '2026-04-19').days;
    expect(changed.filter((day) => !tonight.includes(day)).sort()).toEqual(['2024-02-29', '2026-03-09', '2026-03-10', '2026-03-10']);
    expect(rollupNeededNote(tooOld, 40)).toBe(
      'The nightly rollup restates changes within 40 days before yesterday (channelRoi.lookbackDays), so it will not restate 3 days from 2024-02-29 to 2026-03-10: request POST /rollups/channel-roi {"from": "2024-02-29", "to": "2026-03-10"} (at most 366 days a request) to restate them.',
    );
    expect(rollupNeededNote(['2026-03-10'], 40)).toContain('will not restate 2026-03-10: request POST /rollups/channel-roi {"from": "2026-03-10", "to": "2026-03-10"}');
  });
});

describe('ad spend input', () => {
  it('groups rows by day and channel in cents of the reporting currency, converting at the dated rate', () => {
    const parsed = parseSpendCsv(fixtureSpendCsv, spendContext);
    expect(parsed.ok && parsed.spend).toEqual([
      { day: '2026-03-09', channel: 'google-ads', campaigns: [{ campaign: 'brand', cents: 7500 }] },
      {
        day: '2026-03-10',
        channel: 'google-ads',
        campaigns: [
          { campaign: 'brand', cents: 22_000, original: { amount: '200.00', currency: 'EUR' } },
          { campaign: 'generic, broad', cents: 5000 },
        ],
      },
      {
        day: '2026-03-10',
        channel: 'meta-ads',
        campaigns: [
          { campaign: 'retarget', cents: 10_000 },
          { campaign: 'spring', cents: 40_000 },
        ],
      },
    ]);
  });

  it('names every bad row and field: negative amounts, unknown channels and currencies, bad dates, duplicates', () => {
    const parsed = parseSpendRows(
      [
        { date: '2026-03-10', channel: 'meta-ads', campaign: 'a', amount: '-5.00', currency: 'USD' },
        { date: '2026-03-10', channel: 'myspace', campaign: 'a', amount: '5', currency: 'USD' },
        { date: '2026-03-10', channel: 'meta-ads', campaign: 'b', amount: '5', currency: 'GBP' },
        { date: '2026-02-30', channel: 'meta-ads', campaign: 'c', amount: '5.001', currency: 'USD' },
        { date: '2026-03-10', channel: 'meta-ads', campaign: 'd', amount: '5', currency: 'USD', note: 'x' },
        { date: '2026-03-10', channel: 'meta-ads', campaign: 'e', amount: '5', currency: 'USD' },
        { date: '2026-03-10', channel: 'meta-ads', campaign: 'e', amount: '6', currency: 'USD' },
        'not a row',
      ],
      { ...spendContext, channelRoi: { exchangeRates: [{ currency: 'EUR', from: '2026-01-01', rate: 1.1 }] } },
    );
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.issues).toEqual([
      { path: 'rows[0].amount', message: 'must not be negative' },
      { path: 'rows[1].channel', message: 'unknown channel "myspace"' },
      { path: 'rows[2].currency', message: 'GBP is not the reporting currency USD and no exchange rate for it is configured on 2026-03-10 (channelRoi.exchangeRates)' },
      { path: 'rows[3].date', message: 'must be a date written YYYY-MM-DD' },
      { path: 'rows[3].amount', message: 'must be a decimal amount with at most two decimal places, such as 1234.50' },
      { path: 'rows[4].note', message: 'is not a spend field (give date, channel, campaign, amount, currency)' },
      { path: 'rows[6].campaign', message: 'campaign "e" of meta-ads on 2026-03-10 is already given in rows[5]' },
      { path: 'rows[7]', message: 'must be an object with date, channel, campaign, amount and currency' },
    ]);
  });

  it('names a field of the wrong JSON type as such, and an amount over the largest as too large: only an amount may be a number', () => {
    const row = { date: '2026-03-10', channel: 'meta-ads', campaign: 'a', amount: '5', currency: 'USD' };
    const parsed = parseSpendRows(
      [
        { ...row, campaign: 1 },
        { ...row, campaign: 'b', channel: 7, currency: true },
        { ...row, campaign: 'c', amount: true },
        { ...row, campaign: 'd', amount: 1_000_000_000_000 },
        { ...row, campaign: 'e', amount: '1000000000000.00' },
        { ...row, campaign: 'f', amount: 1e21 },
        { ...row, campaign: 'g', amount: 999_999_999_999.99 },
        { ...row, campaign: 'h', amount: 12.5 },
        { ...row, campaign: 'i', amount: '0000000000001.00' }, // leading zeros are not size
      ],
      spendContext,
    );
    expect(!parsed.ok && parsed.issues).toEqual([
      { path: 'rows[0].campaign', message: 'must be text' },
      { path: 'rows[1].channel', message: 'must be text' },
      { path: 'rows[1].currency', message: 'must be text' },
      { path: 'rows[2].amount', message: 'must be a number, or a decimal written as text such as "1234.50"' },
      { path: 'rows[3].amount', message: 'must be at most 999999999999.99' },
      { path: 'rows[4].amount', message: 'must be at most 999999999999.99' },
      { path: 'rows[5].amount', message: 'must be at most 999999999999.99' },
    ]);
  });

  it('refuses a currency whose rate starts after the spend day', () => {
    const parsed = parseSpendRows([{ date: '2025-12-31', channel: 'meta-ads', campaign: 'a', amount: '5', currency: 'EUR' }], spendContext);
    expect(!parsed.ok && parsed.issues.map((issue) => issue.path)).toEqual(['rows[0].currency']);
  });

  it('names the line of a malformed CSV: wrong number of values, an unclosed quote, a missing column', () => {
    const ragged = parseSpendCsv('date,channel,campaign,amount,currency\n2026-03-10,meta-ads,a,5\n', spendContext);
    expect(!ragged.ok && ragged.issues).toEqual([{ path: 'line 2', message: 'has 4 values; the header has 5' }]);
    const unclosed = parseSpendCsv('date,channel,campaign,amount,currency\n2026-03-10,meta-ads,"a,5,USD\n', spendContext);
    expect(!unclosed.ok && unclosed.issues[0].path).toBe('line 2');
    // Read leniently, this quote would run on to the next line's and file google-ads' 80.00 under meta-ads.
    const swallowing = parseSpendCsv('date,channel,campaign,amount,currency\n2026-03-10,meta-ads,"Spring sale,120.00,USD\n2026-03-10,google-ads,"Summer",80.00,USD\n', spendContext);
    expect(!swallowing.ok && swallowing.issues).toEqual([{ path: 'line 2', message: expect.stringContaining('lines 2–3 would read as one row') }]);
    // Read leniently, this value would be the campaign `"spring"sale`, quotes and all.
    const textAfterQuote = parseSpendCsv('date,channel,campaign,amount,currency\n2026-03-10,meta-ads,"spring"sale,120.00,USD\n2026-03-10,google-ads,summer,80.00,USD\n', spendContext);
    expect(!textAfterQuote.ok && textAfterQuote.issues).toEqual([{ path: 'line 2.campaign', message: 'value 3 has text after its closing quote (a quote inside a quoted value is written twice: "")' }]);
    const headerTextAfterQuote = parseSpendCsv('date,channel,"campaign"x,amount,currency\n2026-03-10,meta-ads,spring,120.00,USD\n', spendContext);
    expect(!headerTextAfterQuote.ok && headerTextAfterQuote.issues).toEqual([{ path: 'line 1', message: 'value 3 has text after its closing quote (a quote inside a quoted value is written twice: "")' }]);
    const noAmount = parseSpendCsv('date,channel,campaign,currency\n2026-03-10,meta-ads,a,USD\n', spendContext);
    expect(!noAmount.ok && noAmount.issues).toEqual([{ path: '(header)', message: 'column "amount" is missing' }]);
    const badRow = parseSpendCsv('Date,Channel,Campaign,Amount,Currency\n2026-03-10,meta-ads,a,5,USD\n2026-03-10,meta-ads,b,abc,USD\n', spendContext);
    expect(!badRow.ok && badRow.issues).toEqual([{ path: 'line 3.amount', message: 'must be a decimal amount with at most two decimal places, such as 1234.50' }]);
  });

  it('matches a campaign written with a combining accent to the leads of that campaign, as their touches are kept in NFC', () => {
    const decomposed = 'Cafe\u0301';
    const spend = parseSpendRows([{ date: '2026-03-10', channel: 'website', campaign: decomposed, amount: '90', currency: 'USD' }], spendContext);
    expect(spend.ok && spend.spend[0].campaigns).toEqual([{ campaign: 'Café', cents: 9000 }]);
    const twice = parseSpendRows(
      [
        { date: '2026-03-10', channel: 'website', campaign: decomposed, amount: '90', currency: 'USD' },
        { date: '2026-03-10', channel: 'website', campaign: 'Café', amount: '10', currency: 'USD' },
      ],
      spendContext,
    );
    expect(!twice.ok && twice.issues).toEqual([{ path: 'rows[1].campaign', message: 'campaign "Café" of website on 2026-03-10 is already given in rows[0]' }]);
    // A lead stored before public text was put in NFC carries the name as it was posted.
    const lead: Lead = { ...fixtureLeadRecords[6].lead, attribution: { firstTouch: { utm_campaign: decomposed }, lastTouch: { utm_campaign: 'Café' } } };
    const facts = roiFactsOfLead(lead, reporting);
    const rows = rollUpDay([{ ...facts, slaBreached: false }], spend.ok ? spend.spend : []);
    expect(rows.map((row) => [row.attribution, row.channel, row.campaign, row.leads, row.spendCents])).toEqual([
      ['first', 'website', 'Café', 1, 9000],
      ['last', 'website', 'Café', 1, 9000],
    ]);
  });

  it('reads rows without the trailing comma the header has', () => {
    const parsed = parseSpendCsv('date,channel,campaign,amount,currency,\n2026-03-10,meta-ads,a,5,USD\n2026-03-10,meta-ads,b,6,USD,\n', spendContext);
    expect(parsed.ok && { rows: parsed.rows, campaigns: parsed.spend.map((day) => day.campaigns) }).toEqual({
      rows: 2,
      campaigns: [
        [
          { campaign: 'a', cents: 500 },
          { campaign: 'b', cents: 600 },
        ],
      ],
    });
  });

  it('reads and writes money in exact cents', () => {
    expect([parseAmount('1234.5', 2), parseAmount('0.07', 2), parseAmount('12', 2), parseAmount('1.234', 2), parseAmount('1e3', 2), parseAmount('-1', 2)]).toEqual([123_450, 7, 1200, undefined, undefined, undefined]);
    expect([formatAmount(123_456, 2), formatAmount(5, 2), formatAmount(-5, 2), formatAmount(-150_000, 2)]).toEqual(['1234.56', '0.05', '-0.05', '-1500.00']);
  });

  it('converts at the rate exactly as configured, halves up, where floating point would round them down', () => {
    const at = (rate: number) => ({ currency: 'USD', exchangeRates: [{ currency: 'EUR', from: '2026-01-01', rate }] });
    // EUR 0.50 at 1.15 is 57.5 cents; 50 × 1.15 in binary floating point is 57.49999….
    expect(toReportingUnits({ units: 50, decimals: 2, currency: 'EUR' }, '2026-03-10', at(1.15))).toBe(58);
    expect(toReportingUnits({ units: 1, decimals: 2, currency: 'EUR' }, '2026-03-10', at(0.5))).toBe(1);
    expect(toReportingUnits({ units: 3, decimals: 2, currency: 'EUR' }, '2026-03-10', at(1.5e-7))).toBe(0);
    expect(toReportingUnits({ units: 7, decimals: 2, currency: 'EUR' }, '2026-03-10', at(2e21))).toBe(14e21);
    expect(toReportingUnits({ units: 50, decimals: 2, currency: 'USD' }, '2026-03-10', at(1.15))).toBe(50);
    expect(toReportingUnits({ units: 50, decimals: 2, currency: 'EUR' }, '2025-12-31', at(1.15))).toBeUndefined();
  });

  it('converts any amount at any rate of up to 15 significant digits as exact decimal arithmetic does', () => {
    // The rate as written in the configuration: up to 7 integer and 8 decimal digits.
    const rateText = fc
      .tuple(fc.integer({ min: 0, max: 9_999_999 }), fc.stringMatching(/^\d{0,8}$/))
      .map(([units, decimals]) => (decimals ? `${units}.${decimals}` : String(units)))
      .filter((text) => Number(text) > 0);
    // Everyday amounts, where halves are common, and any up to the largest a spend row or a conversion may carry: 999999999999.99.
    const cents = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 99_999_999_999_999 }));
    fc.assert(
      fc.property(cents, rateText, (amount, text) => {
        const [units, decimals = ''] = text.split('.');
        const divisor = 10n ** BigInt(decimals.length);
        const product = BigInt(amount) * BigInt(`${units}${decimals}`);
        const exact = product / divisor + (2n * (product % divisor) >= divisor ? 1n : 0n);
        expect(toReportingUnits({ units: amount, decimals: 2, currency: 'EUR' }, '2026-03-10', { currency: 'USD', exchangeRates: [{ currency: 'EUR', from: '2026-01-01', rate: Number(text) }] })).toBe(Number(exact));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('lead facts and report parameters', () => {
  it('credits a lead stored with only a last touch to that campaign under first-touch credit too', () => {
    const lead = { ...fixtureLeadRecords[0].lead, attribution: { lastTouch: { utm_campaign: 'spring' } } };
    const facts = roiFactsOfLead(lead, reporting);
    expect([facts.firstCampaign, facts.lastCampaign]).toEqual(['spring', 'spring']);
  });

  it('keeps a sale in a currency without a rate as it is, for no rollup to count until a rate is configured', () => {
    const facts = { ...roiFactsOfLead({ ...fixtureLeadRecords[4].lead }, { ...reporting, channelRoi: { exchangeRates: [] } }), slaBreached: false };
    expect(facts).toMatchObject({ converted: true, revenueCents: 0, sale: { cents: expect.any(Number), currency: 'EUR', wonDay: '2026-03-20' } });
    expect(factsAtConfiguredRates([facts], { currency: 'USD', channelRoi: { exchangeRates: [] } })).toEqual({
      ok: false,
      reason: 'lead roi-l5: revenue in EUR has no exchange rate to USD on 2026-03-20 (channelRoi.exchangeRates)',
    });
    const valued = factsAtConfiguredRates([facts], { currency: 'USD', channelRoi: { exchangeRates: [{ currency: 'EUR', from: '2026-03-01', rate: 2 }] } });
    expect(valued.ok && valued.facts[0].revenueCents).toBe(facts.sale!.cents * 2);
  });

  it('keeps the sale in its own currency, and converts every day’s sales at the rates configured now', () => {
    const facts: LeadRoiFacts = { ...roiFactsOfLead({ ...fixtureLeadRecords[4].lead }, reporting), slaBreached: false };
    expect(facts.sale).toEqual({ cents: expect.any(Number), currency: 'EUR', wonDay: '2026-03-20' });
    const before = { ...facts, leadId: 'before-sales-were-kept', sale: undefined, revenueCents: 1234 };
    const corrected = factsAtConfiguredRates([facts, before], { currency: 'USD', channelRoi: { exchangeRates: [{ currency: 'EUR', from: '2026-01-01', rate: 2 }] } });
    expect(corrected.ok && corrected.facts.map((lead) => lead.revenueCents)).toEqual([facts.sale!.cents * 2, 1234]);
    expect(factsAtConfiguredRates([facts], { currency: 'USD', channelRoi: { exchangeRates: [] } })).toEqual({
      ok: false,
      reason: 'lead roi-l5: revenue in EUR has no exchange rate to USD on 2026-03-20 (channelRoi.exchangeRates)',
    });
  });

  it('names bad report parameters', () => {
    const parsed = reportQuerySchema.safeParse({ from: '2026-03-10', to: '2026-03-01', groupBy: 'week', sinceVersion: '0', extra: '1' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(','))).toEqual(expect.arrayContaining(['groupBy', 'sinceVersion', 'extra']));
    const range = reportQuerySchema.safeParse({ from: '2026-03-10', to: '2026-03-01' });
    expect(range.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['to', 'must not be before from']]);
  });

  it('checks ranges at the edges of the calendar at once: the last representable day, and millennia refused by their length', () => {
    // Past 9999-12-31 a day's text is no longer YYYY-MM-DD: counting by text never ended there.
    expect(reportQuerySchema.safeParse({ from: '9999-12-31', to: '9999-12-31' }).success).toBe(true);
    expect(daysBetween('9999-12-30', '9999-12-31')).toEqual(['9999-12-30', '9999-12-31']);
    const huge = reportQuerySchema.safeParse({ from: '0001-01-01', to: '9999-12-31' });
    expect(huge.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['to', 'the range may cover at most 366 days']]);
    expect(dayCount('2024-01-01', '2024-12-31')).toBe(366);
  });

  it('refuses an on-demand rollup from before 2000-01-01, as spend is, so a mistyped year files no rollups', () => {
    const issues = (range: { from: string; to: string }) => rollupRangeSchema.safeParse(range).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issues({ from: '0000-01-01', to: '0000-01-02' })).toEqual([['from', 'must not be before 2000-01-01']]);
    expect(issues({ from: '1999-12-31', to: '2000-01-01' })).toEqual([['from', 'must not be before 2000-01-01']]);
    expect(rollupRangeSchema.safeParse({ from: '2000-01-01', to: '2000-01-02' }).success).toBe(true);
  });
});

describe('the channel of a touch', () => {
  const clickIdChannels = clickIdChannelsOf(config);
  // roi-l7 is a website-form lead; its touches are replaced in each case.
  const webLead = (attribution: Lead['attribution']): Lead => ({ ...fixtureLeadRecords[6].lead, attribution });
  const channels = (lead: Lead) => {
    const facts = roiFactsOfLead(lead, { ...reporting, clickIdChannels });
    return [facts.firstChannel, facts.lastChannel];
  };

  it('credits a touch without utm_source to the ad channel of its click id, named as the platform leads and spend name it', () => {
    expect(clickIdChannels).toEqual({ gclid: 'google-ads', gbraid: 'google-ads', wbraid: 'google-ads', fbclid: 'meta-ads', ttclid: 'tiktok-ads', li_fat_id: 'linkedin-ads' });
    // The channels the demo's platform forms credit, and the spend example's.
    const platformChannels = [config.integrations.meta?.forms[0].channel, config.integrations.google?.forms[0].channel, config.integrations.tiktok?.forms[0].channel, config.integrations.linkedin?.forms[0].channel];
    expect(platformChannels).toEqual(['meta-ads', 'google-ads', 'tiktok-ads', 'linkedin-ads']);
    for (const [clickId, channel] of Object.entries(defaultClickIdChannels)) {
      const touch = { [clickId]: 'click-1', utm_campaign: 'spring' };
      expect(channels(webLead({ firstTouch: touch, lastTouch: touch }))).toEqual([channel, channel]);
    }
  });

  it('reads the first and the last touch each on its own, and keeps the lead’s channel for a touch with utm_source or no click id', () => {
    expect(channels(webLead({ firstTouch: { gclid: 'g-1' }, lastTouch: { fbclid: 'f-1' } }))).toEqual(['google-ads', 'meta-ads']);
    expect(channels(webLead({ firstTouch: { utm_source: 'newsletter', gclid: 'g-1' }, lastTouch: { gbraid: 'b-1' } }))).toEqual(['website', 'google-ads']);
    expect(channels(webLead({ firstTouch: { wbraid: 'w-1' }, lastTouch: { utm_source: 'google', gclid: 'g-1' } }))).toEqual(['google-ads', 'website']);
    expect(channels(webLead({ firstTouch: { utm_campaign: 'spring' } }))).toEqual(['website', 'website']);
    // A lead stored with only a last touch: that touch is its first too.
    expect(channels(webLead({ lastTouch: { ttclid: 't-1' } }))).toEqual(['tiktok-ads', 'tiktok-ads']);
  });

  it('keeps first-touch credit on a lead captured with no touch when an ad click brings the person back: only its last touch moves', () => {
    const direct = webFormIntake(config, { leadId: 'direct-1' }).lead;
    expect(direct.attribution).toEqual({ firstTouch: {} });
    const returned = { ...direct, attribution: { ...direct.attribution, lastTouch: { gclid: 'g-1', utm_campaign: 'brand' } } };
    const facts = roiFactsOfLead(returned, { ...reporting, clickIdChannels });
    expect([facts.firstChannel, facts.firstCampaign, facts.lastChannel, facts.lastCampaign]).toEqual(['website', '', 'google-ads', 'brand']);
  });

  it('counts the lead under the click id’s channel in the rollup, under first- and last-touch credit', () => {
    const facts = roiFactsOfLead(webLead({ firstTouch: { gclid: 'g-1', utm_campaign: 'brand' }, lastTouch: { li_fat_id: 'li-1', utm_campaign: 'robotics' } }), { ...reporting, clickIdChannels });
    const rows = rollUpDay([{ ...facts, slaBreached: false }], []);
    expect(rows.map((row) => [row.attribution, row.channel, row.campaign, row.leads])).toEqual([
      ['first', 'google-ads', 'brand', 1],
      ['last', 'linkedin-ads', 'robotics', 1],
    ]);
    // Facts written before touches had channels of their own count under the lead's.
    const { firstChannel, lastChannel, ...older } = facts;
    expect([firstChannel, lastChannel]).toEqual(['google-ads', 'linkedin-ads']);
    expect(rollUpDay([{ ...older, slaBreached: false }], []).map((row) => row.channel)).toEqual(['website', 'website']);
  });

  it('keeps an ad platform’s lead-form lead under its platform’s channel', () => {
    const googleLead: Lead = { ...fixtureLeadRecords[7].lead, attribution: { firstTouch: { gclid: 'g-1' }, lastTouch: { gclid: 'g-1' } } };
    const facts = roiFactsOfLead(googleLead, { ...reporting, clickIdChannels: { gclid: 'website' } });
    expect([facts.firstChannel, facts.lastChannel]).toEqual(['google-ads', 'google-ads']);
  });

  it('takes `channelRoi.clickIdChannels` as configured, defaults only for channels configured, and refuses an unknown channel', () => {
    const websiteOnly = { ...config, channels: config.channels.filter((channel) => channel.id === 'website') };
    expect(clickIdChannelsOf(websiteOnly)).toEqual({});
    expect(clickIdChannelsOf({ ...config, channelRoi: { ...config.channelRoi, clickIdChannels: { gclid: 'website' } } })).toEqual({ gclid: 'website' });
    const document = JSON.parse(readFileSync(demoConfigurationFile, 'utf8'));
    document.channelRoi.clickIdChannels = { gclid: 'google-ads', fbclid: 'facebook' };
    expect(() => parseConfiguration(document)).toThrow(/channelRoi\.clickIdChannels\.fbclid.*unknown channel "facebook"/);
    document.channelRoi.clickIdChannels = { msclkid: 'google-ads' };
    expect(() => parseConfiguration(document)).toThrow(/channelRoi\.clickIdChannels/);
  });
});

describe('measured channel rates for the scoring’s channel priors', () => {
  it('measures qualification and conversion per channel and scales each configured prior by its rate against all channels’', () => {
    // First touch, by channel, on the fixture day: google-ads 2 valid, 1 qualified, 1 converted; meta-ads 2 valid, 2 qualified,
    // 1 converted; website 1 valid, nothing else. Overall 3 qualified of 5 valid = 0.6.
    // google-ads: 0.5 → round(5 × 0.5 / 0.6) = round(4.17) = 4; meta-ads: 1.0 → round(10 × 1 / 0.6) = round(16.67) = 17;
    // website: 1 valid lead, under the minimum of 2 → no suggestion.
    expect(measureChannelRates([fixtureVersion()], { 'meta-ads': 10, 'google-ads': 5 }, 2)).toEqual([
      { channel: 'google-ads', validLeads: 2, qualified: 1, converted: 1, qualificationRate: 0.5, conversionRate: 0.5, configuredPrior: 5, suggestedPrior: 4 },
      { channel: 'meta-ads', validLeads: 2, qualified: 2, converted: 1, qualificationRate: 1, conversionRate: 0.5, configuredPrior: 10, suggestedPrior: 17 },
      { channel: 'website', validLeads: 1, qualified: 0, converted: 0, qualificationRate: 0, conversionRate: 0, configuredPrior: 0, suggestedPrior: null },
    ]);
  });

  it('counts only valid leads as qualified and converted, so leads judged invalid afterwards inflate no rate', () => {
    const lead = (leadId: string, channel: string, outcome: { invalid?: boolean; qualified?: boolean }): LeadRoiFacts => ({
      leadId,
      day: '2026-05-04',
      channel,
      firstCampaign: '',
      lastCampaign: '',
      kind: 'lead',
      invalid: outcome.invalid ?? false,
      contacted: true,
      qualified: outcome.qualified ?? false,
      converted: outcome.qualified ?? false,
      revenueCents: 0,
      slaBreached: false,
      leadUpdatedAt: '2026-05-05T00:00:00.000Z',
    });
    // meta-ads: 3 qualified and converted, 2 of them judged invalid afterwards → 1 of 1 valid (not 3 of 1).
    // google-ads: 1 of 4 valid qualified. Overall 2 of 5 = 0.4: meta-ads round(10 × 1 / 0.4) = 25, google-ads round(10 × 0.25 / 0.4) = 6.
    const facts = [
      lead('m1', 'meta-ads', { qualified: true }),
      lead('m2', 'meta-ads', { qualified: true, invalid: true }),
      lead('m3', 'meta-ads', { qualified: true, invalid: true }),
      lead('g1', 'google-ads', { qualified: true }),
      ...['g2', 'g3', 'g4'].map((leadId) => lead(leadId, 'google-ads', {})),
    ];
    const version: RollupVersion = { day: '2026-05-04', version: 1, rolledUpAt: '2026-05-05T00:30:00.000Z', rows: rollUpDay(facts, []) };
    expect(measureChannelRates([version], { 'meta-ads': 10, 'google-ads': 10 }, 1)).toEqual([
      { channel: 'google-ads', validLeads: 4, qualified: 1, converted: 1, qualificationRate: 0.25, conversionRate: 0.25, configuredPrior: 10, suggestedPrior: 6 },
      { channel: 'meta-ads', validLeads: 1, qualified: 1, converted: 1, qualificationRate: 1, conversionRate: 1, configuredPrior: 10, suggestedPrior: 25 },
    ]);
  });
});
