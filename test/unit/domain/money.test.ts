import { describe, expect, it } from 'vitest';
import {
  amountDecimalsOf,
  conversionBodySchema,
  conversionCorrectionBodySchema,
  currencyExponent,
  factsAtConfiguredRates,
  formatAmount,
  parseAmount,
  parseSpendRows,
  reportFigures,
  rescaled,
  roiFactsOfLead,
  rollUpDay,
  spendInDecimals,
  toReportingUnits,
  versionInDecimals,
  type LeadRoiFacts,
  type RollupVersion,
} from '@leadflow/domain';
import { fixtureLeadRecords } from '../../fixtures/channel-roi/hand-computed';

const threeDecimalCurrencies = ['KWD', 'BHD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD'];
const kwdToUsd = { currency: 'USD', exchangeRates: [{ currency: 'KWD', from: '2026-01-01', rate: 3.25 }] };
const usdToKwd = { currency: 'KWD', exchangeRates: [{ currency: 'USD', from: '2026-01-01', rate: 0.3075 }] };

describe('currency decimals', () => {
  it('takes ISO 4217 exponents from the runtime, IQD (which ICU gives none) from ISO 4217', () => {
    expect(threeDecimalCurrencies.map(currencyExponent)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(['USD', 'EUR', 'JPY', 'KRW'].map(currencyExponent)).toEqual([2, 2, 0, 0]);
  });

  it('keeps amounts in thousandths for three-decimal currencies and in cents for every other, JPY included', () => {
    expect(threeDecimalCurrencies.map(amountDecimalsOf)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(['USD', 'EUR', 'JPY', 'KRW'].map(amountDecimalsOf)).toEqual([2, 2, 2, 2]);
    // A currency of four decimals (CLF, UYW) would be kept to three: the runtime must not take one as a currency.
    expect(Intl.supportedValuesOf('currency').filter((currency) => currencyExponent(currency) > 3)).toEqual([]);
  });
});

describe('amounts in thousandths', () => {
  it('reads and writes three decimals exactly', () => {
    expect([parseAmount('12.345', 3), parseAmount('12.3', 3), parseAmount('999999999999.999', 3), parseAmount('12.3456', 3), parseAmount('12.345', 2)]).toEqual([
      12_345,
      12_300,
      999_999_999_999_999,
      undefined,
      undefined,
    ]);
    expect([formatAmount(12_345, 3), formatAmount(5, 3), formatAmount(-5, 3), formatAmount(1_500_000, 3)]).toEqual(['12.345', '0.005', '-0.005', '1500.000']);
  });

  it('converts between currencies of different decimals exactly, halves up', () => {
    // KWD 12.345 at 3.25 is USD 40.12125.
    expect(toReportingUnits({ units: 12_345, decimals: 3, currency: 'KWD' }, '2026-03-10', kwdToUsd)).toBe(4012);
    // KWD 0.002 at 2.5 is USD 0.005: a half cent, up; KWD 0.001 at 3.25 is USD 0.00325, down.
    expect(toReportingUnits({ units: 2, decimals: 3, currency: 'KWD' }, '2026-03-10', { currency: 'USD', exchangeRates: [{ currency: 'KWD', from: '2026-01-01', rate: 2.5 }] })).toBe(1);
    expect(toReportingUnits({ units: 1, decimals: 3, currency: 'KWD' }, '2026-03-10', kwdToUsd)).toBe(0);
    // USD 10.00 at 0.3075 is KWD 3.075, exact in thousandths; USD 0.01 is KWD 0.003075, so 0.003.
    expect(toReportingUnits({ units: 1000, decimals: 2, currency: 'USD' }, '2026-03-10', usdToKwd)).toBe(3075);
    expect(toReportingUnits({ units: 1, decimals: 2, currency: 'USD' }, '2026-03-10', usdToKwd)).toBe(3);
    // USD 0.02 at 0.3075 is KWD 0.00615, so 0.006; at 0.025 it is KWD 0.0005, a half fils, up.
    expect(toReportingUnits({ units: 2, decimals: 2, currency: 'USD' }, '2026-03-10', usdToKwd)).toBe(6);
    expect(toReportingUnits({ units: 2, decimals: 2, currency: 'USD' }, '2026-03-10', { currency: 'KWD', exchangeRates: [{ currency: 'USD', from: '2026-01-01', rate: 0.025 }] })).toBe(1);
    // KWD in cents (as stored before thousandths were kept) is the same amount in thousandths.
    expect(toReportingUnits({ units: 1234, decimals: 2, currency: 'KWD' }, '2026-03-10', usdToKwd)).toBe(12_340);
    expect(toReportingUnits({ units: 12_345, decimals: 3, currency: 'KWD' }, '2026-03-10', usdToKwd)).toBe(12_345);
    expect([rescaled(1234, 2, 3), rescaled(12_345, 3, 2), rescaled(12_344, 3, 2), rescaled(12_345, 3, 3)]).toEqual([12_340, 1235, 1234, 12_345]);
  });

  it('reports money in a three-decimal reporting currency with three decimals, ratios as ever', () => {
    const [row] = rollUpDay([], [{ day: '2026-03-10', channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 10_000 }] }]).filter((each) => each.attribution === 'first');
    const figures = reportFigures({ ...row, leads: 3, qualified: 3, converted: 3, revenueCents: 30_001 }, 3);
    // Spend KWD 10.000 over 3 is 3.3333…; revenue 30.001 over 10.000 is a ROAS of 3.0001.
    expect(figures).toMatchObject({ revenue: '30.001', spend: '10.000', cpl: '3.333', cac: '3.333', roas: '3.0001', roi: '2.0001' });
    expect(reportFigures({ ...row, leads: 3 }, 2)).toMatchObject({ spend: '100.00', cpl: '33.33' });
  });
});

