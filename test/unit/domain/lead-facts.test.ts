import { describe, expect, it } from 'vitest';
import { leadFacts, normalisePhone, withPhoneCountry, type Lead } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

/** Without its stored country, as a lead captured before `contact.phoneCountry` was kept. */
const storedWithoutPhoneCountry = (lead: Lead): Lead => {
  const { phoneCountry: _phoneCountry, ...contact } = lead.contact;
  return { ...lead, contact };
};

describe("a lead's country", () => {
  const config = demoConfiguration();

  it('is kept with the phone when the contact is cleaned, and is the country the facts place the lead in', () => {
    const { lead, events } = webFormIntake(config, { leadId: 'lead-gb', formId: 'emea-contact', contact: { name: 'Ada', phone: '020 7946 0018' } });
    expect(lead.contact).toEqual({ name: 'Ada', phone: '+442079460018', phoneCountry: 'GB' });
    expect(leadFacts(lead).country).toBe('GB');
    expect(events.find((event) => event.type === 'lead.scored')?.detail).toMatchObject({ country: 'GB' });
    expect(lead.score?.contributions.map((contribution) => contribution.ruleId)).toContain('served-country');
  });

  it('is the ISO code the person gave, before the country of their phone', () => {
    const { lead } = webFormIntake(config, { leadId: 'lead-de', formId: 'emea-contact', contact: { name: 'Ada', phone: '+44 20 7946 0018', country: 'de' } });
    expect(lead.contact.phoneCountry).toBe('GB');
    expect(leadFacts(lead).country).toBe('DE');
  });

  it('is absent for a number that belongs to no country', () => {
    expect(normalisePhone('+800 1234 5678', 'US')).toEqual({ number: '+80012345678' });
    const { lead } = webFormIntake(config, { leadId: 'lead-uifn', contact: { name: 'Ada', phone: '+800 1234 5678' } });
    expect(lead.contact).toEqual({ name: 'Ada', phone: '+80012345678' });
    expect(leadFacts(lead).country).toBeUndefined();
  });

  it('is read from the phone for a lead stored without it, where a parser is at hand', () => {
    const { lead } = webFormIntake(config, { leadId: 'lead-old', formId: 'emea-contact', contact: { name: 'Ada', phone: '020 7946 0018' } });
    const old = storedWithoutPhoneCountry(lead);
    expect(leadFacts(old).country).toBeUndefined();
    expect(withPhoneCountry(old)).toEqual(lead);
    expect(withPhoneCountry(lead)).toBe(lead);
  });

  it('counts when a lead stored without it comes back: the touch scores it with its phone country', () => {
    const first = webFormIntake(config, { leadId: 'lead-back', formId: 'emea-contact', contact: { name: 'Ada', phone: '020 7946 0018' } });
    const again = webFormIntake(config, { leadId: 'lead-again', formId: 'emea-contact', contact: { name: 'Ada', phone: '020 7946 0018' } });
    const fromStored = again.touch(first.lead, again.dedupKeys);
    const fromOld = again.touch(storedWithoutPhoneCountry(first.lead), again.dedupKeys);
    expect(fromOld.score).toEqual(fromStored.score);
    expect(fromOld.score?.contributions.map((contribution) => contribution.ruleId)).toContain('served-country');
  });
});
