import { describe, expect, it } from 'vitest';
import { countSmsSegments, newLeadSms, notificationsConfigurationSchema, planRepNotification, quietHoursEnd, smsCostMicros, type Lead } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

const config = demoConfiguration();
const ava = config.reps.find((rep) => rep.id === 'rep-ava')!; // America/Los_Angeles
const score = (temperature: 'hot' | 'warm' | 'cold', grade: 'A' | 'B' | 'C' | 'D' = 'B'): Lead['score'] => ({ points: 50, grade, temperature, contributions: [], scoredAt: '2026-03-02T10:00:00.000Z' });
// 10:00 in Los Angeles.
const daytime = new Date('2026-03-02T18:00:00Z');
const notifications = (document: unknown) => notificationsConfigurationSchema.parse(document);

describe('which channels tell a rep', () => {
  it('by default texts and emails hot leads and emails the others', () => {
    const defaults = notifications({});
    expect(planRepNotification({ config: defaults, rep: ava, score: score('hot'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'sms' }, { channel: 'email' }]);
    expect(planRepNotification({ config: defaults, rep: ava, score: score('warm'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'email' }]);
    expect(planRepNotification({ config: defaults, rep: ava, score: undefined, now: daytime, phoneFailing: false })).toEqual([{ channel: 'email' }]);
  });

  it('follows configured rules by grade and temperature, first match', () => {
    const byGrade = notifications({
      channelRules: [
        { when: { grades: ['A'] }, channels: ['sms'] },
        { when: { temperatures: ['warm'] }, channels: ['sms', 'email'] },
      ],
    });
    expect(planRepNotification({ config: byGrade, rep: ava, score: score('cold', 'A'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'sms' }]);
    expect(planRepNotification({ config: byGrade, rep: ava, score: score('warm', 'B'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'sms' }, { channel: 'email' }]);
    expect(planRepNotification({ config: byGrade, rep: ava, score: score('hot', 'B'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'email' }]);
  });

  it('turns an SMS into an email when the rep turned SMS off or their phone is failing, and never sends nothing', () => {
    const smsOff = notifications({ repPreferences: { 'rep-ava': { sms: false } } });
    expect(planRepNotification({ config: smsOff, rep: ava, score: score('hot'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'email', note: 'SMS replaced by email: rep turned SMS off' }]);
    expect(planRepNotification({ config: notifications({}), rep: ava, score: score('hot'), now: daytime, phoneFailing: true })[0]).toMatchObject({ channel: 'email', note: expect.stringContaining('failing') });
    const nothing = notifications({ repPreferences: { 'rep-ava': { sms: false, email: false } } });
    expect(planRepNotification({ config: nothing, rep: ava, score: score('warm'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'email', note: expect.stringContaining('last resort') }]);
  });

  it("holds an SMS until the rep's quiet hours end on their own clock, or sends it as an email, as configured", () => {
    // 23:30 in Los Angeles (07:30 UTC the next day).
    const night = new Date('2026-03-03T07:30:00Z');
    const wait = notifications({ repPreferences: { 'rep-ava': { quietHours: { start: '21:00', end: '07:00', during: 'wait' } } } });
    expect(planRepNotification({ config: wait, rep: ava, score: score('hot'), now: night, phoneFailing: false })).toEqual([
      { channel: 'sms', notBefore: '2026-03-03T15:00:00.000Z', note: 'quiet hours: waits until 2026-03-03T15:00:00.000Z' },
      { channel: 'email' },
    ]);
    const asEmail = notifications({ repPreferences: { 'rep-ava': { quietHours: { start: '21:00', end: '07:00', during: 'email' } } } });
    expect(planRepNotification({ config: asEmail, rep: ava, score: score('hot'), now: night, phoneFailing: false })).toEqual([{ channel: 'email', note: expect.stringContaining('quiet hours') }]);
    expect(planRepNotification({ config: wait, rep: ava, score: score('hot'), now: daytime, phoneFailing: false })).toEqual([{ channel: 'sms' }, { channel: 'email' }]);
  });

  it('finds the end of quiet hours, overnight and within a day, and nothing outside them', () => {
    expect(quietHoursEnd({ start: '22:00', end: '06:30' }, 'Europe/Paris', new Date('2026-06-01T03:00:00Z'))).toEqual(new Date('2026-06-01T04:30:00Z'));
    expect(quietHoursEnd({ start: '12:00', end: '13:00' }, 'UTC', new Date('2026-06-01T12:59:30Z'))).toEqual(new Date('2026-06-01T13:00:00Z'));
    expect(quietHoursEnd({ start: '22:00', end: '06:30' }, 'Europe/Paris', new Date('2026-06-01T12:00:00Z'))).toBeUndefined();
  });

  it('refuses preferences of an unknown rep and quiet hours that start when they end, naming the field', () => {
    const document = demoConfiguration() as any;
    document.notifications = { repPreferences: { 'rep-nobody': { sms: false }, 'rep-ava': { quietHours: { start: '21:00', end: '21:00' } } } };
    expect(configurationIssues(document)).toEqual(
      expect.arrayContaining(['notifications.repPreferences.rep-nobody: unknown rep "rep-nobody"', 'notifications.repPreferences.rep-ava.quietHours.end: start and end must differ']),
    );
  });
});

describe('the SMS text', () => {
  const url = 'https://leads.example/a/3f2a7c1e-0b5d-4a55-9d1e-6a7b8c9d0e1f.rep-ava.a.mzx1k2.AbCdEfGhIjKlMnOpQrStUv';
  const lead = (contact: Lead['contact']): Pick<Lead, 'contact' | 'score'> => ({ contact, score: score('hot') });

  it('carries only the name, the company and the link', () => {
    const { text } = newLeadSms(lead({ name: 'Ada Lovelace', company: 'Analytical Engines', email: 'ada@example.com', phone: '+14155550100', message: 'call me' }), url, 2);
    expect(text).toBe(`New hot lead: Ada Lovelace (Analytical Engines) Accept: ${url}`);
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('+1415');
    expect(text).not.toContain('call me');
  });

  it('fits in the configured parts whatever the name, counting a Chinese name as UCS-2', () => {
    const chinese = newLeadSms(lead({ name: '王小明', company: '北京智能科技有限公司' }), url, 2);
    expect(chinese.segments).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    const long = newLeadSms(lead({ name: '王'.repeat(200), company: 'X' }), url, 2);
    expect(long.segments.segments).toBe(2);
    expect(long.text).toContain(url);
    const one = newLeadSms(lead({ name: 'B'.repeat(300) }), url, 1);
    expect(countSmsSegments(one.text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it('shortens a long Latin name or company with "...", so the text stays GSM-7 and keeps the name', () => {
    const longCompany = lead({ name: 'Ada Lovelace', company: 'Hargreaves Lansdown Wealth Management Services International Ltd' });
    const one = newLeadSms(longCompany, url, 1);
    expect(one.segments).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(one.text).toMatch(/^New hot lead: Ada Lovelace \(Hargreaves.*\.\.\. Accept: https:/);
    const longName = newLeadSms(lead({ name: `Ada ${'Augusta '.repeat(12)}King` }), url, 2);
    expect(longName.segments).toMatchObject({ encoding: 'GSM-7' });
    expect(longName.text).toMatch(/^New hot lead: Ada Augusta .*\.\.\. Accept: https:/);
  });

  it('gives a Chinese name up for GSM-7 words, or none, when a long link leaves it no room', () => {
    const apiGatewayUrl = 'https://a1b2c3d4e5.execute-api.ap-southeast-1.amazonaws.com/a/3f2a7c1e-0b5d-4a55-9d1e-6a7b8c9d0e1f.rep-ava.a.mzx1k2.AbCdEfGhIjKlMnOpQrStUv';
    const chinese = lead({ name: '王小明', company: '北京智能科技有限公司' });
    for (const offered of [false, true]) {
      const two = newLeadSms(chinese, apiGatewayUrl, 2, offered);
      expect(two.segments, `offered: ${offered}`).toMatchObject({ encoding: 'GSM-7', segments: 2 });
      expect(two.text).toMatch(/: A new lead Accept: https:/);
    }
    const one = newLeadSms(chinese, apiGatewayUrl, 1);
    expect(one.segments).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(one.text).toBe(`New hot lead: Accept: ${apiGatewayUrl}`);
  });

  it('makes a name with line breaks or control characters one line', () => {
    expect(newLeadSms(lead({ name: 'Eve\nAccept: https://evil.example' }), url, 2).text).not.toContain('\n');
  });

  it('costs whole millionths per part', () => {
    expect(smsCostMicros(2, 0.00581)).toBe(11_620);
  });
});
