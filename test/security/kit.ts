/**
 * Small helpers for the attack suites: hand-built claims and headers for a test agency,
 * raw sends (any content type, even none), and byte-level JWS surgery.
 */
import { createPrivateKey, randomBytes, sign as cryptoSign, type JsonWebKey } from 'node:crypto';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { EXCHANGE_ID, type Answer, type TestAgency, type TestExchange } from '../helpers/memory-exchange.ts';
import { rawJws } from '../helpers/raw-jws.ts';

/** A fresh jti of valid syntax. */
export const newJti = (): string => `sec-${randomBytes(12).toString('base64url')}`;

/** The header a well-behaved client sends for this agency's first key. */
export function hdr(a: TestAgency, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { alg: a.key.privateJwk.alg, kid: a.key.kid, typ: 'corridor-request+jws', ...over };
}

/** Valid claims for `act` by `a` at the exchange's current time; `over` replaces any claim. */
export function claims(x: TestExchange, a: TestAgency, act: ActionName, body: unknown, over: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = x.nowSeconds();
  return { iss: a.agencyId, aud: EXCHANGE_ID, iat, exp: iat + 120, jti: newJti(), act, body, ...over };
}

/** A request signed with the agency's own key: header and payload may be objects or raw JSON text. */
export const signedBy = (a: TestAgency, header: unknown, payload: unknown): string => rawJws(a.privateJwk, header, payload);

/** Sign a well-formed request (raw JWS, so claims can be anything). */
export function request(x: TestExchange, a: TestAgency, act: ActionName, body: unknown, over: Record<string, unknown> = {}): string {
  return signedBy(a, hdr(a), claims(x, a, act, body, over));
}

/** POST bytes to a route with exactly this Content-Type (undefined = no header at all). */
export async function sendRaw(x: TestExchange, act: ActionName, body: string | Uint8Array, contentType: string | undefined): Promise<Answer> {
  const raw = await x.exchange.handle({ act, contentType, body: typeof body === 'string' ? Buffer.from(body) : body, sourceIp: '127.0.0.1', requestId: `sec-${Math.random()}` });
  return x.open(raw);
}

export const b64u = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');
export const unb64u = (s: string): Buffer => Buffer.from(s, 'base64url');

/** Replace the signature segment of a compact JWS. */
export function withSignature(jws: string, sig: Uint8Array | string): string {
  const [h, p] = jws.split('.');
  return `${h}.${p}.${typeof sig === 'string' ? sig : b64u(sig)}`;
}

export const signatureOf = (jws: string): Buffer => unb64u(jws.split('.')[2]!);

/** P-256 group order. */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** Ed25519 group order L. */
export const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

export const bigFromBytes = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
export function bytesFromBig(n: bigint, len: number): Buffer {
  const hex = n.toString(16).padStart(len * 2, '0');
  if (hex.length > len * 2) throw new Error('does not fit');
  return Buffer.from(hex, 'hex');
}

/** An ES256 r‖s signature with s replaced by n − s: still a valid ECDSA signature of the same input. */
export function malleateEs256(sig: Uint8Array): Buffer {
  const r = sig.subarray(0, 32);
  const s = bigFromBytes(sig.subarray(32));
  return Buffer.concat([Buffer.from(r), bytesFromBig(P256_N - s, 32)]);
}

/**
 * The same exchange, but `auditEvents()` skips the seal records the sealer keeps in the audit
 * table (the shared helper parses every audit record as an event, which fails once a seal exists).
 */
export function sealTolerant(x: TestExchange): TestExchange {
  return new Proxy(x, {
    get(target, prop) {
      if (prop === 'auditEvents') {
        return () => target.store.all('audit').filter((r) => r.attrs.event !== undefined).map((r) => JSON.parse(String(r.attrs.event))).sort((a, b) => a.ts.localeCompare(b.ts));
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Sign arbitrary header and payload *bytes* (e.g. invalid UTF-8) with a private JWK, ES256 as r‖s or Ed25519. */
export function rawJwsBytes(privateJwk: import('jose').JWK, header: Uint8Array | string, payload: Uint8Array | string): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
  const sig = privateJwk.kty === 'EC' ? cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : cryptoSign(null, Buffer.from(input), key);
  return `${input}.${sig.toString('base64url')}`;
}

const b64len = (n: number): number => Math.ceil((4 * n) / 3);

/**
 * A validly signed request of exactly `total` bytes, padded with insignificant JSON white space
 * inside the header and the payload (no white space around the JWS).
 */
export function requestOfExactSize(x: TestExchange, a: TestAgency, act: ActionName, body: unknown, total: number): string {
  const headerText = JSON.stringify(hdr(a));
  const payloadText = JSON.stringify(claims(x, a, act, body));
  const sigLen = 86; // ES256 r‖s and Ed25519 are both 64 bytes
  for (let m = 0; m < 6; m++) {
    const h = b64len(headerText.length + m);
    const p = total - h - sigLen - 2;
    for (let n = Math.max(payloadText.length, Math.floor((3 * p) / 4) - 3); n <= Math.floor((3 * p) / 4) + 3; n++) {
      if (b64len(n) === p) {
        const jws = rawJws(a.privateJwk, `{${' '.repeat(m)}${headerText.slice(1)}`, `{${' '.repeat(n - payloadText.length)}${payloadText.slice(1)}`);
        if (jws.length !== total) throw new Error(`built ${jws.length}, wanted ${total}`);
        return jws;
      }
    }
  }
  throw new Error(`no padding reaches ${total} bytes`);
}
