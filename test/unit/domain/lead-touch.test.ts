import { describe, expect, it } from 'vitest';
import type { Lead } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const config = demoConfiguration();
const later = new Date('2026-03-05T10:00:00.000Z');

/** Pat's first post: the EMEA contact form, nothing asked for, so cold. */
function patsLead(): Lead {
  const { lead } = webFormIntake(config, { leadId: 'pat', formId: 'emea-contact', contact: { name: 'Pat', email: 'pat@bigco.example' } });
  expect(lead.score?.temperature).toBe('cold');
  return lead;
}

describe('a touch, what the person tells on coming back', () => {
  it('scores the intent of the post: a demo asked for on the demo form, with answers the lead did not have, counts as it would on a first post', () => {
    const lead = patsLead();
    const demoPost = { formId: 'demo', contact: { name: 'Pat', email: 'pat@bigco.example', title: 'VP Operations' }, answers: { company_size: '1000+', product_interest: 'Fleet software' }, now: later };
    const touch = webFormIntake(config, { leadId: 'pat-again', ...demoPost }).touch(lead, [{ key: 'email#pat@bigco.example', kind: 'person' }]);
    const asNewcomer = webFormIntake(config, { leadId: 'pat-new', ...demoPost, contact: { ...demoPost.contact, email: 'someone-else@bigco.example' } }).lead.score!;
    expect(touch.score?.contributions.map((contribution) => contribution.ruleId)).toEqual(expect.arrayContaining(['asked-for-demo', 'large-company', 'named-product', 'decision-maker-title', 'came-back']));
    expect(touch.score!.points).toBeGreaterThanOrEqual(asNewcomer.points);
    expect(touch.score?.temperature).toBe('hot');
    // What the lead lacked is kept on it, so the rep reads it and later touches score on it.
    expect(touch.gained).toMatchObject({ contact: { name: 'Pat', email: 'pat@bigco.example', title: 'VP Operations' }, answers: { company_size: '1000+', product_interest: 'Fleet software' }, dedupKeys: [] });
    expect(touch.historyEntry.detail).toContain('title, answers.company_size, answers.product_interest added');
  });

  it('keeps what the lead has: a post with another title or answer adds nothing and replaces nothing', () => {
    const { lead } = webFormIntake(config, { leadId: 'ria', contact: { name: 'Ria', email: 'ria@bigco.example', title: 'CTO' }, answers: { company_size: '51-200' } });
    const touch = webFormIntake(config, { leadId: 'ria-again', contact: { name: 'Someone', email: 'ria@bigco.example', title: 'Intern' }, answers: { company_size: '1-10' }, now: later }).touch(lead, [
      { key: 'email#ria@bigco.example', kind: 'person' },
    ]);
    expect(touch.gained).toBeUndefined();
    expect(touch.score?.contributions.map((contribution) => contribution.ruleId)).toEqual(expect.arrayContaining(['decision-maker-title', 'mid-size-company']));
  });

  it('adds answers only while the lead holds less than 64 KB of them, so repeats cannot grow it without end', () => {
    const lead = { ...patsLead(), answers: { notes: 'x'.repeat(64 * 1024 - 100) } };
    const touch = webFormIntake(config, { leadId: 'pat-big', formId: 'emea-contact', contact: { name: 'Pat', email: 'pat@bigco.example' }, answers: { company_size: '1000+', extra: 'y'.repeat(200) }, now: later }).touch(
      lead,
      [{ key: 'email#pat@bigco.example', kind: 'person' }],
    );
    expect(touch.gained?.answers).toEqual({ notes: lead.answers.notes, company_size: '1000+' });
  });

  it('adds answers named like Object members, which the lead does not have', () => {
    const lead = patsLead();
    const touch = webFormIntake(config, { leadId: 'pat-ctor', formId: 'emea-contact', contact: { name: 'Pat', email: 'pat@bigco.example' }, answers: { constructor: 'booth 7', toString: 'yes' }, now: later }).touch(
      lead,
      [{ key: 'email#pat@bigco.example', kind: 'person' }],
    );
    expect(touch.gained?.answers).toEqual({ ...lead.answers, constructor: 'booth 7', toString: 'yes' });
  });
});
