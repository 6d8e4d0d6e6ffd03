/**
 * CorridorClient: signs requests and accepts an answer only if it is a compact JWS by the
 * exchange under a kid in `responseKeyIds`, with typ corridor-response+jws, iss = the
 * exchange, aud = us (when present), irt = our jti and rqd = SHA-256 of what we sent.
 */
import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import type { Problem } from '../core/errors.ts';
import { signRequest, type RequestOptions, type SigningIdentity } from './signing.ts';

export interface ExchangeAnswer<T = Record<string, unknown>> {
  status: number;
  result?: T;
  problem?: Problem;
  auditId?: string;
  /** The response JWS as received, for the record. */
  jws: string;
}

export class UntrustedResponseError extends Error {
  override name = 'UntrustedResponseError';
}

export interface Discovery { exchangeId: string; responseKeyIds: string[]; sealKeyIds: string[]; jwks: JSONWebKeySet; routes: Map<string, string> }

export class CorridorClient {
  private discovery: Discovery | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly identity?: SigningIdentity,
  ) {}

  private async getJson(path: string): Promise<Record<string, unknown>> {
    const res = await fetch(new URL(path, this.baseUrl));
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  async discover(refresh = false): Promise<Discovery> {
    if (this.discovery && !refresh) return this.discovery;
    const cfg = await this.getJson('/.well-known/corridor-configuration');
    const jwks = (await this.getJson('/.well-known/jwks.json')) as unknown as JSONWebKeySet;
    const routes = new Map((cfg.actions as { act: string; route: string }[]).map((a) => [a.act, a.route.replace(/^POST /, '')]));
    this.discovery = { exchangeId: String(cfg.exchangeId), responseKeyIds: cfg.responseKeyIds as string[], sealKeyIds: (cfg.sealKeyIds as string[] | undefined) ?? [], jwks, routes };
    return this.discovery;
  }

  /** GET an agency's published keys (for verifying documents offline). */
  agencyJwks(agencyId: string): Promise<Record<string, unknown>> {
    return this.getJson(`/v1/agencies/${encodeURIComponent(agencyId)}/jwks.json`);
  }

  /** Sign `body` as action `act`, send it, verify the answer. Throws UntrustedResponseError if it does not verify. */
  async call<T = Record<string, unknown>>(act: string, body: unknown, opts: RequestOptions = {}): Promise<ExchangeAnswer<T>> {
    if (!this.identity) throw new Error('this client has no signing identity');
    const d = await this.discover();
    const route = d.routes.get(act);
    if (!route) throw new Error(`the exchange offers no action ${act}`);
    const { jws, jti } = await signRequest(this.identity, d.exchangeId, act, body, opts);
    return this.send<T>(route, jws, jti);
  }

  /** POST raw bytes to a route and verify the answer (for tests and raw-HTTP integrators). */
  async send<T = Record<string, unknown>>(route: string, body: string | Uint8Array, jti?: string, contentType = 'application/jose'): Promise<ExchangeAnswer<T>> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const res = await fetch(new URL(route, this.baseUrl), { method: 'POST', headers: { 'content-type': contentType }, body: bytes });
    const text = await res.text();
    return this.verifyAnswer<T>(res.status, res.headers.get('content-type'), text, bytes, jti);
  }

  async verifyAnswer<T>(httpStatus: number, contentType: string | null, text: string, sent: Uint8Array, jti?: string): Promise<ExchangeAnswer<T>> {
    if (!contentType?.startsWith('application/jose')) throw new UntrustedResponseError(`unsigned answer (HTTP ${httpStatus}, ${contentType ?? 'no content type'})`);
    let d = await this.discover();
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(text).kid;
    } catch {
      throw new UntrustedResponseError('answer is not a JWS');
    }
    if (kid && !d.responseKeyIds.includes(kid)) d = await this.discover(true); // the exchange may have rotated
    if (!kid || !d.responseKeyIds.includes(kid)) throw new UntrustedResponseError(`answer signed with kid '${kid}', not a response key of the exchange`);
    let payload: Record<string, unknown>;
    try {
      const { payload: p, protectedHeader } = await compactVerify(text, createLocalJWKSet(d.jwks), { algorithms: ['ES256'] });
      if (protectedHeader.typ !== 'corridor-response+jws') throw new Error('typ');
      payload = JSON.parse(new TextDecoder().decode(p)) as Record<string, unknown>;
    } catch {
      throw new UntrustedResponseError('answer signature does not verify against the exchange JWKS');
    }
    const rqd = createHash('sha256').update(sent).digest('base64url');
    if (payload.iss !== d.exchangeId) throw new UntrustedResponseError('answer iss is not the exchange');
    if (payload.rqd !== rqd) throw new UntrustedResponseError('answer is for another request (rqd)');
    if (jti && payload.irt !== undefined && payload.irt !== jti) throw new UntrustedResponseError('answer is for another request (irt)');
    if (payload.aud !== undefined && this.identity && payload.aud !== this.identity.agencyId) throw new UntrustedResponseError('answer is addressed to another agency');
    if (payload.status !== httpStatus) throw new UntrustedResponseError('answer status differs from the HTTP status');
    const answer: ExchangeAnswer<T> = { status: httpStatus, jws: text };
    if (payload.result !== undefined) answer.result = payload.result as T;
    if (payload.problem !== undefined) answer.problem = payload.problem as Problem;
    if (typeof payload.auditId === 'string') answer.auditId = payload.auditId;
    return answer;
  }
}
