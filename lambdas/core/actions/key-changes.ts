/**
 * Key status transitions shared by `agency.register` (operator revokes) and `agency.keys`
 * (an agency manages its own): only forward, active → retired → revoked or active → revoked.
 */
import type { AgencyKey, KeyStatus } from '../agencies.ts';
import { refuse } from '../errors.ts';

export interface KeyChange { kid: string; from: KeyStatus | null; to: KeyStatus }

const FORWARD: Record<KeyStatus, readonly KeyStatus[]> = { active: ['retired', 'revoked'], retired: ['revoked'], revoked: [] };

/** Move `kid` to `to` in `keys` (a copy the caller owns), recording the change. */
export function transitionKey(keys: AgencyKey[], kid: string, to: 'retired' | 'revoked', nowIso: string, changes: KeyChange[]): void {
  const key = keys.find((k) => k.kid === kid);
  if (!key) refuse('ERR_NOT_FOUND', `no key '${kid}' on this agency`);
  if (!FORWARD[key.status].includes(to)) refuse('ERR_KEY_TRANSITION', `key '${kid}' is ${key.status}; it cannot become ${to}`);
  changes.push({ kid, from: key.status, to });
  key.status = to;
  if (to === 'retired') key.retiredAt = nowIso;
  else key.revokedAt = nowIso;
}

/** Refuse a kid listed twice in one request (add, retire and revoke together). */
export function assertDistinctKids(lists: readonly (readonly string[] | undefined)[]): void {
  const seen = new Set<string>();
  for (const kid of lists.flatMap((l) => l ?? [])) {
    if (seen.has(kid)) refuse('ERR_BODY_INVALID', `kid '${kid}' appears more than once in this request`);
    seen.add(kid);
  }
}