describe('inputs in a three-decimal currency', () => {
  const spendContext = (currency: string) => ({
    currency,
    channelIds: new Set(['meta-ads']),
    channelRoi: { exchangeRates: [...usdToKwd.exchangeRates, ...kwdToUsd.exchangeRates] },
    timeZone: 'UTC',
    now: new Date('2026-03-11T00:00:00.000Z'),
  });
  const row = (amount: string | number, currency: string, campaign = 'spring') => ({ date: '2026-03-10', channel: 'meta-ads', campaign, amount, currency });

  it('takes spend with the currency’s own decimals, kept in thousandths when KWD reports', () => {
    const parsed = parseSpendRows([row('12.345', 'KWD'), row('10.00', 'USD', 'summer'), row(0.5, 'KWD', 'autumn')], spendContext('KWD'));
    expect(parsed.ok && parsed.spend).toEqual([
      {
        day: '2026-03-10',
        channel: 'meta-ads',
        decimals: 3,
        campaigns: [
          { campaign: 'autumn', cents: 500 },
          { campaign: 'spring', cents: 12_345 },
          { campaign: 'summer', cents: 3075, original: { amount: '10.00', currency: 'USD' } },
        ],
      },
    ]);
    const inUsd = parseSpendRows([row('12.345', 'KWD'), row('1234.5', 'JPY', 'summer')], {
      ...spendContext('USD'),
      channelRoi: { exchangeRates: [...kwdToUsd.exchangeRates, { currency: 'JPY', from: '2026-01-01', rate: 0.0067 }] },
    });
    expect(inUsd.ok && inUsd.spend).toEqual([
      {
        day: '2026-03-10',
        channel: 'meta-ads',
        campaigns: [
          { campaign: 'spring', cents: 4012, original: { amount: '12.345', currency: 'KWD' } },
          // JPY is still taken with two decimals, as before: 1234.5 × 0.0067 = 8.27115.
          { campaign: 'summer', cents: 827, original: { amount: '1234.5', currency: 'JPY' } },
        ],
      },
    ]);
  });

  it('refuses spend with more decimals than its currency’s, naming the field and the currency', () => {
    const parsed = parseSpendRows([row('12.3456', 'KWD'), row('12.345', 'USD', 'summer'), row('1000000000000.000', 'KWD', 'autumn')], spendContext('KWD'));
    expect(!parsed.ok && parsed.issues).toEqual([
      { path: 'rows[0].amount', message: 'must be a decimal amount with at most three decimal places for KWD, such as 1234.500' },
      { path: 'rows[1].amount', message: 'must be a decimal amount with at most two decimal places, such as 1234.50' },
      { path: 'rows[2].amount', message: 'must be at most 999999999999.999' },
    ]);
  });

  it('takes revenue and corrections with the currency’s own decimals, naming `revenue` and the currency otherwise', () => {
    const now = new Date('2026-03-11T00:00:00.000Z');
    const sale = (revenue: number, currency: string) => ({ revenue, currency, wonAt: '2026-03-10T12:00:00.000Z' });
    const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) => result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(conversionBodySchema(now).safeParse(sale(12.345, 'KWD')).success).toBe(true);
    expect(conversionBodySchema(now).safeParse(sale(999_999_999_999.999, 'KWD')).success).toBe(true);
    expect(conversionBodySchema(now).safeParse(sale(1234.5, 'JPY')).success).toBe(true);
    expect(issues(conversionBodySchema(now).safeParse(sale(12.3456, 'KWD')))).toEqual([['revenue', 'must have at most 3 decimal places for KWD']]);
    expect(issues(conversionBodySchema(now).safeParse(sale(12.345, 'USD')))).toEqual([['revenue', 'must have at most 2 decimal places for USD']]);
    expect(issues(conversionCorrectionBodySchema(now).safeParse({ ...sale(0.0005, 'BHD'), reason: 'refund' }))).toEqual([['revenue', 'must have at most 3 decimal places for BHD']]);
    expect(conversionCorrectionBodySchema(now).safeParse({ ...sale(7.125, 'OMR'), reason: 'refund' }).success).toBe(true);
  });
});

