import type { Principal } from './access-policy';

/** Spend and on-demand rollups are finance's (and admins'). */
export function canManageSpend(principal: Principal): boolean {
  return principal.roles.includes('finance') || principal.roles.includes('admin');
}

/** Channel-ROI reports are for finance, managers and admins. */
export function canViewChannelRoi(principal: Principal): boolean {
  return principal.roles.some((role) => role === 'finance' || role === 'manager' || role === 'admin');
}
