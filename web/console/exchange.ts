/**
 * The exchange as the browser sees it: discovery (protocol.md §4), signed requests (§2) and
 * signed answers (§3). Nothing an answer says is shown until it verified, exactly as
 * lambdas/client/corridor-client.ts does in Node — but with WebCrypto, so the private key
 * is a non-extractable CryptoKey that never leaves this page.
 */
import { base64url, CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, importJWK, type JSONWebKeySet, type JWK } from 'jose';

export interface Discovery {
  exchangeId: string;
  responseKeyIds: string[];
  sealKeyIds: string[];
  jwks: JSONWebKeySet;
  routes: Map<string, string>;
}

export interface SigningKey { kid: string; alg: 'ES256' | 'EdDSA'; key: CryptoKey }
export interface Identity extends SigningKey { agencyId: string }

export interface Problem { type?: string; title?: string; status?: number; detail?: string; errors?: { pointer: string; detail: string }[] }

export interface Answer<T> { status: number; result?: T; problem?: Problem }

/** The answer was not signed by the exchange for this request: nothing in it may be shown. */
export class UntrustedAnswer extends Error {
  override name = 'UntrustedAnswer';
}

const encoder = new TextEncoder();
const AGENCY_ID = /^[A-Z]{2}-[A-Z0-9]{2,16}$/;

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(path, { cache: 'no-store', credentials: 'omit', redirect: 'error' });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

export async function discover(): Promise<Discovery> {
  const [cfg, jwks] = await Promise.all([getJson('/.well-known/corridor-configuration'), getJson('/.well-known/jwks.json')]);
  const actions = cfg.actions as { act: string; route: string }[];
  return {
    exchangeId: String(cfg.exchangeId),
    responseKeyIds: cfg.responseKeyIds as string[],
    sealKeyIds: cfg.sealKeyIds as string[],
    jwks: jwks as unknown as JSONWebKeySet,
    routes: new Map(actions.map((a) => [a.act, a.route.replace(/^POST /, '')])),
  };
}

/** Parse and import a private key file as `corridor keygen` writes it; the text is not kept. */
export async function importKeyFile(keyFileText: string): Promise<SigningKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(keyFileText) as JWK;
  } catch {
    throw new Error('the key file is not JSON');
  }
  if (typeof jwk.d !== 'string') throw new Error('the key file holds no private key (no "d")');
  if (typeof jwk.kid !== 'string' || !jwk.kid) throw new Error('the key file has no "kid"');
  const es256 = jwk.alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256';
  const eddsa = jwk.alg === 'EdDSA' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  if (!es256 && !eddsa) throw new Error('the key must be EC P-256 with alg ES256 or OKP Ed25519 with alg EdDSA');
  const alg = es256 ? 'ES256' : 'EdDSA';
  const key = await importJWK(jwk, alg, { extractable: false });
  if (!(key instanceof CryptoKey) || key.type !== 'private') throw new Error('the key file holds no usable private key');
  return { kid: jwk.kid, alg, key };
}

export function identity(agencyId: string, key: SigningKey): Identity {
  if (!AGENCY_ID.test(agencyId)) throw new Error('the agency id looks like XX-NAME: country code, dash, 2–16 capital letters or digits');
  return { ...key, agencyId };
}

function randomJti(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(24))); // 32 chars of [A-Za-z0-9_-]
}

async function sha256b64u(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** Sign `body` as `act` (protocol.md §2), POST it, and return the answer only if it verifies. */
export async function call<T>(d: Discovery, id: Identity, act: string, body: unknown): Promise<Answer<T>> {
  const route = d.routes.get(act);
  if (!route) throw new Error(`the exchange offers no action ${act}`);
  const iat = Math.floor(Date.now() / 1000);
  const jti = randomJti();
  const claims = { iss: id.agencyId, aud: d.exchangeId, iat, exp: iat + 120, jti, act, body };
  const jws = await new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: id.alg, kid: id.kid, typ: 'corridor-request+jws' })
    .sign(id.key);
  const sent = encoder.encode(jws);
  const res = await fetch(route, {
    method: 'POST',
    headers: { 'content-type': 'application/jose' },
    body: sent,
    cache: 'no-store',
    credentials: 'omit',
    redirect: 'error',
  });
  return verifyAnswer<T>(d, id, res.status, res.headers.get('content-type'), await res.text(), sent, jti);
}

async function verifyAnswer<T>(d: Discovery, id: Identity, httpStatus: number, contentType: string | null, text: string, sent: Uint8Array<ArrayBuffer>, jti: string): Promise<Answer<T>> {
  if (!contentType?.startsWith('application/jose')) throw new UntrustedAnswer(`unsigned answer (HTTP ${httpStatus})`);
  let kid: string | undefined;
  let typ: string | undefined;
  try {
    ({ kid, typ } = decodeProtectedHeader(text));
  } catch {
    throw new UntrustedAnswer('the answer is not a JWS');
  }
  if (!kid || !d.responseKeyIds.includes(kid)) throw new UntrustedAnswer(`signed with kid '${kid}', not a response key of the exchange (reload the page if the exchange rotated its keys)`);
  if (typ !== 'corridor-response+jws') throw new UntrustedAnswer('typ is not corridor-response+jws');
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(text, createLocalJWKSet(d.jwks), { algorithms: ['ES256'] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    throw new UntrustedAnswer('the signature does not verify against the exchange JWKS');
  }
  if (payload.iss !== d.exchangeId) throw new UntrustedAnswer('iss is not the exchange');
  if (payload.rqd !== (await sha256b64u(sent))) throw new UntrustedAnswer('it answers another request (rqd)');
  if (payload.irt !== undefined && payload.irt !== jti) throw new UntrustedAnswer('it answers another request (irt)');
  if (payload.aud !== undefined && payload.aud !== id.agencyId) throw new UntrustedAnswer('it is addressed to another agency');
  // protocol.md §3: only a refusal from before authentication (400, 401, 413, 415, 503) may lack aud or irt.
  if ((payload.aud === undefined || payload.irt === undefined) && ![400, 401, 413, 415, 503].includes(httpStatus)) throw new UntrustedAnswer('it does not name this agency and request (aud, irt)');
  if (payload.status !== httpStatus) throw new UntrustedAnswer('its status differs from the HTTP status');
  const answer: Answer<T> = { status: httpStatus };
  if (payload.result !== undefined) answer.result = payload.result as T;
  if (payload.problem !== undefined) answer.problem = payload.problem as Problem;
  return answer;
}

/** "403 Role may not call this action: …" from a signed refusal. */
export function describeProblem(a: Answer<unknown>): string {
  const p = a.problem ?? {};
  const errors = (p.errors ?? []).map((e) => ` (${e.pointer}: ${e.detail})`).join('');
  return `${a.status} ${p.title ?? 'Refused'}${p.detail ? `: ${p.detail}` : ''}${errors}`;
}
