import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  leadSignature,
  linkedInChallengeResponse,
  linkedInSignature,
  linkedInSignatureReading,
  metaSignature,
  parseTimestampedSignature,
  secretsEqual,
  tikTokSignature,
  verifyLeadSignature,
  verifyLinkedInSignature,
  verifyMetaSignature,
  verifyTikTokSignature,
} from '@leadflow/domain';

const hex = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
const body = '{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{"leadgen_id":55459717045641545}}]}]}';
const now = new Date('2026-03-02T10:15:00.000Z');
const unix = Math.floor(now.getTime() / 1000);

describe('Meta X-Hub-Signature-256', () => {
  it('accepts sha256=<hex HMAC of the raw bytes with the app secret>, as a string or as bytes', () => {
    const header = `sha256=${hex('app-secret', body)}`;
    expect(metaSignature(body, 'app-secret')).toBe(header);
    expect(verifyMetaSignature(Buffer.from(body), header, 'app-secret')).toBe(true);
    expect(verifyMetaSignature(body, header.toUpperCase().replace('SHA256=', 'sha256='), 'app-secret')).toBe(true);
  });

  it('refuses a missing, malformed, truncated or wrong signature, another secret, and a re-serialised body', () => {
    const header = metaSignature(body, 'app-secret');
    for (const bad of [undefined, '', 'sha1=abc', header.slice(7), header.slice(0, -2), `${header.slice(0, -1)}0`, 'sha256=zz']) {
      expect(verifyMetaSignature(body, bad, 'app-secret')).toBe(false);
    }
    expect(verifyMetaSignature(body, header, 'other-secret')).toBe(false);
    expect(verifyMetaSignature(JSON.stringify(JSON.parse(body)), header, 'app-secret')).toBe(false);
  });
});

describe('LinkedIn', () => {
  it('answers the validation challenge with hex HMAC-SHA256 of the code', () => {
    expect(linkedInChallengeResponse('client-secret', 'f8f8a7c2-9a0b-4d83-9d5a-6c0bb6b0b0c1')).toBe(hex('client-secret', 'f8f8a7c2-9a0b-4d83-9d5a-6c0bb6b0b0c1'));
  });

  it('answers no challenge code that could be signature input: a body, a prefixed body, or anything long', () => {
    for (const code of [body, `hmacsha256=${body}`, 'a'.repeat(65), '', 'abc def', 'abc=def']) expect(linkedInChallengeResponse('client-secret', code)).toBeUndefined();
  });

  it('accepts hex HMAC-SHA256 over "hmacsha256=" + the raw body, the documented form', () => {
    const prefixedBody = hex('client-secret', `hmacsha256=${body}`);
    expect(linkedInSignature(body, 'client-secret')).toBe(prefixedBody);
    expect(verifyLinkedInSignature(body, prefixedBody, 'client-secret')).toBe(true);
    expect(verifyLinkedInSignature(Buffer.from(body), prefixedBody.toUpperCase(), 'client-secret')).toBe(true);
    expect(linkedInSignatureReading(body, prefixedBody, 'client-secret')).toBe('prefixed');
  });

  it('accepts both readings of the docs: the header with or without "hmacsha256=", over the prefixed or the bare body, and says which matched', () => {
    const prefixedBody = hex('client-secret', `hmacsha256=${body}`);
    const plainBody = hex('client-secret', body);
    expect(linkedInSignatureReading(body, `hmacsha256=${plainBody}`, 'client-secret')).toBe('bare');
    expect(linkedInSignatureReading(Buffer.from(body), plainBody, 'client-secret')).toBe('bare');
    expect(linkedInSignatureReading(body, ` hmacsha256=${prefixedBody} `, 'client-secret')).toBe('prefixed');
    for (const header of [plainBody, `hmacsha256=${plainBody}`, `hmacsha256=${prefixedBody}`]) expect(verifyLinkedInSignature(body, header, 'client-secret')).toBe(true);
  });

  it('refuses missing, truncated or wrong signatures, another secret, and a re-serialised body', () => {
    const plainBody = hex('client-secret', body);
    for (const bad of [undefined, '', 'hmacsha256=', plainBody.slice(0, -2), `hmacsha256=hmacsha256=${plainBody}`, `sha256=${plainBody}`, hex('other', `hmacsha256=${body}`), hex('other', body)]) {
      expect(verifyLinkedInSignature(body, bad, 'client-secret')).toBe(false);
    }
    expect(verifyLinkedInSignature(JSON.stringify(JSON.parse(body)), plainBody, 'client-secret')).toBe(false);
  });

  it('never takes a challenge answer as a signature: a body the challenge would answer is refused the bare reading', () => {
    const code = 'f8f8a7c2-9a0b-4d83-9d5a-6c0bb6b0b0c1';
    const answer = linkedInChallengeResponse('client-secret', code)!;
    expect(linkedInSignatureReading(code, answer, 'client-secret')).toBeUndefined();
    expect(linkedInSignatureReading(code, `hmacsha256=${answer}`, 'client-secret')).toBeUndefined();
    // The prefixed reading of the same body is no challenge answer, and stays accepted.
    expect(linkedInSignatureReading(code, linkedInSignature(code, 'client-secret'), 'client-secret')).toBe('prefixed');
  });
});

