import { describe, expect, it } from 'vitest';
import { readSubmission } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const form = demoConfiguration().forms.find((candidate) => candidate.id === 'demo')!;

describe('readSubmission', () => {
  it('cleans contact fields: trimmed name, lower-case email, E.164 phone in the form country', () => {
    const result = readSubmission(form, { name: '  Ada   Lovelace ', email: ' ADA@Example.COM ', phone: '(415) 555-0100', company_size: '11-50', extra: 'ignored' });
    expect(result).toEqual({
      ok: true,
      contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' },
      answers: { company_size: '11-50' },
    });
  });

  it('keeps an email with an internationalised domain, the domain in punycode; one whose part before @ is not ASCII, SES cannot send to', () => {
    for (const email of ['Anna@Bücher.de', 'anna@xn--bcher-kva.de']) expect(readSubmission(form, { name: 'Anna', email })).toMatchObject({ ok: true, contact: { email: 'anna@xn--bcher-kva.de' } });
    // A punycode top-level domain too; the ideographic full stop a Chinese keyboard types is a dot.
    for (const email of ['li@例子.中国', 'li@例子。中国']) expect(readSubmission(form, { name: 'Li', email })).toMatchObject({ ok: true, contact: { email: 'li@xn--fsqu00a.xn--fiqs8s' } });
    for (const email of ['李@例子.中国', 'a@xn--.de', 'a@b%C3%BCcher.de'])
      expect(readSubmission(form, { name: 'Li', email })).toEqual({ ok: false, issues: [{ path: 'email', message: 'must be a valid email address' }] });
  });

  it('keeps an international number as given, in E.164', () => {
    const result = readSubmission(form, { name: 'Chloé', email: 'c@example.fr', phone: '+33 6 12 34 56 78' });
    expect(result.ok && result.contact.phone).toBe('+33612345678');
  });

  it('reports every problem by field name', () => {
    const result = readSubmission(form, { email: 'not-an-email', phone: '12', company_size: 'huge', message: 'x'.repeat(2001) });
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'name', message: 'Full name is required' },
        { path: 'email', message: 'must be a valid email address' },
        { path: 'phone', message: 'must be a valid phone number (national numbers are read as US)' },
        { path: 'company_size', message: 'must be one of: 1-10, 11-50, 51-200, 201-1000, 1000+' },
        { path: 'message', message: 'must be at most 2000 characters' },
      ],
    });
  });

  it('refuses objects and repeated values where text is expected', () => {
    const result = readSubmission(form, { name: ['Ada', 'Grace'], email: 'ada@example.com', company: { nested: true } as never });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((issue) => issue.path)).toEqual(['name', 'company']);
  });

  it('treats blank optional fields as absent', () => {
    expect(readSubmission(form, { name: 'Ada', email: 'ada@example.com', phone: '   ', company: '' })).toEqual({
      ok: true,
      contact: { name: 'Ada', email: 'ada@example.com' },
      answers: {},
    });
  });
});

describe('readSubmission, checkboxes', () => {
  const withBoxes = {
    ...form,
    fields: [
      ...form.fields,
      { name: 'terms', label: 'I accept the terms', type: 'checkbox' as const, required: true, maxLength: 200 },
      { name: 'newsletter', label: 'Send me news', type: 'checkbox' as const, required: false, maxLength: 200 },
    ],
  };
  const read = (boxes: Record<string, string | boolean | undefined>) => readSubmission(withBoxes, { name: 'Ada', email: 'ada@example.com', ...boxes });

  it('holds a required box to being ticked however it is sent: left out by a browser, "false" from the embed script, false in JSON', () => {
    for (const unticked of [undefined, 'false', false, 'off', '0']) {
      expect(read({ terms: unticked }), JSON.stringify(unticked)).toEqual({ ok: false, issues: [{ path: 'terms', message: 'I accept the terms is required' }] });
    }
    for (const ticked of ['on', 'true', true, 'yes', '1']) expect(read({ terms: ticked }), String(ticked)).toMatchObject({ ok: true, answers: { terms: 'true' } });
  });

  it('takes true and false for a box only: a name or an email sent as a boolean is refused, naming the field; a number still reads as text', () => {
    expect(readSubmission(withBoxes, { name: true, email: false, terms: true })).toEqual({
      ok: false,
      issues: [
        { path: 'name', message: 'must be text, got boolean' },
        { path: 'email', message: 'must be text, got boolean' },
      ],
    });
    expect(readSubmission(withBoxes, { name: 1234, email: 'ada@example.com', terms: true })).toMatchObject({ ok: true, contact: { name: '1234' } });
  });

  it('reads a ticked box by the value its page gives it, as a browser posts it, and an unticked optional one as false', () => {
    expect(read({ terms: 'I agree', newsletter: 'weekly' })).toMatchObject({ ok: true, answers: { terms: 'true', newsletter: 'true' } });
    expect(read({ terms: 'on', newsletter: 'false' })).toMatchObject({ ok: true, answers: { terms: 'true', newsletter: 'false' } });
  });
});
