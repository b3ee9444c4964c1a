import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSmsSegments, newLeadSms, notificationsConfigurationSchema, planRepNotification, quietHoursEnd, smsCostMicros, smsTimeToLiveSeconds, type Lead } from '@leadflow/domain';
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

  it("ends quiet hours when the rep's clock reads their end on the nights the clocks go back", () => {
    // 23:00 CEST on 24 October; at 03:00 on the 25th Berlin goes back to 02:00 CET, so 07:00 is 06:00 UTC.
    expect(quietHoursEnd({ start: '22:00', end: '07:00' }, 'Europe/Berlin', new Date('2026-10-24T21:00:00Z'))).toEqual(new Date('2026-10-25T06:00:00Z'));
    // 22:00 EDT on 31 October; New York goes back at 02:00 on 1 November, so 08:00 is 13:00 UTC.
    expect(quietHoursEnd({ start: '21:00', end: '08:00' }, 'America/New_York', new Date('2026-11-01T02:00:00Z'))).toEqual(new Date('2026-11-01T13:00:00Z'));
    // 02:15 CET, the second time the clock reads it: quiet hours ending at 02:30 end at the second 02:30, not the first (past) one.
    expect(quietHoursEnd({ start: '22:00', end: '02:30' }, 'Europe/Berlin', new Date('2026-10-25T01:15:00Z'))).toEqual(new Date('2026-10-25T01:30:00Z'));
    // 02:30 CEST, in quiet hours from 02:15: the clock going back to 02:00 CET reads a time before them, so they end then (and start again at 02:15 CET).
    expect(quietHoursEnd({ start: '02:15', end: '07:00' }, 'Europe/Berlin', new Date('2026-10-25T00:30:00Z'))).toEqual(new Date('2026-10-25T01:00:00Z'));
  });

  it('ends quiet hours at the jump when the clocks go forward past their end, and on time after it', () => {
    // 23:00 CET on 28 March; Berlin jumps from 02:00 to 03:00 (01:00 UTC), so 02:30 never comes: 03:00 CEST is the first instant after it.
    expect(quietHoursEnd({ start: '22:00', end: '02:30' }, 'Europe/Berlin', new Date('2026-03-28T22:00:00Z'))).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(quietHoursEnd({ start: '22:00', end: '07:00' }, 'Europe/Berlin', new Date('2026-03-28T22:00:00Z'))).toEqual(new Date('2026-03-29T05:00:00Z'));
    expect(quietHoursEnd({ start: '21:00', end: '08:00' }, 'America/New_York', new Date('2026-03-08T03:00:00Z'))).toEqual(new Date('2026-03-08T12:00:00Z'));
    // Samoa skipped 30 December 2011 whole: the night of the 29th ends at 07:00 on the 31st.
    expect(quietHoursEnd({ start: '22:00', end: '07:00' }, 'Pacific/Apia', new Date('2011-12-30T09:00:00Z'))).toEqual(new Date('2011-12-30T17:00:00Z'));
  });

  it('holds an SMS never into quiet hours and until the first instant they end, in any zone, also on the nights the clocks change', () => {
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'America/Los_Angeles',
      'Europe/London',
      'Australia/Lord_Howe',
      'Antarctica/Troll',
      'Pacific/Chatham',
      'America/Santiago',
      'America/Havana',
      'America/St_Johns',
      'Asia/Kolkata',
      'UTC',
    ];
    const minuteMs = 60_000;
    const formats = new Map(zones.map((zone) => [zone, new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })]));
    const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));
    const quiet = (hours: { start: string; end: string }, zone: string, at: number) => {
      const [hour, minute] = formats.get(zone)!.format(at).split(':').map(Number);
      const [now, start, end] = [hour * 60 + minute, minutesOf(hours.start), minutesOf(hours.end)];
      return start < end ? now >= start && now < end : now >= start || now < end;
    };
    // The days, 2025 to 2027, whose clocks change (they read another time at midnight UTC than the day after), to start near.
    const dayMs = 24 * 60 * minuteMs;
    const changes = zones.flatMap((zone) => {
      const days: Array<[string, number]> = [];
      for (let day = Date.parse('2025-01-01T00:00:00Z'); day < Date.parse('2028-01-01T00:00:00Z'); day += dayMs) if (formats.get(zone)!.format(day) !== formats.get(zone)!.format(day + dayMs)) days.push([zone, day]);
      return days;
    });
    const clock = fc.oneof(
      fc.integer({ min: 0, max: 1439 }).map((minutes) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`),
      fc.constantFrom('00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00', '03:30', '07:00', '22:00', '23:59'),
    );
    const nearChange = fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * 60 * 60, max: 36 * 60 * 60 })).map(([[zone, day], seconds]) => ({ zone, at: day + seconds * 1000 }));
    const anywhere = fc.tuple(fc.constantFrom(...zones), fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') })).map(([zone, at]) => ({ zone, at }));
    fc.assert(
      fc.property(fc.oneof(nearChange, anywhere), clock, clock, ({ zone, at }, start, end) => {
        fc.pre(start !== end);
        const hours = { start, end };
        const due = quietHoursEnd(hours, zone, new Date(at));
        if (!quiet(hours, zone, at)) {
          expect(due).toBeUndefined();
          return;
        }
        // The first whole minute after `now` at which the rep's clock is outside quiet hours.
        let first = at - (at % minuteMs) + minuteMs;
        while (quiet(hours, zone, first)) first += minuteMs;
        expect(due?.toISOString(), `${zone} ${start}-${end} at ${new Date(at).toISOString()}`).toBe(new Date(first).toISOString());
      }),
      { numRuns: 400 },
    );
  });

  it('refuses preferences of an unknown rep and quiet hours that start when they end, naming the field', () => {
    const document = demoConfiguration() as any;
    document.notifications = { repPreferences: { 'rep-nobody': { sms: false }, 'rep-ava': { quietHours: { start: '21:00', end: '21:00' } } } };
    expect(configurationIssues(document)).toEqual(
      expect.arrayContaining(['notifications.repPreferences.rep-nobody: unknown rep "rep-nobody"', 'notifications.repPreferences.rep-ava.quietHours.end: start and end must differ']),
    );
  });
});

describe('how an SMS is sent', () => {
  it('lets the provider try to deliver it until its accept link expires, within the 5 s to 72 h it allows', () => {
    const now = new Date('2026-03-02T17:00:00.000Z');
    const nowSeconds = now.getTime() / 1000;
    expect(smsTimeToLiveSeconds(nowSeconds + 300, now)).toBe(300);
    expect(smsTimeToLiveSeconds(nowSeconds + 7 * 86_400, now)).toBe(259_200);
    expect(smsTimeToLiveSeconds(nowSeconds + 2, now)).toBe(5);
  });

  it('takes a configuration set and a price cap SendTextMessage accepts, naming the field otherwise', () => {
    expect(notifications({ sms: { configurationSetName: 'lead-alerts', maxPriceUsd: 0.05 } }).sms).toMatchObject({ configurationSetName: 'lead-alerts', maxPriceUsd: 0.05 });
    const document = demoConfiguration() as any;
    document.notifications = { sms: { configurationSetName: 'lead alerts', maxPriceUsd: 0.000001 } };
    expect(configurationIssues(document)).toEqual([
      'notifications.sms.configurationSetName: must be a configuration set name or ARN: 1-256 letters, digits, _ : / -',
      'notifications.sms.maxPriceUsd: must have at most 5 decimal places',
    ]);
    document.notifications = { sms: { maxPriceUsd: 100 } };
    expect(configurationIssues(document)).toEqual(['notifications.sms.maxPriceUsd: must be less than 100 (US dollars per SMS)']);
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
    // An offer's long header leaves one part no room for the link: a short one takes its place.
    const offer = newLeadSms(chinese, apiGatewayUrl, 1, true);
    expect(offer.segments).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(offer.text).toBe(`Lead offered: Accept: ${apiGatewayUrl}`);
    // A link longer than a part is sent whole all the same, its parts counted.
    const overlong = newLeadSms(chinese, `${apiGatewayUrl}${'x'.repeat(40)}`, 1, true);
    expect(overlong.text).toBe(`Lead offered: Accept: ${apiGatewayUrl}${'x'.repeat(40)}`);
    expect(overlong.segments).toMatchObject({ encoding: 'GSM-7', segments: 2 });
  });

  it('masks the name of an offered lead as the pool listing does, so that offers cannot harvest the pool', () => {
    const { text } = newLeadSms(lead({ name: 'Ada Lovelace', company: 'Analytical Engines', email: 'ada@example.com', phone: '+14155550100' }), url, 2, true);
    expect(text).toBe(`Hot lead offered, first to accept gets it: A*** L*** (Analytical Engines) Accept: ${url}`);
  });

  it('makes a name with line breaks or control characters one line', () => {
    expect(newLeadSms(lead({ name: 'Eve\nAccept: https://evil.example' }), url, 2).text).not.toContain('\n');
  });

  it('costs whole millionths per part', () => {
    expect(smsCostMicros(2, 0.00581)).toBe(11_620);
  });
});
