/**
 * Reads agencies from the registry and turns their JWKs into verification keys. Imported
 * keys are cached by thumbprint (pure function of the JWK); agency records may be cached
 * for `ttlMs`, which bounds how long a revoked key keeps verifying in a warm Lambda.
 */
import { importJWK, type CryptoKey, type KeyObject } from 'jose';
import { agencyFromRecord, agencyPk, PROFILE_SK, type Agency, type AgencyKey } from './agencies.ts';
import type { Clock, Store } from './ports.ts';

export type VerificationKey = CryptoKey | KeyObject | Uint8Array;

export class AgencyDirectory {
  private readonly agencies = new Map<string, { agency: Agency | null; at: number }>();
  private readonly keys = new Map<string, VerificationKey>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs = 0,
  ) {}

  /** The agency, from cache if younger than the TTL. Mutations pass `fresh` to read the stored version. */
  async get(agencyId: string, fresh = false): Promise<Agency | null> {
    const hit = this.agencies.get(agencyId);
    if (!fresh && hit && this.clock.now() - hit.at < this.ttlMs) return hit.agency;
    const rec = await this.store.get('registry', agencyPk(agencyId), PROFILE_SK);
    const agency = rec ? agencyFromRecord(rec) : null;
    if (this.ttlMs > 0) {
      if (this.agencies.size > 10_000) this.agencies.clear();
      this.agencies.set(agencyId, { agency, at: this.clock.now() });
    }
    return agency;
  }

  /** Forget a cached agency after this process changed it. */
  invalidate(agencyId: string): void {
    this.agencies.delete(agencyId);
  }

  async verificationKey(key: AgencyKey): Promise<VerificationKey> {
    let k = this.keys.get(key.thumbprint);
    if (!k) {
      k = await importJWK(key.jwk, key.alg);
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(key.thumbprint, k);
    }
    return k;
  }
}
