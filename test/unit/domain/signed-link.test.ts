import { describe, expect, it } from 'vitest';
import { actionLinkToken, parseUnsubscribeToken, signLinkPayload, unsubscribeToken, unsubscribeTokenValid, verifyActionLinkToken } from '@leadflow/domain';

const key = { current: 'k'.repeat(32) };
const claims = { leadId: '3f2a7c1e-0b5d-4a55-9d1e-6a7b8c9d0e1f', repId: 'rep-ava', action: 'accept' as const, expiresAt: 1_772_500_000 };
const before = new Date((claims.expiresAt - 60) * 1000);
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 15 other spellings of a token whose 22-character signature ends it: its last character's 4 spare bits set otherwise. */
function nonCanonicalSpellings(token: string): string[] {
  const last = alphabet.indexOf(token.at(-1)!);
  return Array.from({ length: 16 }, (_, spare) => alphabet[(last & ~0b1111) | spare])
    .filter((character) => character !== token.at(-1))
    .map((character) => `${token.slice(0, -1)}${character}`);
}

describe('signed links take one spelling of their signature', () => {
  it('refuses a one-tap link whose signature is spelled otherwise, as a forged one, so the once-only ledger sees one link', () => {
    const token = actionLinkToken(claims, key);
    expect(verifyActionLinkToken(token, key, before)).toHaveProperty('claims');
    const variants = nonCanonicalSpellings(token);
    expect(variants).toHaveLength(15);
    for (const variant of variants) expect(verifyActionLinkToken(variant, key, before), variant).toEqual({ refusal: expect.objectContaining({ reason: 'forged' }) });
  });

  it('refuses an unsubscribe link whose signature or secret is spelled otherwise', () => {
    const proves = (token: string, leadSecret?: string) => {
      const parsed = parseUnsubscribeToken(token);
      return parsed !== undefined && unsubscribeTokenValid(parsed, leadSecret, key);
    };
    // A link sent before leads had an unsubscribe secret: the lead id signed with the action-link key.
    const signed = `n-1.${signLinkPayload(key.current, 'unsubscribe.n-1')}`;
    expect(proves(signed)).toBe(true);
    const secret = 'QUJDREVGR0hJSktMTU5PUA';
    const token = unsubscribeToken('n-1', secret);
    expect(proves(token, secret)).toBe(true);
    for (const original of [signed, token]) {
      const variants = nonCanonicalSpellings(original);
      expect(variants).toHaveLength(15);
      for (const variant of variants) expect(proves(variant, secret), variant).toBe(false);
    }
  });
});
