import { describe, expect, it } from 'vitest';
import {
  activityBodySchema,
  assignBodySchema,
  conversionBodySchema,
  conversionCorrectionBodySchema,
  humanTextIssue,
  humanTextSchema,
  identifierIssue,
  importSubmission,
  lockBodySchema,
  parseSpendRows,
  prepareIntake,
  publicText,
  readWebFormPost,
  statusBodySchema,
  toIssueList,
  type IntakeSubmission,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const config = demoConfiguration();
const form = config.forms.find((candidate) => candidate.id === 'demo')!;
const now = new Date('2026-03-02T10:15:00.000Z');
const ids = { leadId: 'lead-1', eventId: 'event-1', touchEventId: 'touch-1' };

/** One of each kind of character refused from our users and dropped from the public, beside text that stays. */
const unsafe = ['\u0000', '\u0007', '\u001B', '\u007F', '\u0085', '\u009F', '\u202A', '\u202E', '\u2066', '\u2069', '\uD800', '\uDFFF'];

describe('humanTextIssue and humanTextSchema (text our users type)', () => {
  it('names the first control, bidi control or unpaired surrogate, and passes what people type', () => {
    for (const character of unsafe) expect(humanTextIssue(`a${character}b`), JSON.stringify(character)).toMatch(/^must not contain .* \(found U\+[0-9A-F]{4}\)$/);
    expect(humanTextIssue('a\u0000b\u0007\u202e\ud800z')).toBe('must not contain control characters, bidirectional controls or unpaired surrogates (found U+0000)');
    expect(humanTextIssue('left a voicemail\u202e')).toContain('(found U+202E)');
    expect(humanTextIssue('call\uDC00')).toContain('(found U+DC00)');
    for (const fine of ['Called\tback\r\nwill try again', 'Müller, 北京 — 😀 ok', 'عربي', '\u200F marks are kept', '']) expect(humanTextIssue(fine), fine).toBeUndefined();
  });

  it('is trimmed and length-checked as before, and refused with its field named', () => {
    expect(humanTextSchema(10).parse('  called  ')).toBe('called');
    expect(humanTextSchema(10).safeParse('   ').success).toBe(false);
    const refused = humanTextSchema(10).safeParse('a\u0000b');
    expect(refused.success).toBe(false);
  });

  it('refuses such text in every sales API body that takes free text, naming the field', () => {
    const pool = config.pools[0];
    const bad = 'a\u0000b\u0007\u202e\ud800z';
    const cases: Array<[string, { safeParse: (body: unknown) => { success: boolean; error?: unknown } }, unknown]> = [
      ['outcome', activityBodySchema(now), { kind: 'call', outcome: bad }],
      ['note', statusBodySchema(pool), { status: 'contacted', note: bad }],
      ['reason', lockBodySchema, { reason: 'VIP\u0000\u0007' }],
      ['reason', assignBodySchema, { repId: 'rep-ben', reason: bad }],
      ['reason', conversionCorrectionBodySchema(now), { revenue: 10, currency: 'USD', reason: `refund ${bad}` }],
      ['dealId', conversionBodySchema(now), { revenue: 10, currency: 'USD', wonAt: '2026-03-01T10:00:00Z', dealId: `CRM-42${bad}` }],
      ['dealId', conversionCorrectionBodySchema(now), { revenue: 10, currency: 'USD', dealId: 'CRM\n42', reason: 'refund' }],
    ];
    for (const [field, schema, body] of cases) {
      const parsed = schema.safeParse(body);
      expect(parsed.success, JSON.stringify(body)).toBe(false);
      expect(toIssueList(parsed.error as never)).toEqual([{ path: field, message: expect.stringContaining('must not contain control characters') }]);
    }
    expect(activityBodySchema(now).safeParse({ kind: 'call', outcome: 'Left a voicemail\nwill call back' }).success).toBe(true);
  });
});

describe('identifierIssue (ids people and senders give: a deal id, an event id)', () => {
  it('names what humanTextIssue names, and tabs and line breaks, which no id holds', () => {
    for (const character of [...unsafe, '\t', '\n', '\r']) expect(identifierIssue(`CRM${character}42`), JSON.stringify(character)).toMatch(/^must not contain .* \(found U\+[0-9A-F]{4}\)$/);
    expect(identifierIssue('CRM\r\n42')).toBe('must not contain control characters, bidirectional controls or unpaired surrogates (found U+000D)');
    for (const fine of ['CRM-42', 'urn:li:leadGenForm:123', 'Deal 42 / Q3', '北京-0042', '😀', '']) expect(identifierIssue(fine), fine).toBeUndefined();
  });
});

describe('publicText and the intake (text from the public)', () => {
  it('drops exactly the refused characters, keeping tabs, line breaks and paired surrogates', () => {
    expect(publicText('Bob\u0000\u0007\u202eEvil\ud800')).toBe('BobEvil');
    expect(publicText(unsafe.map((character) => `${character}.`).join(''))).toBe('.'.repeat(unsafe.length));
    // Two halves that meet only once what lay between them is dropped are still dropped: what is left has no unpaired surrogate.
    expect(publicText('a\uD800\u0000\uDC00b')).toBe('ab');
    expect(publicText('a\tb\r\nc 😀')).toBe('a\tb\r\nc 😀');
    expect(publicText(publicText('a\uD800\uD800\uDC00b'))).toBe('a\uD800\uDC00b');
  });

  const submission = (overrides: Partial<IntakeSubmission>): IntakeSubmission => ({
    sourceKind: 'webhook',
    channel: 'website',
    poolId: 'americas-inbound',
    defaultCountry: 'US',
    contact: {},
    answers: {},
    attribution: {},
    isTest: false,
    ...overrides,
  });

  it('stores contact, answers and attribution of every channel without them, and keeps the lead', () => {
    const { lead } = prepareIntake(
      submission({
        contact: { name: 'Bob\u0000\u0007\u202eEvil\ud800', email: 'bob@example.com\u0000', phone: '\u202a+1 415 555 0100', company: 'Acme\u0085' },
        answers: { message: 'hi\u0000 there\nsecond line', 'size\u202e': '11-50' },
        attribution: { lastTouch: { utm_campaign: 'spring\u0000', referrer: '\u2066https://example.com/', utm_term: '\u0000' } },
      }),
      ids,
      now,
      config,
    );
    expect(lead.status).toBe('new');
    expect(lead.contact).toEqual({ name: 'BobEvil', email: 'bob@example.com', phone: '+14155550100', phoneCountry: 'US', company: 'Acme' });
    expect(lead.answers).toEqual({ message: 'hi there\nsecond line', size: '11-50' });
    expect(lead.attribution).toEqual({ firstTouch: { utm_campaign: 'spring', referrer: 'https://example.com/' }, lastTouch: { utm_campaign: 'spring', referrer: 'https://example.com/' } });
  });

  it('cleans a CSV import row and a touch of a known person the same way', () => {
    const imported = importSubmission(
      { row: 2, contact: { name: 'Ada\u0000', email: 'ada@example.com' }, answers: { note: 'met at booth\u0000 7' }, touch: { utm_source: 'expo\u0000' } },
      { channel: 'trade-shows', poolId: 'americas-inbound', sourceId: 'expo' },
    );
    const prepared = prepareIntake(imported, ids, now, config);
    expect([prepared.lead.contact.name, prepared.lead.answers.note, prepared.lead.attribution.lastTouch?.utm_source]).toEqual(['Ada', 'met at booth 7', 'expo']);
    const touch = prepared.touch({ ...prepared.lead, contact: { email: 'ada@example.com' }, answers: {} }, []);
    expect(touch.gained?.contact.name).toBe('Ada');
    expect(touch.gained?.answers).toEqual({ note: 'met at booth 7' });
    expect(touch.lastTouch).toEqual({ utm_source: 'expo' });
  });

  it("stores a consent's text, version and user agent without them, on the lead and in its ledger entries", () => {
    const prepared = prepareIntake(
      submission({
        contact: { email: 'ada@example.com' },
        consent: { text: 'You may \u202econtact me\u0000.\nThanks', version: '\u2066v3', purposes: ['contact'], givenAt: now.toISOString(), ip: '203.0.113.9', userAgent: 'Firefox\u0007/1' },
      }),
      ids,
      now,
      config,
    );
    const cleaned = { text: 'You may contact me.\nThanks', version: 'v3', userAgent: 'Firefox/1', ip: '203.0.113.9' };
    expect(prepared.lead.consent).toMatchObject(cleaned);
    expect(prepared.consents).toEqual([expect.objectContaining(cleaned)]);
    const { consentGiven: _marks, ...unmarked } = prepared.lead;
    expect(prepared.touch({ ...unmarked, leadId: 'lead-0' }, []).consents).toEqual([expect.objectContaining(cleaned)]);
  });

  it('reads a form post as it will be stored: an email with a stray control character is taken, not refused', () => {
    const post = readWebFormPost(form, { name: 'Bob\u0000\u0007\u202eEvil\ud800', email: 'bob@example.com\u0000', company_size: '11-50\u0007', _fill_ms: 60_000 }, { now });
    expect(post.ok && post.submission.contact).toEqual({ name: 'BobEvil', email: 'bob@example.com' });
    expect(post.ok && post.submission.answers).toEqual({ company_size: '11-50' });
  });
});

describe('readWebFormPost, consent', () => {
  const consentOf = (value: unknown) => readWebFormPost(form, { name: 'Ada', email: 'ada@example.com', consent: value, _fill_ms: 60_000 }, { now });

  it('refuses an object, a list or a number as consent, naming it', () => {
    for (const value of [{ a: 1 }, ['on'], 1, 0]) {
      expect(consentOf(value), JSON.stringify(value)).toEqual({ ok: false, issues: [{ path: 'consent', message: expect.stringContaining('must be true or false, or the value of a ticked box') }] });
    }
  });

  it('keeps reading strings and booleans as before', () => {
    for (const ticked of ['on', 'true', 'YES', '1', true]) {
      const post = consentOf(ticked);
      expect(post.ok && post.submission.consent?.version, JSON.stringify(ticked)).toBe('2026-11');
    }
    for (const unticked of ['false', 'off', '', false, null, undefined]) {
      const post = consentOf(unticked);
      expect(post.ok, JSON.stringify(unticked)).toBe(true);
      expect(post.ok && post.submission.consent, JSON.stringify(unticked)).toBeUndefined();
    }
  });
});

describe('parseSpendRows, campaign text', () => {
  const context = { currency: 'USD', channelIds: new Set(config.channels.map((channel) => channel.id)), channelRoi: { exchangeRates: [] }, timeZone: 'America/New_York', now: new Date('2026-08-11T12:00:00.000Z') };

  it('refuses a campaign name with a control or bidi character, naming the row and field', () => {
    const parsed = parseSpendRows(
      [
        { date: '2026-08-10', channel: 'meta-ads', campaign: 'spring\u0000', amount: '5', currency: 'USD' },
        { date: '2026-08-10', channel: 'meta-ads', campaign: '\u202espring', amount: '5', currency: 'USD' },
        { date: '2026-08-10', channel: 'meta-ads', campaign: 'spring', amount: '5', currency: 'USD' },
      ],
      context,
    );
    expect(parsed).toEqual({
      ok: false,
      issues: [
        { path: 'rows[0].campaign', message: 'must not contain control characters, bidirectional controls or unpaired surrogates (found U+0000)' },
        { path: 'rows[1].campaign', message: 'must not contain control characters, bidirectional controls or unpaired surrogates (found U+202E)' },
      ],
    });
  });
});
