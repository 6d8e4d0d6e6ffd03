/**
 * Who may do what: the role table of protocol.md §5, and sharing agreements. Checked before
 * existence, so a caller without rights learns nothing about what exists.
 */
import type { Agency, Role } from './agencies.ts';
import type { Agreement, Permission } from './agreements.ts';
import { refuse } from './errors.ts';
import type { ActionName } from './routes.ts';

/** Roles allowed to call each action; `any` means every registered agency (for itself). */
export const ACTION_ROLES: Record<ActionName, readonly Role[] | 'any'> = {
  'agency.register': ['operator'],
  'agency.keys': 'any',
  'agreement.put': ['licensing', 'euc-issuer'],
  // every role that can own an agreement or use a grant; the operator and auditors hold neither (auditors see agreement changes in the log)
  'agreement.list': ['licensing', 'customs', 'euc-issuer'],
  // the agencies notifications are addressed to (protocol.md §10); the operator and auditors receive none
  'subscription.put': ['licensing', 'customs', 'euc-issuer'],
  'subscription.get': ['licensing', 'customs', 'euc-issuer'],
  'notification.list': ['licensing', 'customs', 'euc-issuer'],
  'license.publish': ['licensing'],
  'license.status': ['licensing'],
  'license.verify': ['customs'],
  'license.drawdown': ['customs'],
  'license.drawdowns': ['licensing'],
  'delivery.confirm': ['customs'],
  // the issuer (all confirmations) or a confirming customs agency (its own)
  'delivery.list': ['licensing', 'customs'],
  'psv.request': ['licensing'],
  // the checking agency is the owner of a psv agreement: a licensing or euc-issuer agency
  'psv.report': ['licensing', 'euc-issuer'],
  'psv.query': ['licensing', 'euc-issuer'],
  'euc.publish': ['euc-issuer'],
  'euc.status': ['euc-issuer'],
  'euc.query': ['customs', 'licensing'],
  'audit.query': ['auditor'],
  'audit.proof': ['auditor'],
  'audit.seals': ['auditor'],
  'denial.notify': ['licensing'],
  'denial.revoke': ['licensing'],
  // at the border and at the licensing desk
  'screening.check': ['licensing', 'customs'],
  'consultation.open': ['licensing'],
  'consultation.answer': ['licensing'],
  'consultation.list': ['licensing'],
};

export function assertMayCall(agency: Agency, act: ActionName): void {
  if (agency.status !== 'active') refuse('ERR_AGENCY_SUSPENDED', `${agency.agencyId} is ${agency.status}`);
  const allowed = ACTION_ROLES[act];
  if (allowed !== 'any' && !agency.roles.some((r) => allowed.includes(r))) {
    refuse('ERR_ROLE_FORBIDDEN', `${act} needs one of the roles: ${allowed.join(', ')}`);
  }
}

export function hasRole(agency: Agency, role: Role): boolean {
  return agency.roles.includes(role);
}

/** `read` implies `verify`; an agreement past its validUntil (a date, inclusive) grants nothing. */
export function grants(agreement: Agreement | null, permission: Permission, today: string): boolean {
  if (!agreement) return false;
  if (agreement.validUntil && today > agreement.validUntil) return false;
  return agreement.permissions.includes(permission) || (permission === 'verify' && agreement.permissions.includes('read'));
}
