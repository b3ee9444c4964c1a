import { describe, expect, it } from 'vitest';
import { countSmsSegments, fitSmsUnits, newLeadEmail, newLeadSms, oneLine, publicText } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const family = '👨\u200D👩\u200D👧\u200D👦';

describe('cutting text between graphemes', () => {
  it('cuts a one-line text (an email subject) without leaving half an emoji, a letter without its accent or half a flag', () => {
    // 198 letters, then an emoji whose first half is the 200th unit: a cut at 199 units would keep only that half.
    const subject = oneLine(`${'a'.repeat(198)}😀😀`, 200);
    expect(subject).not.toMatch(loneSurrogate);
    expect(subject).toBe(`${'a'.repeat(198)}…`);
    expect(oneLine(`${'a'.repeat(197)}🇩🇪🇫🇷`, 200)).toBe(`${'a'.repeat(197)}…`);
    expect(oneLine(`${'a'.repeat(197)}${family}`, 200)).toBe(`${'a'.repeat(197)}…`);
  });

  it('gives a rep email subject SES can encode when a long name ends in an emoji', () => {
    const config = demoConfiguration();
    const { lead } = webFormIntake(config, { leadId: 'lead-emoji', contact: { name: `${'王'.repeat(188)}😀 Ltd`, email: 'wang@example.com' } });
    const email = newLeadEmail(config.reps[0], lead);
    expect(email.subject).not.toMatch(loneSurrogate);
    expect(`${email.subject}\n${email.text}`).not.toMatch(loneSurrogate);
  });

  it('shortens an SMS name without breaking a family emoji, a flag or an accent', () => {
    // Cut by code points, each would keep part of the grapheme: three of the family with a dangling joiner, one letter of a flag, an "e" without its accent.
    expect(fitSmsUnits(`x${family}`, 11)).toBe('x...');
    expect(fitSmsUnits('🇩🇪🇫🇷🇮🇹', 10)).toBe('🇩🇪...');
    expect(fitSmsUnits('Jose\u0301 Garci\u0301a', 7)).toBe('Jos...');
  });
});

describe('SMS parts when a pair falls on a part boundary', () => {
  it('moves a surrogate pair (UCS-2) or an escape pair (GSM-7) whole to the next part', () => {
    // 66 + 2 + 66 = 134 units: two full parts by units, but the emoji cannot straddle units 67/68, so part 1 holds 66.
    expect(countSmsSegments(`${'王'.repeat(66)}😀${'王'.repeat(66)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
    expect(countSmsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
    // Off the boundary the count is the units' count.
    expect(countSmsSegments(`${'王'.repeat(65)}😀${'王'.repeat(67)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
    expect(countSmsSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
  });

  it('keeps a lead SMS within maxSegments wherever an emoji of the name falls', () => {
    const url = 'https://api.example.com/a/0123456789abcdef';
    for (let offset = 0; offset < 70; offset += 1) {
      const { text, segments } = newLeadSms({ contact: { name: `${'王'.repeat(offset)}${'😀'.repeat(60)}` } }, url, 2);
      expect({ offset, segments: segments.segments }).toEqual({ offset, segments: Math.min(segments.segments, 2) });
      expect(text).not.toMatch(loneSurrogate);
      expect(text.endsWith(` Accept: ${url}`)).toBe(true);
    }
  });
});

describe('NFC in cleaning', () => {
  it('stores a name typed with a combining accent as the one typed precomposed', () => {
    const config = demoConfiguration();
    const decomposed = webFormIntake(config, {
      leadId: 'nfd',
      contact: { name: 'Jose\u0301 Mu\u0308ller', company: 'Cafe\u0301 Zu\u0308rich', email: 'jose@example.com' },
      answers: { 'Sta\u0308dt': 'Zu\u0308rich' },
    }).lead;
    const composed = webFormIntake(config, { leadId: 'nfc', contact: { name: 'José Müller', company: 'Café Zürich', email: 'jose@example.com' }, answers: { Städt: 'Zürich' } }).lead;
    expect(decomposed.contact.name).toBe(composed.contact.name);
    expect(decomposed.contact.company).toBe(composed.contact.company);
    expect(decomposed.answers).toEqual(composed.answers);
    expect(publicText('Jose\u0301')).toBe('José');
  });

  it('keeps the SMS of a decomposed accented name in GSM-7, as the composed one', () => {
    const config = demoConfiguration();
    const { lead } = webFormIntake(config, { leadId: 'nfd-sms', contact: { name: 'Chloe\u0301 Mu\u0308ller', email: 'chloe@example.com' } });
    const sms = newLeadSms(lead, 'https://api.example.com/a/1', 2);
    expect(sms.text).toBe('New lead: Chloé Müller Accept: https://api.example.com/a/1');
    expect(sms.segments.encoding).toBe('GSM-7');
  });
});
