import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { Role } from '@leadflow/domain';

export const localTokenIssuer = 'leadflow-local';
export const localTokenAudience = 'leadflow-api';

/**
 * Signs an HS256 token shaped like a Cognito access token (`sub`, `username`, `cognito:groups`), so the
 * handlers read the same claims locally as behind the API Gateway JWT authorizer in AWS.
 */
export async function signLocalToken(secret: string, subject: { sub: string; roles: readonly Role[]; expiresIn?: string }): Promise<string> {
  return new SignJWT({ username: subject.sub, 'cognito:groups': [...subject.roles], token_use: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.sub)
    .setIssuer(localTokenIssuer)
    .setAudience(localTokenAudience)
    .setIssuedAt()
    .setExpirationTime(subject.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(secret));
}

/**
 * Verifies a bearer token as the JWT authorizer would; `undefined` when it is missing, forged, expired,
 * without `exp` (Cognito's tokens always carry one, and a token without it would never expire), or with a
 * `cognito:groups` claim that is not a list of group names as Cognito writes it.
 */
export async function verifyLocalToken(secret: string, authorization: string | undefined): Promise<JWTPayload | undefined> {
  // The JWT authorizer takes the token with or without the `Bearer` prefix.
  const token = /^(?:Bearer\s+)?(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: localTokenIssuer, audience: localTokenAudience, algorithms: ['HS256'], requiredClaims: ['exp'] });
    const groups = payload['cognito:groups'];
    if (groups !== undefined && !(Array.isArray(groups) && groups.every((group) => typeof group === 'string' && /^\S+$/.test(group)))) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

/** API Gateway hands verified claims to Lambda as strings, arrays written as "[a b]". */
export function toApiGatewayClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- arrays and objects are handled first, so String() only sees primitives
    Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value)]),
  );
}
