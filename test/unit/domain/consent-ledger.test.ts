import { describe, expect, it } from 'vitest';
import { hasConsent, type ConsentLedgerEntry } from '@leadflow/domain';

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
