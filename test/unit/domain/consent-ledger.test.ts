import { describe, expect, it } from 'vitest';
import {
  consentGivenEntries,
  consentUserAgent,
  consentUserAgentMaxLength,
  hasConsent,
  prepareIntake,
  unrecordedConsents,
  type ConsentLedgerEntry,
  type ConsentRecord,
  type IntakeSubmission,
  type Lead,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const entry = (at: string, purpose: ConsentLedgerEntry['purpose'], action: ConsentLedgerEntry['action']): ConsentLedgerEntry => ({ leadId: 'lead-1', purpose, action, at, source: 'form:demo' });

describe('the consent in force', () => {
  it('is given per purpose, and withdrawn for good by a withdrawal, whatever order the entries come in', () => {
    const entries = [entry('2026-11-02T00:00:00.000Z', 'marketing_email', 'withdrawn'), entry('2026-11-01T00:00:00.000Z', 'marketing_email', 'given'), entry('2026-11-01T00:00:00.000Z', 'contact', 'given')];
    expect(hasConsent(entries, 'marketing_email')).toBe(false);
    expect(hasConsent(entries, 'contact')).toBe(true);
    // Anyone can post a person's email with the box ticked: that does not undo the person's own unsubscribe.
    expect(hasConsent([...entries, entry('2026-11-03T00:00:00.000Z', 'marketing_email', 'given')], 'marketing_email')).toBe(false);
    expect(hasConsent([...entries, entry('2026-11-03T00:00:00.000Z', 'marketing_email', 'given')], 'contact')).toBe(true);
  });

  it('is not given when the ledger says nothing about the purpose', () => {
    expect(hasConsent([entry('2026-11-01T00:00:00.000Z', 'contact', 'given')], 'marketing_email')).toBe(false);
  });
});

describe('a user agent on the ledger', () => {
  it('is kept up to 512 characters, cut with an ellipsis past them, so one post cannot make an entry of 10 KB', () => {
    expect(consentUserAgent('Mozilla/5.0 (Macintosh) Safari/605.1.15')).toBe('Mozilla/5.0 (Macintosh) Safari/605.1.15');
    const long = consentUserAgent(`Mozilla/5.0 ${'x'.repeat(9000)}`);
    expect(long).toHaveLength(consentUserAgentMaxLength);
    expect(long.endsWith('…')).toBe(true);
  });

  it('is cut on the lead and in every entry of a capture and of a touch', () => {
    const consent = { version: 'v1', text: 'You may contact me.', purposes: ['contact' as const, 'marketing_email' as const], givenAt: '2026-11-01T00:00:00.000Z', userAgent: `Mozilla/5.0 ${'x'.repeat(9000)}` };
    const prepared = prepareIntake(submissionWith(consent), ids, new Date('2026-11-01T00:00:00.000Z'), demoConfiguration());
    expect(prepared.lead.consent?.userAgent).toHaveLength(consentUserAgentMaxLength);
    expect(prepared.consents.map((given) => given.userAgent?.length)).toEqual([consentUserAgentMaxLength, consentUserAgentMaxLength]);
    const { consentGiven: _marks, ...unmarked } = prepared.lead;
    expect(prepared.touch(unmarked, []).consents.map((given) => given.userAgent?.length)).toEqual([consentUserAgentMaxLength, consentUserAgentMaxLength]);
  });
});

const ids = { leadId: 'lead-1', eventId: 'e-1', touchEventId: 't-1' };
const consentV1 = { version: 'v1', text: 'You may contact me and send me news.', purposes: ['contact' as const, 'marketing_email' as const], givenAt: '2026-11-01T00:00:00.000Z', ip: '192.0.2.1', userAgent: 'Safari' };

function submissionWith(consent: ConsentRecord, formId = 'demo'): IntakeSubmission {
  return { sourceKind: 'web_form', channel: 'website', formId, poolId: 'americas-inbound', defaultCountry: 'US', contact: { email: 'cy@example.com' }, answers: {}, attribution: {}, isTest: false, consent };
}

/** The person's lead as captured with `consent`, and a post of theirs at `at` with `consent` (v1 by default) from `formId`. */
function touchOf(lead: Lead, at: string, consent: Partial<ConsentRecord> = {}, formId = 'demo') {
  return prepareIntake(submissionWith({ ...consentV1, givenAt: at, ...consent }, formId), { ...ids, leadId: 'lead-2' }, new Date(at), demoConfiguration()).touch(lead, []);
}

describe('a consent given again', () => {
  const captured = prepareIntake(submissionWith(consentV1), ids, new Date(consentV1.givenAt), demoConfiguration());

  it('leaves a mark per purpose on the lead it is captured with', () => {
    expect(captured.consents).toHaveLength(2);
    expect(captured.lead.consentGiven).toEqual({
      contact: { at: consentV1.givenAt, source: 'form:demo', version: 'v1', textDigest: expect.stringMatching(/^[\w-]{22}$/) },
      marketing_email: { at: consentV1.givenAt, source: 'form:demo', version: 'v1', textDigest: expect.stringMatching(/^[\w-]{22}$/) },
    });
  });

  it('adds nothing to the ledger when the same form gives the same version and text again, whoever posts it', () => {
    const touch = touchOf(captured.lead, '2026-11-02T00:00:00.000Z', { ip: '198.51.100.7', userAgent: 'curl/8' });
    expect(touch.consents).toEqual([]);
    // The mark keeps the entry it names and takes the post's time, which a double opt-in confirmation reads as a new post.
    expect(touch.consentGiven).toEqual({
      contact: { ...captured.lead.consentGiven!.contact, givenAgainAt: '2026-11-02T00:00:00.000Z' },
      marketing_email: { ...captured.lead.consentGiven!.marketing_email, givenAgainAt: '2026-11-02T00:00:00.000Z' },
    });
    const marked = { ...captured.lead, consentGiven: touch.consentGiven };
    expect(touchOf(marked, '2026-11-03T00:00:00.000Z').consents).toEqual([]);
  });

  it('is recorded under a new version, a new text, another form, or a purpose not given before', () => {
    const at = '2026-11-02T00:00:00.000Z';
    expect(touchOf(captured.lead, at, { version: 'v2' }).consents.map((entry) => [entry.purpose, entry.version])).toEqual([
      ['contact', 'v2'],
      ['marketing_email', 'v2'],
    ]);
    expect(touchOf(captured.lead, at, { text: 'You may contact me and send me offers.' }).consents).toHaveLength(2);
    expect(touchOf(captured.lead, at, {}, 'emea-contact').consents.map((entry) => entry.source)).toEqual(['form:emea-contact', 'form:emea-contact']);
    const contactOnly = { ...captured.lead, consentGiven: { contact: captured.lead.consentGiven!.contact } };
    const touch = touchOf(contactOnly, at);
    expect(touch.consents.map((entry) => entry.purpose)).toEqual(['marketing_email']);
    expect(touch.consentGiven?.marketing_email).toEqual(expect.objectContaining({ at, version: 'v1' }));
  });

  it('is recorded after a withdrawal (which takes its mark away), once', () => {
    const withdrawn = { ...captured.lead, consentGiven: { contact: captured.lead.consentGiven!.contact } };
    const again = touchOf(withdrawn, '2026-11-03T00:00:00.000Z');
    expect(again.consents.map((entry) => [entry.purpose, entry.at])).toEqual([['marketing_email', '2026-11-03T00:00:00.000Z']]);
    const marked = { ...withdrawn, consentGiven: { ...withdrawn.consentGiven, ...again.consentGiven } };
    expect(touchOf(marked, '2026-11-04T00:00:00.000Z').consents).toEqual([]);
  });

  it('is recorded on a lead captured before marks were kept', () => {
    const { consentGiven: _marks, ...unmarked } = captured.lead;
    expect(touchOf(unmarked, '2026-11-02T00:00:00.000Z').consents).toHaveLength(2);
  });

  it('is decided per entry by unrecordedConsents', () => {
    const entries = consentGivenEntries('lead-1', consentV1, 'form:demo');
    const { marks } = unrecordedConsents(entries, undefined);
    expect(unrecordedConsents(entries, marks)).toEqual({
      entries: [],
      marks: { contact: { ...marks.contact, givenAgainAt: consentV1.givenAt }, marketing_email: { ...marks.marketing_email, givenAgainAt: consentV1.givenAt } },
    });
    expect(unrecordedConsents(entries, { contact: marks.contact }).entries.map((entry) => entry.purpose)).toEqual(['marketing_email']);
  });
});
