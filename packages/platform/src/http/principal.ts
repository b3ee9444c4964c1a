import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { roleSchema, type Principal, type Role } from '@leadflow/domain';
import { unauthorized } from './http-errors';

type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * The caller, from the claims the API's JWT authorizer verified. Roles come from `cognito:groups`
 * (Cognito user-pool groups): a JSON array in the token, which API Gateway's JWT authorizer hands to
 * Lambda as the string "[rep manager]". The rep id is the Cognito username (`username` in access tokens,
 * `cognito:username` in ID tokens), or `sub` for tokens without one.
 */
export function principalFrom(event: APIGatewayProxyEventV2): Principal {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } }).authorizer?.jwt?.claims;
  const id = claims?.username ?? claims?.['cognito:username'] ?? claims?.sub;
  if (!claims || typeof id !== 'string' || id === '') throw unauthorized();
  return { id, roles: rolesFrom(claims['cognito:groups']) };
}

/**
 * Group names as Cognito sends them and API Gateway passes them on: an array, or one bracketed string
 * with names separated by single spaces (Cognito group names hold no whitespace). Anything else, such as
 * "x,manager", is no group at all: a comma is part of a group name, never a separator.
 */
function groupNames(groups: JwtClaims[string] | undefined): readonly string[] {
  if (Array.isArray(groups)) return groups;
  const listed = typeof groups === 'string' ? /^\[([^\s[\]]+(?: [^\s[\]]+)*)?\]$/.exec(groups) : null;
  return listed?.[1]?.split(' ') ?? [];
}

function rolesFrom(groups: JwtClaims[string] | undefined): Role[] {
  return groupNames(groups).flatMap((name) => {
    const role = roleSchema.safeParse(name);
    return role.success ? [role.data] : [];
  });
}
