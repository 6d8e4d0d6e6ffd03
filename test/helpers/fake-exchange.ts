/**
 * A scripted exchange behind a fake `fetch`, for client unit tests: real discovery
 * documents, real ES256 response signatures, and per-request plans that say which status
 * to answer and how to spoil the answer (other kid, other key, altered claims, unsigned).
 */
import { createHash, randomBytes } from 'node:crypto';
import { CompactSign, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';

export const EXCHANGE = 'corridor:test';
export const ROUTE = '/v1/licenses/status';
/** audit.proof is served too, so a client's proof check can be fed a genuine proof of another event. */
export const PROOF_ROUTE = '/v1/audit/proof';

export interface Plan {
  status: number;
  retryAfter?: string;
  /** Plain problem+json instead of a signed answer (API Gateway throttling, a cold KMS). */
  unsigned?: boolean;
  /** Which key signs: the published response key (default), the rotated one, the seal key, or an unpublished key under the response kid. */
  signer?: 'response' | 'rotated' | 'seal' | 'impostor';
  typ?: string;
  claims?: (c: Record<string, unknown>) => Record<string, unknown>;
  /** The `result` of a 2xx answer (default: a license.status result). */
  result?: Record<string, unknown>;
}

export interface SentRequest { jws: string; header: Record<string, unknown>; claims: Record<string, unknown> }

type Key = { kid: string; priv: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; pub: JWK };

async function key(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, priv: privateKey, pub: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

export async function fakeExchange(plan: (n: number) => Plan, opts: { rotateAfterFirstRead?: boolean } = {}) {
  const keys = { response: await key('resp-1'), rotated: await key('resp-2'), seal: await key('seal-1'), impostor: await key('resp-1') };
  const sent: SentRequest[] = [];
  let configReads = 0;
  const published = (): Key[] => [keys.response, ...(opts.rotateAfterFirstRead && configReads > 1 ? [keys.rotated] : [])];

  const json = (body: unknown, status = 200): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.pathname === '/.well-known/corridor-configuration') {
      configReads++;
      return json({ exchangeId: EXCHANGE, actions: [{ act: 'license.status', route: `POST ${ROUTE}` }, { act: 'audit.proof', route: `POST ${PROOF_ROUTE}` }], responseKeyIds: published().map((k) => k.kid), sealKeyIds: ['seal-1'] });
    }
    if (url.pathname === '/.well-known/jwks.json') return json({ keys: [...published(), keys.seal].map((k) => k.pub) });
    if ((url.pathname !== ROUTE && url.pathname !== PROOF_ROUTE) || init?.method !== 'POST') return json({ title: 'Not Found' }, 404);
    const body = Buffer.from(init.body as Uint8Array);
    const jws = body.toString('utf8');
    const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    sent.push({ jws, header: decodeProtectedHeader(jws) as Record<string, unknown>, claims });
    const p = plan(sent.length - 1);
    const headers: Record<string, string> = p.retryAfter ? { 'retry-after': p.retryAfter } : {};
    if (p.unsigned) return new Response(JSON.stringify({ title: 'Service Unavailable', status: p.status }), { status: p.status, headers: { ...headers, 'content-type': 'application/problem+json' } });
    const ok = p.status < 300;
    const base: Record<string, unknown> = {
      iss: EXCHANGE, aud: claims.iss, iat: Math.floor(Date.now() / 1000), jti: randomBytes(12).toString('base64url'), irt: claims.jti,
      rqd: createHash('sha256').update(body).digest('base64url'), status: p.status, auditId: `ev-${sent.length}`,
      ...(ok ? { result: p.result ?? { licenseId: 'DE-1', status: 'suspended', reason: 'r', changedAt: '2026-11-22T10:00:00.000Z' } } : { problem: { type: 'urn:corridor:problem:x', title: 'Refused', status: p.status, detail: `refused with ${p.status}` } }),
    };
    const k = keys[p.signer ?? 'response'];
    const answer = await new CompactSign(new TextEncoder().encode(JSON.stringify(p.claims ? p.claims(base) : base))).setProtectedHeader({ alg: 'ES256', kid: k.kid, typ: p.typ ?? 'corridor-response+jws' }).sign(k.priv);
    return new Response(answer, { status: p.status, headers: { ...headers, 'content-type': 'application/jose' } });
  };
  /** A genuine seal: the payload signed by the published seal key, as the exchange's sealer would. */
  const seal = (payload: Record<string, unknown>): Promise<string> =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', kid: keys.seal.kid, typ: 'corridor-seal+jws' }).sign(keys.seal.priv);
  return { fetch, sent, configReads: () => configReads, seal };
}

/** sleep and now for the client: nothing waits; the clock moves by exactly what was slept. */
export function fakeTime(start = 1_000_000): { sleep: (ms: number) => Promise<void>; now: () => number; slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; } };
}
