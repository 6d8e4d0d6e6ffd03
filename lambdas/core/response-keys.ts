/**
 * The exchange's response signing key ring. Responses are signed in process (KMS Sign per
 * response would cost $15/M and cap at 1,000/s): the P-256 key is generated on first
 * start, its private JWK stored only KMS-envelope-encrypted, created with a conditional
 * put so two cold starts cannot race, and decrypted once per cold start. The ring
 * publishes the current and the previous public key; rotation moves current to previous.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { PayloadCipher, CipherScope } from './payload-cipher.ts';
import { auditWrite, refusalEventId, sealableEvent } from './audit.ts';
import { b64url, sha256 } from './merkle.ts';
import { WriteConflict, type Clock, type Store, type Write } from './ports.ts';

const PK = 'EXCHANGE';
const SK = 'RESPONSE_KEYS';
const AAD = `registry/${PK}/${SK}/private`;

export interface PublishedKey { kid: string; jwk: JWK; createdAt: string }
/** A change of an exchange key in its audit event (`previous`: the response key kept published after a rotation). */
export interface ResponseKeyChange { kid: string; from: 'active' | 'previous' | null; to: 'active' | 'previous' | 'retired'; thumbprint: string; owner: string; purpose: 'response' | 'seal' }
export interface SigningKey { kid: string; key: CryptoKey | KeyObject }

interface Ring { ver: number; published: PublishedKey[]; currentKid: string; privateBlob: Uint8Array }

function ringFrom(attrs: Readonly<Record<string, unknown>>): Ring {
  return {
    ver: Number(attrs.ver),
    published: JSON.parse(String(attrs.published)) as PublishedKey[],
    currentKid: String(attrs.currentKid),
    privateBlob: attrs.privateKey as Uint8Array,
  };
}

export class ResponseKeys {
  private ring: Ring | null = null;
  private signing: SigningKey | null = null;
  private loadedAt = 0;
  private readonly scope: CipherScope;

  constructor(
    private readonly store: Store,
    private readonly cipher: PayloadCipher,
    private readonly clock: Clock,
    exchangeId: string,
    /** How often a warm process re-reads the ring to pick up a rotation. */
    private readonly refreshMs = 5 * 60_000,
  ) {
    this.scope = { owner: exchangeId, type: 'response-key' };
  }

  private async load(): Promise<Ring> {
    if (this.ring && this.clock.now() - this.loadedAt < this.refreshMs) return this.ring;
    if (!this.ring) return this.reload();
    try {
      return await this.reload();
    } catch {
      return this.ring; // a failed refresh keeps signing with the key in memory (still published)
    }
  }

  private async reload(): Promise<Ring> {
    let rec = await this.store.get('registry', PK, SK);
    if (!rec) {
      try {
        const write = await this.newRingWrite(null);
        await this.store.commit([await this.keyEvent('exchange.keys.create', write, null), write]);
      } catch (e) {
        if (!(e instanceof WriteConflict)) throw e; // another cold start won the race: use its key
      }
      rec = await this.store.get('registry', PK, SK);
      if (!rec) throw new Error('response key ring missing after create');
    }
    const ring = ringFrom(rec.attrs);
    if (!this.signing || this.signing.kid !== ring.currentKid) {
      const jwk = JSON.parse((await this.cipher.decrypt(ring.privateBlob, this.scope, AAD)).toString('utf8')) as JWK;
      this.signing = { kid: ring.currentKid, key: (await importJWK(jwk, 'ES256')) as CryptoKey | KeyObject };
    }
    this.ring = ring;
    this.loadedAt = this.clock.now();
    return ring;
  }

  /** Build the put for a ring whose current key is new; the old current becomes previous. */
  private async newRingWrite(previous: Ring | null): Promise<Write> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pub = await exportJWK(publicKey);
    const kid = `rsp-${(await calculateJwkThumbprint(pub)).slice(0, 16)}`;
    const privateJwk = await exportJWK(privateKey);
    const published: PublishedKey[] = [
      { kid, jwk: { ...pub, kid, alg: 'ES256', use: 'sig' }, createdAt: new Date(this.clock.now()).toISOString() },
      ...(previous ? previous.published.filter((k) => k.kid === previous.currentKid) : []),
    ];
    return {
      op: 'put',
      record: {
        table: 'registry',
        pk: PK,
        sk: SK,
        attrs: {
          ver: previous ? previous.ver + 1 : 1,
          currentKid: kid,
          published: JSON.stringify(published),
          privateKey: await this.cipher.encrypt(JSON.stringify(privateJwk), this.scope, AAD),
        },
      },
      condition: previous ? { kind: 'version', equals: previous.ver } : { kind: 'absent' },
    };
  }

  /**
   * The audit event of a ring change, committed with it: the exchange's key history is provable too. Each change
   * carries the kid, its RFC 7638 thumbprint, the exchange as owner and the purpose `response`: the new key becomes
   * active, the old current one `previous` (still published, may still sign until every process re-read the ring),
   * and the key that was previous leaves the ring: retired, never to sign again.
   */
  private async keyEvent(action: string, write: Write, previous: Ring | null): Promise<Write> {
    const published = write.op === 'put' ? JSON.parse(String(write.record.attrs.published)) as PublishedKey[] : [];
    const owner = this.scope.owner;
    const change = async (k: PublishedKey, from: ResponseKeyChange['from'], to: ResponseKeyChange['to']): Promise<ResponseKeyChange> =>
      ({ kid: k.kid, from, to, thumbprint: await calculateJwkThumbprint(k.jwk), owner, purpose: 'response' });
    const changes = [await change(published[0]!, null, 'active')];
    for (const k of previous?.published ?? []) {
      changes.push(await change(k, k.kid === previous!.currentKid ? 'active' : 'previous', k.kid === previous!.currentKid ? 'previous' : 'retired'));
    }
    const record = JSON.stringify({ kid: changes[0]!.kid, previousKid: previous?.currentKid ?? null });
    const ts = new Date(this.clock.now()).toISOString();
    return auditWrite(sealableEvent({
      id: refusalEventId(),
      ts,
      exchangeId: owner,
      action,
      resource: 'exchange:response-keys', // no owner: the exchange is no agency, so no `own` scope holds it
      decision: 'allow',
      status: 201,
      rqd: b64url(sha256(record)),
      rsd: b64url(sha256(record)),
      sourceIp: 'local',
      requestId: action,
      details: { keyChanges: changes },
    }));
  }

  async signingKey(): Promise<SigningKey> {
    await this.load();
    return this.signing!;
  }

  /** Current and previous public keys, for `/.well-known/jwks.json`. */
  async published(): Promise<PublishedKey[]> {
    return (await this.load()).published;
  }

  /** Operator rotation (`corridor keys rotate`): new current key, old current kept as previous. */
  async rotate(): Promise<{ current: string; previous: string }> {
    this.loadedAt = 0;
    const ring = await this.load();
    const write = await this.newRingWrite(ring);
    await this.store.commit([await this.keyEvent('exchange.keys.rotate', write, ring), write]);
    this.loadedAt = 0;
    const next = await this.load();
    return { current: next.currentKid, previous: ring.currentKid };
  }
}