describe('stored amounts keep their meaning', () => {
  const facts = (lead: (typeof fixtureLeadRecords)[number]['lead'], currency: string) => roiFactsOfLead(lead, { timeZone: 'UTC', currency, channelRoi: { exchangeRates: usdToKwd.exchangeRates } });
  const converted = { ...fixtureLeadRecords[0].lead, conversion: { revenue: 12.345, currency: 'KWD', wonAt: '2026-03-12T15:00:00.000Z', by: 'rep-ava' } };

  it('keeps a KWD sale in thousandths, marked so, and a USD one in cents as before', () => {
    expect(facts(converted, 'KWD')).toMatchObject({ revenueCents: 12_345, sale: { cents: 12_345, decimals: 3, currency: 'KWD', wonDay: '2026-03-12' } });
    expect(facts(fixtureLeadRecords[0].lead, 'USD').sale).toEqual({ cents: 120_000, currency: 'USD', wonDay: '2026-03-12' });
  });

  it('reads a KWD sale, spend and version stored in cents as the same amounts in thousandths', () => {
    const stored: LeadRoiFacts = { ...facts(converted, 'KWD'), sale: { cents: 1234, currency: 'KWD', wonDay: '2026-03-12' }, slaBreached: false };
    const beforeSales: LeadRoiFacts = { ...stored, leadId: 'old', sale: undefined, revenueCents: 500 };
    const valued = factsAtConfiguredRates([stored, beforeSales], { currency: 'KWD', channelRoi: { exchangeRates: [] } });
    expect(valued.ok && valued.facts.map((each) => each.revenueCents)).toEqual([12_340, 5000]);
    expect(spendInDecimals([{ day: '2026-03-10', channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 1234 }] }], 3)).toEqual([
      { day: '2026-03-10', channel: 'meta-ads', decimals: 3, campaigns: [{ campaign: 'spring', cents: 12_340 }] },
    ]);
    const version: RollupVersion = {
      day: '2026-03-10',
      version: 1,
      rolledUpAt: '2026-03-11T04:30:00.000Z',
      rows: rollUpDay([], [{ day: '2026-03-10', channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 1234 }] }]),
    };
    expect(versionInDecimals(version, 3).rows.map((row) => [row.spendCents, row.revenueCents])).toEqual([
      [12_340, 0],
      [12_340, 0],
    ]);
    expect(versionInDecimals(version, 3).decimals).toBe(3);
    expect(versionInDecimals(version, 2)).toBe(version);
  });
});
