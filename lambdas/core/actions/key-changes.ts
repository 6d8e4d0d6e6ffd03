/**
 * Key status transitions shared by `agency.register` (operator revokes) and `agency.keys`
 * (an agency manages its own): only forward, active → retired → revoked or active → revoked.
 */
import type { AgencyKey, KeyStatus } from '../agencies.ts';
import { refuse } from '../errors.ts';

/**
 * One key's change as its audit event records it (protocol.md §6, key transparency): the kid, the key's RFC 7638
 * thumbprint and its owner (an agency id, or the exchange id for the exchange's own keys), so the sealed log alone
 * says which public key became what, and `corridor audit keys` rebuilds a key history offline.
 */
export interface KeyChange {
  kid: string;
  from: KeyStatus | null;
  to: KeyStatus;
  thumbprint: string;
  owner: string;
}

const FORWARD: Record<KeyStatus, readonly KeyStatus[]> = { active: ['retired', 'revoked'], retired: ['revoked'], revoked: [] };

/** Move `kid` to `to` in `keys` (a copy the caller owns), recording the change. */
export function transitionKey(owner: string, keys: AgencyKey[], kid: string, to: 'retired' | 'revoked', nowIso: string, changes: KeyChange[]): void {
  const key = keys.find((k) => k.kid === kid);
  if (!key) refuse('ERR_NOT_FOUND', `no key '${kid}' on this agency`);
  if (!FORWARD[key.status].includes(to)) refuse('ERR_KEY_TRANSITION', `key '${kid}' is ${key.status}; it cannot become ${to}`);
  changes.push({ kid, from: key.status, to, thumbprint: key.thumbprint, owner });
  key.status = to;
  if (to === 'retired') key.retiredAt = nowIso;
  else key.revokedAt = nowIso;
}

/** The change of a key just accepted (acceptPublicKey): new, active. */
export function addedKey(owner: string, key: AgencyKey): KeyChange {
  return { kid: key.kid, from: null, to: 'active', thumbprint: key.thumbprint, owner };
}

/** Refuse a kid listed twice in one request (add, retire and revoke together). */
export function assertDistinctKids(lists: readonly (readonly string[] | undefined)[]): void {
  const seen = new Set<string>();
  for (const kid of lists.flatMap((l) => l ?? [])) {
    if (seen.has(kid)) refuse('ERR_BODY_INVALID', `kid '${kid}' appears more than once in this request`);
    seen.add(kid);
  }
}
