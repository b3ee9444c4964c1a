import './zod-locale';
import * as z from 'zod/mini';
import type { Lead } from './lead';

export const roleSchema = z.enum(['rep', 'manager', 'finance', 'admin']);
export type Role = z.infer<typeof roleSchema>;

/** Who is calling: the subject of a verified token and the roles it grants. */
export interface Principal {
  id: string;
  roles: readonly Role[];
}

/** Managers and admins, who may see every lead and rep. */
function overseesTeam(principal: Principal): boolean {
  return principal.roles.includes('admin') || principal.roles.includes('manager');
}

/** A lead's owner, managers and admins may see it in full; other reps and finance may not. */
export function canViewLead(principal: Principal, lead: Pick<Lead, 'ownerId'>): boolean {
  return overseesTeam(principal) || (principal.roles.includes('rep') && lead.ownerId === principal.id);
}

/** The routing table and its compiled rules are for managers and admins. */
export function canViewRouting(principal: Principal): boolean {
  return overseesTeam(principal);
}

/** The reps with their availability and workload (`GET /reps`) are for managers and admins, who give out leads. */
export function canViewReps(principal: Principal): boolean {
  return overseesTeam(principal);
}

/** A rep may mark themself out of office; managers and admins may mark anyone. */
export function canSetAvailability(principal: Principal, repId: string): boolean {
  return overseesTeam(principal) || isTheRep(principal, repId);
}

/** A rep's list of leads (`GET /reps/{repId}/leads`) is for the rep themself, managers and admins, who may see any lead. */
export function canViewRepLeads(principal: Principal, repId: string): boolean {
  return overseesTeam(principal) || isTheRep(principal, repId);
}

function isTheRep(principal: Principal, repId: string): boolean {
  return principal.roles.includes('rep') && principal.id === repId;
}

/** A person's data-subject requests — erasing them, exporting what is held about them — are for admins only. */
export function canHandleDataSubjectRequests(principal: Principal): boolean {
  return principal.roles.includes('admin');
}
