/**
 * Agencies and their public keys as stored in the registry table: one record per agency
 * (profile and key list together), so authenticating a request is a single read.
 */
import type { JWK } from 'jose';
import type { StoredRecord, Write } from './ports.ts';

export type Role = 'licensing' | 'customs' | 'euc-issuer' | 'auditor' | 'operator';
export type AgencyStatus = 'active' | 'suspended';
export type KeyStatus = 'active' | 'retired' | 'revoked';
export type SigningAlg = 'ES256' | 'EdDSA';

export interface AgencyKey {
  kid: string;
  jwk: JWK;
  alg: SigningAlg;
  thumbprint: string;
  status: KeyStatus;
  addedAt: string;
  retiredAt?: string;
  revokedAt?: string;
}

export interface Agency {
  agencyId: string;
  country: string;
  name: string;
  roles: Role[];
  auditScope?: 'own' | 'all';
  status: AgencyStatus;
  keys: AgencyKey[];
  createdAt: string;
  /** Optimistic-lock counter: every change is a put conditioned on the version read. */
  ver: number;
}

export const agencyPk = (agencyId: string): string => `AGENCY#${agencyId}`;
export const PROFILE_SK = 'PROFILE';

export function agencyFromRecord(r: StoredRecord): Agency {
  const a = r.attrs;
  const agency: Agency = {
    agencyId: String(a.agencyId),
    country: String(a.country),
    name: String(a.name),
    roles: a.roles as Role[],
    status: a.status as AgencyStatus,
    keys: JSON.parse(String(a.keys)) as AgencyKey[],
    createdAt: String(a.createdAt),
    ver: Number(a.ver),
  };
  if (typeof a.auditScope === 'string') agency.auditScope = a.auditScope as 'own' | 'all';
  return agency;
}

/** The put that stores `next`, conditioned on the stored version (`null`: must not exist yet). */
export function agencyWrite(next: Agency, previousVer: number | null): Write {
  const attrs: Record<string, string | number | string[]> = {
    agencyId: next.agencyId,
    country: next.country,
    name: next.name,
    roles: next.roles,
    status: next.status,
    keys: JSON.stringify(next.keys),
    createdAt: next.createdAt,
    ver: previousVer === null ? 1 : previousVer + 1,
  };
  if (next.auditScope) attrs.auditScope = next.auditScope;
  return {
    op: 'put',
    record: { table: 'registry', pk: agencyPk(next.agencyId), sk: PROFILE_SK, attrs },
    condition: previousVer === null ? { kind: 'absent' } : { kind: 'version', equals: previousVer },
  };
}

/** The agency as `agency.register` / `agency.keys` return it (Appendix A). */
export function agencyView(a: Agency): Record<string, unknown> {
  const view: Record<string, unknown> = {
    agencyId: a.agencyId,
    country: a.country,
    name: a.name,
    roles: a.roles,
    status: a.status,
    keys: a.keys.map((k) => ({
      kid: k.kid,
      status: k.status,
      ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
      ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
    })),
  };
  if (a.auditScope) view.auditScope = a.auditScope;
  return view;
}

/** Public JWKS of an agency (protocol.md §4), with key status for offline verifiers. */
export function agencyJwks(a: Agency): { keys: Record<string, unknown>[] } {
  return {
    keys: a.keys.map((k) => ({
      ...k.jwk,
      kid: k.kid,
      status: k.status,
      ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
      ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
    })),
  };
}
