/**
 * Which events an auditor may see (protocol.md §1, §6): `all`, or `own` — the authenticated
 * actor or the data owner is of the auditor's country. A claimed (unverified) issuer
 * never puts an event into anyone's scope.
 */
import type { Agency } from './agencies.ts';
import type { AuditEvent } from './audit.ts';

export function inScope(auditor: Agency, e: AuditEvent): boolean {
  if (auditor.auditScope === 'all') return true;
  const country = auditor.country;
  return (!!e.actor && e.actor.slice(0, 2) === country) || (!!e.owner && e.owner.slice(0, 2) === country);
}
