/**
 * Reads agencies and sharing agreements from the registry, and turns agency JWKs into
 * verification keys. Imported keys are cached by thumbprint (a pure function of the JWK).
 *
 * A warm process may reuse agency and agreement records for `ttlMs` (CORRIDOR_AGENCY_CACHE_MS):
 * that is what keeps a verification at two DynamoDB requests. The TTL is the revocation bound:
 * a key revoked, an agency suspended or an agreement withdrawn through another process keeps
 * working here for at most `ttlMs` (docs/performance.md). Three rules keep the cache from
 * deciding anything a fresh read would decide otherwise in the caller's favour only:
 * - callers that change keys, agencies or agreements pass `fresh` (request-envelope's
 *   FRESH_ACTIONS): a revoked key never authenticates a key change;
 * - a cached record that does not satisfy the caller's need (`usable`: the kid is absent or not
 *   active, the agreement does not grant) is re-read, so additions take effect at once and only
 *   withdrawals wait for the TTL;
 * - absent records are never cached: a new agency or agreement is found on its first use.
 */
import { importJWK, type CryptoKey, type KeyObject } from 'jose';
import { agencyFromRecord, agencyPk, PROFILE_SK, type Agency, type AgencyKey } from './agencies.ts';
import { getAgreement, type Agreement, type DocumentType } from './agreements.ts';
import type { Clock, Store } from './ports.ts';

export type VerificationKey = CryptoKey | KeyObject | Uint8Array;

/** Entries per cache before it starts over: bounds memory under a flood of distinct ids. */
const MAX_ENTRIES = 10_000;

/** A time-bounded map that never holds absent records. */
class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(private readonly clock: Clock, private readonly ttlMs: number) {}

  get(key: string, usable?: (v: V) => boolean): V | undefined {
    const hit = this.entries.get(key);
    if (!hit || this.clock.now() - hit.at >= this.ttlMs) return undefined;
    return !usable || usable(hit.value) ? hit.value : undefined;
  }

  set(key: string, value: V | null): void {
    if (this.ttlMs <= 0) return;
    if (value === null) {
      this.entries.delete(key);
      return;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, at: this.clock.now() });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export class AgencyDirectory {
  private readonly agencies: TtlCache<Agency>;
  private readonly agreements: TtlCache<Agreement>;
  private readonly keys = new Map<string, VerificationKey>();

  constructor(
    private readonly store: Store,
    clock: Clock,
    /** How long a warm process may reuse a record: the revocation bound. 0 reads every time. */
    readonly ttlMs = 0,
  ) {
    this.agencies = new TtlCache(clock, ttlMs);
    this.agreements = new TtlCache(clock, ttlMs);
  }

  /**
   * The agency, from cache if younger than the TTL and `usable` accepts it; otherwise read.
   * Mutations pass `fresh` to authenticate against the stored version.
   */
  async get(agencyId: string, fresh = false, usable?: (a: Agency) => boolean): Promise<Agency | null> {
    const hit = fresh ? undefined : this.agencies.get(agencyId, usable);
    if (hit) return hit;
    const rec = await this.store.get('registry', agencyPk(agencyId), PROFILE_SK);
    const agency = rec ? agencyFromRecord(rec) : null;
    this.agencies.set(agencyId, agency);
    return agency;
  }

  /** Forget a cached agency after this process changed it. */
  invalidate(agencyId: string): void {
    this.agencies.delete(agencyId);
  }

  /** The owner's agreement with a partner, cached like agencies; `usable` says whether a hit will do. */
  async agreement(owner: string, type: DocumentType, partner: string, usable?: (a: Agreement) => boolean): Promise<Agreement | null> {
    const key = `${owner}\u0000${type}\u0000${partner}`;
    const hit = this.agreements.get(key, usable);
    if (hit) return hit;
    const agreement = await getAgreement(this.store, owner, type, partner);
    this.agreements.set(key, agreement);
    return agreement;
  }

  /** Forget a cached agreement after this process changed it. */
  invalidateAgreement(owner: string, type: DocumentType, partner: string): void {
    this.agreements.delete(`${owner}\u0000${type}\u0000${partner}`);
  }

  async verificationKey(key: AgencyKey): Promise<VerificationKey> {
    let k = this.keys.get(key.thumbprint);
    if (!k) {
      k = await importJWK(key.jwk, key.alg);
      if (this.keys.size > MAX_ENTRIES) this.keys.clear();
      this.keys.set(key.thumbprint, k);
    }
    return k;
  }
}
