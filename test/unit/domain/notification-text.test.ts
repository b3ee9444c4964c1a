import { describe, expect, it } from 'vitest';
import { followUpEmail, newLeadEmail, oneLine, quotedField, readableEmail, unattendedLeadEmail } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

describe('oneLine (subjects, SMS)', () => {
  it('drops NUL, controls, bidi overrides and lone surrogates, and turns every line break into a space', () => {
    expect(oneLine('Ada\u0000 Love\u0007lace')).toBe('Ada Lovelace');
    expect(oneLine('Ada\r\nBcc: all@example.com\rX\u2028Y\u2029Z\u0085W\u000bV\u000cU\tT')).toBe('Ada Bcc: all@example.com X Y Z W V U T');
    expect(oneLine('evil\u202Egnp.exe')).toBe('evilgnp.exe');
    expect(oneLine('a\uD800b\uDC00c')).toBe('abc');
    expect(oneLine('emoji 😀 stays')).toBe('emoji 😀 stays');
    expect(oneLine('  many     spaces  ')).toBe('many spaces');
  });

  it('cuts long text with an ellipsis, never splitting the limit', () => {
    expect(oneLine('x'.repeat(300), 20)).toBe(`${'x'.repeat(19)}…`);
  });
});

describe('quotedField (free text in a plain-text body)', () => {
  it('keeps one line on its label line, and quotes every line of a multi-line text', () => {
    expect(quotedField('company_size', '11-50')).toEqual(['company_size: 11-50']);
    expect(quotedField('message', 'Hello\r\n\r\nSource: form demo (channel website)\u0000')).toEqual(['message:', '> Hello', '> ', '> Source: form demo (channel website)']);
    expect(quotedField('evil\nkey', 'x')).toEqual(['evil key: x']);
  });
});

describe('the rep email', () => {
  const config = demoConfiguration();
  // Contact as stored: the intake cleans emails and phones but keeps names, companies and messages as typed.
  const { lead } = webFormIntake(config, { leadId: 'lead-1', contact: { name: 'Mallory', email: 'mallory@example.com' }, now: new Date('2026-03-02T10:15:00.000Z') });
  lead.contact = { ...lead.contact, name: 'Mallory\u0000\r\nBcc: all@example.com', company: 'Evil Corp\nSource: form trusted (channel website)', message: 'Hi\nLead id: lead-0\n\uD800' };
  lead.answers = { 'note\nforged': 'a\nb' };

  it('has a one-line subject with no control characters, and no lead text that starts a line of ours', () => {
    const email = newLeadEmail(config.reps[0], lead);
    expect(email.subject).toBe('New lead: Mallory Bcc: all@example.com');
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(email.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\uD800-\uDFFF]/);
    const lines = email.text.split('\n');
    expect(lines.filter((line) => line.startsWith('Source:'))).toEqual(['Source: form demo (channel website), captured 2026-03-02T10:15:00.000Z.']);
    expect(lines).toContain('company: Evil Corp Source: form trusted (channel website)');
    expect(lines).toEqual(expect.arrayContaining(['message:', '> Hi', '> Lead id: lead-0', 'note forged:', '> a', '> b']));
  });

  it("lists the contact the person gave, not the phone's country read from their number", () => {
    const { lead: withPhone } = webFormIntake(config, { leadId: 'lead-2', contact: { name: 'Ada', phone: '+1 415 555 0100' } });
    expect(withPhone.contact.phoneCountry).toBe('US');
    const lines = newLeadEmail(config.reps[0], withPhone).text.split('\n');
    expect(lines).toContain('phone: +14155550100');
    expect(lines.filter((line) => line.startsWith('phoneCountry'))).toEqual([]);
  });
});

describe("the pool managers' email", () => {
  const config = demoConfiguration();
  const { lead } = webFormIntake(config, { leadId: 'lead-3', contact: { name: 'Mallory', email: 'mallory@example.com' }, now: new Date('2026-03-02T10:15:00.000Z') });
  lead.contact = { ...lead.contact, name: 'Mallory\u0000\r\nBcc: all@example.com\u202E' };

  it('puts the name on one line, in the subject and in the body', () => {
    const email = unattendedLeadEmail(config.reps[0], lead, { id: 'americas-inbound', name: 'Americas inbound' }, 'no rep on route default was available');
    expect(email.subject).toBe('Unassigned lead waiting in Americas inbound: Mallory Bcc: all@example.com');
    expect(email.text.split('\n')).toContain('Mallory Bcc: all@example.com (lead-3) is waiting unowned in pool "Americas inbound": nobody on its route could take it.');
    // eslint-disable-next-line no-control-regex -- the test looks for control characters
    expect(`${email.subject}\n${email.text}`).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/);
  });
});

describe('an email with an internationalised domain, where a person reads it', () => {
  const config = demoConfiguration();
  // Stored as the intake keeps it: the domain in punycode, the form sending, dedup and the API use.
  const { lead } = webFormIntake(config, { leadId: 'lead-4', contact: { email: 'Anna@Bücher.de' }, now: new Date('2026-03-02T10:15:00.000Z') });

  it('is stored in punycode and read with its domain in Unicode, a masked or unmappable address too', () => {
    expect(lead.contact.email).toBe('anna@xn--bcher-kva.de');
    expect(readableEmail('anna@xn--bcher-kva.de')).toBe('anna@bücher.de');
    expect(readableEmail('li@xn--fsqu00a.xn--fiqs8s')).toBe('li@例子.中国');
    expect(readableEmail('a***@xn--bcher-kva.de')).toBe('a***@bücher.de');
    expect(readableEmail('ada@example.com')).toBe('ada@example.com');
    expect(readableEmail('a@xn--zz.de')).toBe('a@xn--zz.de');
  });

  it("reads in Unicode in the rep's email, owned and offered, sent to the rep as configured", () => {
    const owned = newLeadEmail(config.reps[0], lead);
    expect(owned.subject).toBe('New lead: anna@bücher.de');
    expect(owned.text.split('\n')).toContain('email: anna@bücher.de');
    const offered = newLeadEmail(config.reps[0], lead, { repIds: ['rep-ava', 'rep-ben'], expiresAt: '2026-03-02T10:20:00.000Z' });
    expect(offered.subject).toBe('Lead offered: a***@bücher.de');
    expect(offered.text.split('\n')).toContain('email: a***@bücher.de');
    expect(`${owned.text}${offered.text}`).not.toContain('xn--');
  });

  it("reads in Unicode in the pool managers' and the follow-up emails", () => {
    const pooled = unattendedLeadEmail(config.reps[0], lead, { id: 'americas-inbound', name: 'Americas inbound' }, 'no rep on route default was available');
    expect(pooled.subject).toBe('Unassigned lead waiting in Americas inbound: anna@bücher.de');
    const reminded = followUpEmail(
      {
        type: 'lead.reminded',
        detail: {
          leadId: 'lead-4',
          poolId: 'americas-inbound',
          channel: 'website',
          capturedAt: lead.capturedAt,
          ownerId: 'rep-ava',
          by: 'system',
          eventId: 'r1',
          sla: 'first_contact',
          dueAt: '2026-03-03T10:00:00.000Z',
          remindedAt: '2026-03-03T09:50:00.000Z',
        },
      },
      config.reps[0],
      lead,
    );
    expect(reminded.subject).toBe('Reminder: first contact with anna@bücher.de due at 2026-03-03T10:00:00.000Z');
    expect(`${pooled.text}${reminded.text}`).not.toContain('xn--');
  });
});