describe('timestamped signatures: TikTok-Signature and X-Lead-Signature', () => {
  it('reads t=…,s=… and t=…,v1=…,v1=…', () => {
    expect(parseTimestampedSignature('t=1700000000,s=abc', 's')).toEqual({ timestamp: 1700000000, signatures: ['abc'] });
    expect(parseTimestampedSignature('t=1700000000, v1=aa, v1=bb, v0=cc', 'v1')).toEqual({ timestamp: 1700000000, signatures: ['aa', 'bb'] });
    for (const bad of ['', 'v1=aa', 't=12', 't=abc,v1=aa', 't=1,t=2,v1=aa', 'garbage']) expect(parseTimestampedSignature(bad, 'v1')).toBeUndefined();
  });

  it('TikTok: HMAC-SHA256(secret, t + "." + body), timestamp within 300 s', () => {
    const header = tikTokSignature(body, 'tiktok-secret', unix);
    expect(header).toBe(`t=${unix},s=${hex('tiktok-secret', `${unix}.${body}`)}`);
    expect(verifyTikTokSignature(body, header, 'tiktok-secret', now)).toEqual({ ok: true, timestamp: unix });
    expect(verifyTikTokSignature(body, header, 'other', now)).toEqual({ ok: false, problem: 'The TikTok-Signature does not match the body' });
    expect(verifyTikTokSignature(body, tikTokSignature(body, 'tiktok-secret', unix - 301), 'tiktok-secret', now)).toMatchObject({ ok: false, problem: expect.stringMatching(/301 s old, outside the 300 s allowed/) });
  });

  it('X-Lead-Signature: accepts 300 s either way, and refuses 301', () => {
    for (const skew of [-300, 0, 300]) expect(verifyLeadSignature(body, leadSignature(body, 'partner-secret-000001', unix + skew), ['partner-secret-000001'], now)).toEqual({ ok: true, timestamp: unix + skew });
    expect(verifyLeadSignature(body, leadSignature(body, 'partner-secret-000001', unix - 301), ['partner-secret-000001'], now)).toMatchObject({ ok: false, problem: expect.stringContaining('301 s old') });
    expect(verifyLeadSignature(body, leadSignature(body, 'partner-secret-000001', unix + 301), ['partner-secret-000001'], now)).toMatchObject({ ok: false, problem: expect.stringContaining('301 s in the future') });
  });

  it('X-Lead-Signature: accepts any of several v1 values and any of several configured secrets (rotation)', () => {
    const oldSecret = 'partner-secret-old-0001';
    const newSecret = 'partner-secret-new-0002';
    const signedWithNew = leadSignature(body, newSecret, unix).split(',v1=')[1];
    const header = `t=${unix},v1=${'0'.repeat(64)},v1=${signedWithNew}`;
    expect(verifyLeadSignature(body, header, [oldSecret, newSecret], now)).toEqual({ ok: true, timestamp: unix });
    expect(verifyLeadSignature(body, header, [oldSecret], now)).toEqual({ ok: false, problem: 'The X-Lead-Signature does not match the body' });
  });

  it('X-Lead-Signature: names a missing or malformed header, and a changed body or timestamp does not match', () => {
    expect(verifyLeadSignature(body, undefined, ['s'], now)).toEqual({ ok: false, problem: 'The X-Lead-Signature header is missing' });
    expect(verifyLeadSignature(body, 'sha256=abc', ['s'], now)).toMatchObject({ ok: false, problem: expect.stringContaining('malformed') });
    const header = leadSignature(body, 'partner-secret-000001', unix);
    expect(verifyLeadSignature(`${body} `, header, ['partner-secret-000001'], now).ok).toBe(false);
    expect(verifyLeadSignature(body, header.replace(`t=${unix}`, `t=${unix - 1}`), ['partner-secret-000001'], now).ok).toBe(false);
  });
});

describe('secretsEqual', () => {
  it('compares secrets of any length', () => {
    expect(secretsEqual('local-only-google-key', 'local-only-google-key')).toBe(true);
    expect(secretsEqual('local-only-google-key', 'local-only-google-kez')).toBe(false);
    expect(secretsEqual('short', 'local-only-google-key')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
