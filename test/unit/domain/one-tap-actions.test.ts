import { describe, expect, it } from 'vitest';
import { actionLinkToken, oneTapActionNames, oneTapActions, verifyActionLinkToken } from '@leadflow/domain';

const key = { current: 'k'.repeat(32) };
const claims = { leadId: '3f2a7c1e-0b5d-4a55-9d1e-6a7b8c9d0e1f', repId: 'rep-ava', action: 'accept' as const, expiresAt: 1_772_500_000 };
const before = new Date((claims.expiresAt - 60) * 1000);

describe('one-tap link tokens', () => {
  it('round-trips lead, rep, action and expiry, and names the link by its signature', () => {
    const token = actionLinkToken(claims, key);
    expect(token.length).toBeLessThan(90);
    const checked = verifyActionLinkToken(token, key, before);
    expect(checked).toEqual({ claims, linkId: token.split('.')[4] });
  });

  it('refuses a token changed in any part, or signed with another key', () => {
    const token = actionLinkToken(claims, key);
    const parts = token.split('.');
    const variants = [
      [claims.leadId.replace('3f', '4f'), ...parts.slice(1)],
      [parts[0], 'rep-ben', ...parts.slice(2)],
      [parts[0], parts[1], 'r', ...parts.slice(3)],
      [...parts.slice(0, 3), (claims.expiresAt + 86_400).toString(36), parts[4]],
    ].map((changed) => changed.join('.'));
    for (const forged of [...variants, actionLinkToken(claims, { current: 'x'.repeat(32) }), 'garbage', '', `${token}.x`]) {
      expect(verifyActionLinkToken(forged, key, before)).toEqual({ refusal: expect.objectContaining({ reason: 'forged' }) });
    }
  });

  it('refuses an expired token in plain words', () => {
    const token = actionLinkToken(claims, key);
    expect(verifyActionLinkToken(token, key, new Date(claims.expiresAt * 1000))).toEqual({ refusal: { reason: 'expired', message: expect.stringMatching(/^This link expired at 2026-03-03 \d\d:\d\d UTC/) } });
  });

  it('accepts links signed with the previous key while a rotation is under way, and signs with the current one', () => {
    const old = actionLinkToken(claims, { current: 'o'.repeat(32) });
    const rotating = { current: 'n'.repeat(32), previous: 'o'.repeat(32) };
    expect(verifyActionLinkToken(old, rotating, before)).toHaveProperty('claims');
    expect(verifyActionLinkToken(actionLinkToken(claims, rotating), { current: 'n'.repeat(32) }, before)).toHaveProperty('claims');
    expect(verifyActionLinkToken(old, { current: 'n'.repeat(32) }, before)).toHaveProperty('refusal');
  });

  it('has a distinct code per action, so a new action (contacted) is one more entry', () => {
    const codes = oneTapActionNames.map((name) => oneTapActions[name].code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
