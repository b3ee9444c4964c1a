import { describe, expect, it } from 'vitest';
import {
  confirmationLinkExpiry,
  doubleOptInRequired,
  erasePersonFromLead,
  marketingEmailConsent,
  nurtureAwaitingConfirmation,
  nurtureConfirmationToken,
  nurtureConsent,
  parseConfiguration,
  planConfirmationEmail,
  planNurtureConfirmed,
  renderNurtureConfirmationEmail,
  signLinkPayload,
  verifyNurtureConfirmationToken,
  type ConsentLedgerEntry,
  type Lead,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const t0 = new Date('2026-12-03T09:00:00.000Z');
const hours = (count: number) => new Date(t0.getTime() + count * 3600_000);
const given = (at: Date, source = 'form:emea-contact'): ConsentLedgerEntry => ({ leadId: 'l1', purpose: 'marketing_email', action: 'given', at: at.toISOString(), source });
const entry = (action: ConsentLedgerEntry['action'], source = 'form:emea-contact'): ConsentLedgerEntry => ({ leadId: 'l1', purpose: 'marketing_email', action, at: t0.toISOString(), source });
const required = (source: string) => source !== 'form:single';

/** A lead the demo's nurture route holds at the start of `welcome`, waiting for confirmation. */
function waitingLead(): Lead {
  const config = demoConfiguration();
  const { lead } = webFormIntake(config, { leadId: 'l1', formId: 'emea-contact', now: t0, contact: { name: 'Cy', email: 'cy@gmail.com' } });
  const sequence = config.nurture.sequences[0];
  const { state, historyEntry } = nurtureAwaitingConfirmation(sequence, 'cold-to-nurture', t0);
  return { ...lead, status: 'in_pool', nurture: state, history: [...lead.history, historyEntry] };
}

describe('double opt-in settings', () => {
  it('is off unless set; a form’s own setting wins over the nurture section’s', () => {
    const config = demoConfiguration();
    const raw = JSON.parse(JSON.stringify(config));
    delete raw.nurture.doubleOptIn;
    expect(parseConfiguration(raw, 'test').nurture.doubleOptIn).toBe(false);
    expect(doubleOptInRequired(config, 'form:emea-contact')).toBe(true);
    expect(doubleOptInRequired(config, 'form:demo')).toBe(false);
    config.nurture.doubleOptIn = true;
    expect(doubleOptInRequired(config, 'form:demo')).toBe(true);
    expect(doubleOptInRequired(config, 'import')).toBe(true);
    config.forms[1].consent!.doubleOptIn = false;
    expect(doubleOptInRequired(config, 'form:emea-contact')).toBe(false);
  });

  it('refuses a form’s doubleOptIn on a consent that does not ask for marketing email, naming the field', () => {
    const raw = JSON.parse(JSON.stringify(demoConfiguration()));
    raw.forms[1].consent.purposes = ['contact'];
    expect(() => parseConfiguration(raw, 'test')).toThrow('forms[1].consent.doubleOptIn: only for a consent whose purposes include "marketing_email"');
  });
});

describe('where marketing consent stands', () => {
  it('waits for confirmation where the source asks for it, and is allowed once confirmed or from a source that does not', () => {
    expect(marketingEmailConsent([], required)).toBe('not_given');
    expect(marketingEmailConsent([given(t0)], required)).toBe('awaiting_confirmation');
    expect(marketingEmailConsent([given(t0), entry('confirmed', 'confirmation-link')], required)).toBe('confirmed');
    expect(marketingEmailConsent([given(t0), given(t0, 'form:single')], required)).toBe('given');
  });

  it('is withdrawn for good: neither an older link’s confirmation nor a later post undoes an unsubscribe', () => {
    expect(marketingEmailConsent([given(t0), entry('confirmed', 'confirmation-link'), entry('withdrawn', 'unsubscribe'), given(hours(1))], required)).toBe('withdrawn');
  });

  it('reads a lead stored before the ledger by the nurture section’s setting', () => {
    const lead = { consent: { version: 'v', text: 't', purposes: ['marketing_email' as const], givenAt: t0.toISOString() } };
    expect(nurtureConsent(lead, [], () => true)).toBe('awaiting_confirmation');
    expect(nurtureConsent(lead, [], () => false)).toBe('given');
    expect(nurtureConsent({ consent: { ...lead.consent, purposes: ['contact' as const] } }, [given(t0)], () => false)).toBe('not_given');
  });
});

describe('the confirmation link', () => {
  const key = { current: 'k'.repeat(32) };

  it('carries the lead and its expiry, and works with the key’s previous value after a rotation until it expires', () => {
    const expiresAt = confirmationLinkExpiry(t0);
    expect(expiresAt * 1000 - t0.getTime()).toBe(7 * 24 * 3600_000);
    const token = nurtureConfirmationToken({ leadId: 'l1', expiresAt }, key);
    expect(verifyNurtureConfirmationToken(token, key, t0)).toEqual({ claims: { leadId: 'l1', expiresAt } });
    expect(verifyNurtureConfirmationToken(token, { current: 'n'.repeat(32), previous: key.current }, t0)).toEqual({ claims: { leadId: 'l1', expiresAt } });
    expect(verifyNurtureConfirmationToken(token, { current: 'n'.repeat(32) }, t0)).toEqual({ refusal: 'forged' });
    expect(verifyNurtureConfirmationToken(token, key, new Date(expiresAt * 1000))).toEqual({ refusal: 'expired' });
  });

  it('refuses an altered lead or expiry, and a signature made for an unsubscribe or one-tap payload', () => {
    const expiresAt = confirmationLinkExpiry(t0);
    const [, expiry, signature] = nurtureConfirmationToken({ leadId: 'l1', expiresAt }, key).split('.');
    expect(verifyNurtureConfirmationToken(`l2.${expiry}.${signature}`, key, t0)).toEqual({ refusal: 'forged' });
    expect(verifyNurtureConfirmationToken(`l1.${(expiresAt + 86_400).toString(36)}.${signature}`, key, t0)).toEqual({ refusal: 'forged' });
    expect(verifyNurtureConfirmationToken(`l1.${expiry}.${signLinkPayload(key.current, 'unsubscribe.l1')}`, key, t0)).toEqual({ refusal: 'forged' });
    expect(verifyNurtureConfirmationToken(`l1.${expiry}.${signLinkPayload(key.current, `l1.rep-ava.a.${expiry}`)}`, key, t0)).toEqual({ refusal: 'forged' });
    expect(verifyNurtureConfirmationToken('l1.x', key, t0)).toEqual({ refusal: 'forged' });
  });
});

describe('confirmation emails', () => {
  const plan = (lead: Lead, ledger: ConsentLedgerEntry[], at: Date) => planConfirmationEmail({ lead, ledger, now: at, eventId: `e-${at.getTime()}` });

  it('sends the first at once, then one a day at most, only for a new post, and three in all', () => {
    let lead = waitingLead();
    const ledger = [given(t0)];
    const first = plan(lead, ledger, t0);
    if (!('transition' in first)) throw new Error('expected an email');
    expect(first.emailNumber).toBe(1);
    expect(first.transition.after.nurture?.awaitingConfirmation).toEqual({ since: t0.toISOString(), emailsSent: 1, lastEmailAt: t0.toISOString() });
    expect(first.transition.after.nurture?.nextStepAt).toBeUndefined();
    expect(first.transition.after.history.at(-1)).toMatchObject({ action: 'nurture_confirmation_sent', detail: 'asked to confirm marketing email for nurture sequence welcome (email 1 of at most 3)' });
    expect(first.transition.event).toMatchObject({ type: 'lead.nurtured', detail: { change: 'confirmation_sent', sequenceId: 'welcome' } });
    lead = first.transition.after;

    ledger.push(given(hours(2)));
    expect(plan(lead, ledger, hours(23))).toEqual({ hold: 'too_soon' });
    expect(plan(waitingLeadWithout(lead), [given(t0)], hours(30))).toEqual({ hold: 'no_new_consent' });
    for (const at of [hours(24), hours(48)]) {
      ledger.push(given(new Date(at.getTime() - 60_000)));
      expect(plan(lead, ledger, at)).toEqual({ hold: 'no_new_consent' });
      ledger.push(given(at));
      const next = plan(lead, ledger, at);
      if (!('transition' in next)) throw new Error('expected an email');
      lead = next.transition.after;
    }
    expect(lead.nurture?.awaitingConfirmation?.emailsSent).toBe(3);
    ledger.push(given(hours(100)));
    expect(plan(lead, ledger, hours(101))).toEqual({ hold: 'limit_reached' });
  });

  it('sends none to a lead not waiting for confirmation', () => {
    const { awaitingConfirmation: _waiting, ...inSequence } = waitingLead().nurture!;
    expect(plan({ ...waitingLead(), nurture: inSequence }, [given(t0)], t0)).toEqual({ hold: 'not_awaiting' });
    expect(plan({ ...waitingLead(), nurture: undefined }, [given(t0)], t0)).toEqual({ hold: 'not_awaiting' });
  });

  it('says who asks, the link and until when it works, and nothing the post said', () => {
    const email = renderNurtureConfirmationEmail({ organisation: 'Northwind <Robotics>', url: 'https://leads.example/c/l1.x.y?a=1&b=2', expiresAt: confirmationLinkExpiry(t0) });
    expect(email.subject).toBe('Please confirm: emails from Northwind <Robotics>');
    expect(email.text).toContain('https://leads.example/c/l1.x.y?a=1&b=2');
    expect(email.text).toContain('The link works until 2026-12-10.');
    expect(email.html).toContain('<a href="https://leads.example/c/l1.x.y?a=1&#38;b=2">Confirm my subscription</a>');
    expect(email.html).toContain('Northwind &#60;Robotics&#62;');
  });
});

/** The lead as if its one email went out at t0 and nobody posted since. */
function waitingLeadWithout(lead: Lead): Lead {
  return { ...lead, nurture: { ...lead.nurture!, awaitingConfirmation: { since: t0.toISOString(), emailsSent: 1, lastEmailAt: t0.toISOString() } } };
}

describe('confirming', () => {
  it('starts the sequence from its first step as of the confirmation', () => {
    const lead = waitingLead();
    const sequence = demoConfiguration().nurture.sequences[0];
    const transition = planNurtureConfirmed({ lead, sequence, by: 'confirmation-link', now: hours(50), eventId: 'e1' });
    expect(transition.after.nurture).toEqual({ sequenceId: 'welcome', enteredAt: hours(50).toISOString(), doneStepIds: [], nextStepAt: hours(50).toISOString() });
    expect(transition.after.history.at(-1)).toMatchObject({ action: 'nurture_confirmed', by: 'confirmation-link' });
    expect(transition.event).toMatchObject({ type: 'lead.nurtured', detail: { change: 'confirmed', by: 'confirmation-link' } });
    expect(() => planNurtureConfirmed({ lead: transition.after, sequence, by: 'confirmation-link', now: hours(51), eventId: 'e2' })).toThrow(/not waiting/);
  });

  it('is forgotten with the person: an erasure takes the lead out of nurture, waiting or not', () => {
    const erased = erasePersonFromLead(waitingLead(), { at: hours(1).toISOString(), eventId: 'e1' });
    expect(erased?.lead.nurture).toBeUndefined();
  });
});
