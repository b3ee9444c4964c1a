import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { roleSchema, type Principal, type Role } from '@leadflow/domain';
import { unauthorized } from './http-errors';

type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * The caller, from the claims the API's JWT authorizer verified. Roles come from `cognito:groups`
 * (Cognito user-pool groups), which API Gateway passes as an array or as the string "[rep manager]".
 * The rep id is the Cognito username (`username` in access tokens, `cognito:username` in ID tokens),
 * or `sub` for tokens without one.
 */
export function principalFrom(event: APIGatewayProxyEventV2): Principal {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } }).authorizer?.jwt?.claims;
  const id = claims?.username ?? claims?.['cognito:username'] ?? claims?.sub;
  if (!claims || typeof id !== 'string' || id === '') throw unauthorized();
  return { id, roles: rolesFrom(claims['cognito:groups']) };
}

function rolesFrom(groups: JwtClaims[string] | undefined): Role[] {
  const names = Array.isArray(groups) ? groups : typeof groups === 'string' ? groups.replace(/^\[|\]$/g, '').split(/[\s,]+/) : [];
  return names.flatMap((name) => {
    const role = roleSchema.safeParse(name.trim());
    return role.success ? [role.data] : [];
  });
}
