import { describe, expect, it } from 'vitest';
import { canLookUpLeads, countryOfTimeZone, lookupAnswer, maskName, organisationCountry, personDedupKey, readLookupQuery, type Lead, type Principal } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const config = demoConfiguration();
const rep = (id: string): Principal => ({ id, roles: ['rep'] });
const manager: Principal = { id: 'mgr-maya', roles: ['manager'] };
const admin: Principal = { id: 'root', roles: ['admin'] };

function ownedLead(ownerId?: string): Lead {
  const { lead } = webFormIntake(config, { leadId: 'lead-1', contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' } });
  if (!ownerId) return lead;
  return { ...lead, ownerId, status: 'assigned', assignment: { rule: 'round_robin', poolId: lead.poolId, assignedAt: '2026-03-02T10:00:05.000Z' } };
}

describe('maskName', () => {
  it('keeps the first letter of each word and hides the length', () => {
    expect(maskName('Ava Chen')).toBe('A*** C***');
    expect(maskName('  chloé   Martin ')).toBe('C*** M***');
    expect(maskName('Li')).toBe('L***');
    expect(maskName('Ölaf 王小明')).toBe('Ö*** 王***');
  });
});

describe('who may run the dedup check', () => {
  it('is reps, managers and admins, not finance', () => {
    expect([rep('rep-ava'), manager, admin].map(canLookUpLeads)).toEqual([true, true, true]);
    expect(canLookUpLeads({ id: 'fin', roles: ['finance'] })).toBe(false);
    expect(canLookUpLeads({ id: 'nobody', roles: [] })).toBe(false);
  });
});

describe('readLookupQuery', () => {
  it('reads an email or a phone into the person key the intake claims', () => {
    const intake = webFormIntake(config, { leadId: 'x', contact: { email: 'ada@example.com', phone: '+14155550100' } });
    expect(intake.dedupKeys.filter((key) => key.kind === 'person').map((key) => key.key)).toEqual([personDedupKey('email', 'ada@example.com'), personDedupKey('phone', '+14155550100')]);
    expect(readLookupQuery({ email: ' ADA@example.com ' }, 'US')).toEqual({ ok: true, key: 'email#ada@example.com' });
    // The same person whichever form of an internationalised domain they were captured or are looked up by.
    expect(webFormIntake(config, { leadId: 'x', contact: { email: 'anna@bücher.de' } }).dedupKeys).toContainEqual({ key: 'email#anna@xn--bcher-kva.de', kind: 'person' });
    expect(readLookupQuery({ email: 'Anna@Bücher.de' }, 'US')).toEqual({ ok: true, key: 'email#anna@xn--bcher-kva.de' });
    expect(readLookupQuery({ phone: '(415) 555-0100' }, 'US')).toEqual({ ok: true, key: 'phone#+14155550100' });
    expect(readLookupQuery({ phone: '020 7946 0958', country: 'gb' }, 'US')).toEqual({ ok: true, key: 'phone#+442079460958' });
    // "+" sent unencoded in a query string arrives as a space
    expect(readLookupQuery({ phone: ' 442079460958' }, 'US')).toEqual({ ok: true, key: 'phone#+442079460958' });
  });

  it('reads an email or phone pasted with the direction marks or control characters the intake drops into the key the intake claims', () => {
    // A contact card copied from a phone or a chat app wraps its values in U+202A…U+202C; a form post with them makes a lead on the plain address.
    const pasted = { email: '\u202aada@example.com\u202c', phone: '\u202a+1 415 555 0100\u0000\u202c' };
    expect(webFormIntake(config, { leadId: 'x', contact: pasted }).dedupKeys.map((key) => key.key)).toEqual([personDedupKey('email', 'ada@example.com'), personDedupKey('phone', '+14155550100')]);
    expect(readLookupQuery({ email: pasted.email }, 'US')).toEqual({ ok: true, key: 'email#ada@example.com' });
    expect(readLookupQuery({ phone: pasted.phone }, 'US')).toEqual({ ok: true, key: 'phone#+14155550100' });
  });

  it('names the parameter that is wrong', () => {
    expect(readLookupQuery({}, 'US')).toEqual({ ok: false, issues: [{ path: '(query)', message: 'give exactly one of "email" or "phone"' }] });
    expect(readLookupQuery({ email: 'a@example.com', phone: '+14155550100' }, 'US')).toEqual({ ok: false, issues: [{ path: 'phone', message: 'give either "email" or "phone", not both' }] });
    expect(readLookupQuery({ email: 'nope' }, 'US')).toEqual({ ok: false, issues: [{ path: 'email', message: 'must be a valid email address' }] });
    expect(readLookupQuery({ phone: '12' }, 'US')).toEqual({ ok: false, issues: [{ path: 'phone', message: 'must be a valid phone number (national numbers are read as US; give "country" for another)' }] });
    expect(readLookupQuery({ phone: '(415) 555-0100' }, undefined)).toEqual({ ok: false, issues: [{ path: 'phone', message: 'must be a valid phone number in international form, such as +14155550100' }] });
    expect(readLookupQuery({ phone: '+14155550100', country: 'USA' }, 'US')).toEqual({ ok: false, issues: [{ path: 'country', message: 'must be an ISO 3166-1 alpha-2 country code such as "US"' }] });
  });
});

describe('the organisation’s country, for national phone numbers', () => {
  it('is the country of the organisation’s time zone', () => {
    expect(organisationCountry(config)).toBe('US'); // America/New_York
    expect(countryOfTimeZone('Europe/Berlin')).toBe('DE');
    expect(countryOfTimeZone('Asia/Shanghai')).toBe('CN');
    expect(countryOfTimeZone('UTC')).toBeUndefined();
    expect(countryOfTimeZone('Not/AZone')).toBeUndefined();
  });
});

describe('lookupAnswer', () => {
  it('says the person does not exist when no lead holds the key', () => {
    expect(lookupAnswer(rep('rep-ava'), undefined, config.reps)).toEqual({ exists: false });
  });

  it('shows a pooled lead as held by the pool since its capture', () => {
    expect(lookupAnswer(rep('rep-ava'), ownedLead(), config.reps)).toEqual({ exists: true, leadId: 'lead-1', status: 'new', heldBy: 'pool', poolId: 'americas-inbound', owner: null, since: '2026-03-02T10:00:00.000Z' });
  });

  it('masks the owner’s name and leaves out their id for other reps, and shows both to the owner, managers and admins', () => {
    const lead = ownedLead('rep-ava');
    const answer = (principal: Principal) => lookupAnswer(principal, lead, config.reps);
    expect(answer(rep('rep-ben'))).toEqual({
      exists: true,
      leadId: 'lead-1',
      status: 'assigned',
      heldBy: 'owner',
      poolId: 'americas-inbound',
      owner: { id: null, name: 'A*** C***' },
      since: '2026-03-02T10:00:05.000Z',
    });
    // A rep's id is their username: it would name the owner as plainly as the name.
    expect(JSON.stringify(answer(rep('rep-ben')))).not.toContain('rep-ava');
    for (const principal of [rep('rep-ava'), manager, admin]) expect(answer(principal)).toMatchObject({ owner: { id: 'rep-ava', name: 'Ava Chen' } });
  });

  it('never carries contact details, answers or history', () => {
    const lead = { ...ownedLead('rep-ava'), answers: { secret: 'x' }, contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100', company: 'Analytical Engines' } };
    const text = JSON.stringify([lookupAnswer(manager, lead, config.reps), lookupAnswer(rep('rep-ben'), lead, config.reps)]);
    for (const secret of ['ada@example.com', '+14155550100', 'Lovelace', 'Analytical', 'secret', 'history', 'contact']) expect(text).not.toContain(secret);
  });

  it('gives no name for an owner who left the configuration', () => {
    expect(lookupAnswer(manager, ownedLead('rep-gone'), config.reps)).toMatchObject({ owner: { id: 'rep-gone', name: null } });
    expect(lookupAnswer(rep('rep-ben'), ownedLead('rep-gone'), config.reps)).toMatchObject({ owner: { id: null, name: null } });
  });
});
