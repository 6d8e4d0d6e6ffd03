/**
 * CorridorClient: signs requests (private JWK or KMS key), retries 429/503 with a fresh jti,
 * and accepts an answer only if it is a compact JWS by the exchange under a kid in
 * `responseKeyIds`, with typ corridor-response+jws, iss = the exchange, rqd = SHA-256 of
 * the bytes we sent, status = the HTTP status, and irt = our jti and aud = us when present
 * (required on success; only a refusal from before authentication may lack them):
 * protocol.md §3 "Accepting an answer", implemented in response-check.ts.
 */
import { createHash } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { checkAnswerClaims, ExchangeUnavailableError, PROTOCOL_VERSION, UntrustedResponseError, verifyResponseJws, type ExpectedAnswer } from './response-check.ts';
import { isRetryable, parseRetryAfter, resolvePolicy, retryDelay, type RetryPolicy } from './retry.ts';
import { signerOf, signRequestWith, type ClientIdentity, type RequestOptions, type RequestSigner } from './signing.ts';
import type { ActionName, Problem, RequestOf, ResultOf } from './types.generated.ts';

export { ExchangeUnavailableError, UntrustedResponseError } from './response-check.ts';

export interface ExchangeAnswer<T = Record<string, unknown>> {
  status: number;
  result?: T;
  problem?: Problem;
  auditId?: string;
  /** The response JWS as received, for the record. */
  jws: string;
  /** How many requests (each with its own jti) this answer took. */
  attempts?: number;
}

export interface Discovery { exchangeId: string; responseKeyIds: string[]; sealKeyIds: string[]; jwks: JSONWebKeySet; routes: Map<string, string> }

export interface RetryEvent { act: string; attempt: number; status: number; delayMs: number }

export interface ClientOptions {
  /** Retry policy for 429/503 (defaults in retry.ts: 4 attempts, 250 ms base, 8 s cap, 30 s deadline). */
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout; a timed-out request is not retried (its outcome is unknown). Default 30 s. */
  timeoutMs?: number;
  /** Called before each wait, e.g. to tell a user why nothing happens. */
  onRetry?: (e: RetryEvent) => void;
  /** Injection points for tests and other runtimes. */
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

interface RawAnswer { status: number; contentType: string | null; text: string; retryAfter: string | null }

export class CorridorClient {
  private discovery: Discovery | null = null;
  private readonly signer: RequestSigner | undefined;
  private readonly policy: RetryPolicy;
  private readonly fetch: typeof globalThis.fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    readonly baseUrl: string,
    private readonly identity?: ClientIdentity,
    private readonly options: ClientOptions = {},
  ) {
    this.signer = identity ? signerOf(identity) : undefined;
    this.policy = resolvePolicy(options.retry);
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
  }

  get agencyId(): string | undefined {
    return this.identity?.agencyId;
  }

  /** One HTTP exchange; network failures and timeouts become ExchangeUnavailableError. */
  private async request(path: string, init: RequestInit): Promise<RawAnswer> {
    try {
      // The timeout covers the body too: a stalled answer is as unknown as a lost one.
      const res = await this.fetch(new URL(path, this.baseUrl), { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
      return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text(), retryAfter: res.headers.get('retry-after') };
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ExchangeUnavailableError(`cannot reach the exchange at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, undefined, { cause: e });
    }
  }

  /** Run `attempt` (each run a complete new request) again while the answer is 429/503 and the policy allows. */
  private async withRetry<T extends RawAnswer>(act: string, attempt: () => Promise<T>): Promise<{ raw: T; attempts: number }> {
    const startedMs = this.now();
    for (let retry = 0; ; retry++) {
      const raw = await attempt();
      if (!isRetryable(raw.status)) return { raw, attempts: retry + 1 };
      const nowMs = this.now();
      const retryAfterMs = parseRetryAfter(raw.retryAfter, nowMs);
      const delayMs = retryDelay(this.policy, { retry, startedMs, nowMs, random: this.options.random ?? Math.random, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
      if (delayMs === null) return { raw, attempts: retry + 1 };
      this.options.onRetry?.({ act, attempt: retry + 1, status: raw.status, delayMs });
      await this.sleep(delayMs);
    }
  }

  private async getJson(path: string): Promise<Record<string, unknown>> {
    const { raw } = await this.withRetry(`GET ${path}`, () => this.request(path, { method: 'GET' }));
    if (raw.status === 404 && path.startsWith('/v1/agencies/')) throw new Error(`the exchange knows no agency at ${path}`);
    if (raw.status !== 200) throw new ExchangeUnavailableError(`GET ${path} answered ${raw.status}`, raw.status);
    try {
      return JSON.parse(raw.text) as Record<string, unknown>;
    } catch {
      throw new UntrustedResponseError(`GET ${path} did not answer JSON`);
    }
  }

  async discover(refresh = false): Promise<Discovery> {
    if (this.discovery && !refresh) return this.discovery;
    const cfg = await this.getJson('/.well-known/corridor-configuration');
    const jwks = (await this.getJson('/.well-known/jwks.json')) as unknown as JSONWebKeySet;
    const strings = (x: unknown): boolean => Array.isArray(x) && x.every((s) => typeof s === 'string');
    if (typeof cfg.exchangeId !== 'string' || !Array.isArray(cfg.actions) || !strings(cfg.responseKeyIds) || !Array.isArray(jwks.keys)) {
      throw new UntrustedResponseError(`${this.baseUrl} does not publish a Corridor configuration and JWKS`);
    }
    if (cfg.protocolVersion !== undefined && cfg.protocolVersion !== PROTOCOL_VERSION) {
      throw new UntrustedResponseError(`${this.baseUrl} speaks protocol ${String(cfg.protocolVersion)}; this client implements ${PROTOCOL_VERSION}`);
    }
    const routes = new Map((cfg.actions as { act: string; route: string }[]).map((a) => [a.act, a.route.replace(/^POST /, '')]));
    this.discovery = { exchangeId: String(cfg.exchangeId), responseKeyIds: cfg.responseKeyIds as string[], sealKeyIds: (cfg.sealKeyIds as string[] | undefined) ?? [], jwks, routes };
    return this.discovery;
  }

  /** GET an agency's published keys (for verifying documents offline). */
  agencyJwks(agencyId: string): Promise<Record<string, unknown>> {
    return this.getJson(`/v1/agencies/${encodeURIComponent(agencyId)}/jwks.json`);
  }

  /**
   * Sign `body` as action `act`, send it, verify the answer; body and result are typed from
   * schemas/. 429 and 503 are retried per the policy, each attempt a new request with a new
   * jti (`opts.jti` is used for the first only). Throws UntrustedResponseError if the answer
   * does not verify, ExchangeUnavailableError if the exchange cannot be reached or answers
   * only unsigned 429/503. Refusals are answers: `status` and `problem`, not exceptions.
   */
  call<A extends ActionName>(act: A, body: RequestOf<A>, opts: RequestOptions = {}): Promise<ExchangeAnswer<ResultOf<A>>> {
    return this.callUntyped<ResultOf<A>>(act, body, opts);
  }

  /** As `call`, for an action or body the generated types do not describe (tests, newer exchanges). */
  async callUntyped<T = Record<string, unknown>>(act: string, body: unknown, opts: RequestOptions = {}): Promise<ExchangeAnswer<T>> {
    const signer = this.signer;
    if (!signer || !this.identity) throw new Error('this client has no signing identity');
    const d = await this.discover();
    const route = d.routes.get(act);
    if (!route) throw new Error(`the exchange offers no action ${act}`);
    const agencyId = this.identity.agencyId;
    let first = true;
    const { raw, attempts } = await this.withRetry(act, async () => {
      const { jti: given, ...rest } = opts;
      const { jws, jti } = await signRequestWith(signer, agencyId, d.exchangeId, act, body, first && given ? { ...rest, jti: given } : rest);
      first = false;
      const bytes = Buffer.from(jws, 'utf8');
      return { ...(await this.request(route, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: bytes })), bytes, jti };
    });
    return { ...(await this.verifyAnswer<T>(raw.status, raw.contentType, raw.text, raw.bytes, raw.jti)), attempts };
  }

  /** POST raw bytes to a route once and verify the answer (for tests and raw-HTTP integrators). */
  async send<T = Record<string, unknown>>(route: string, body: string | Uint8Array, jti?: string, contentType = 'application/jose'): Promise<ExchangeAnswer<T>> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const raw = await this.request(route, { method: 'POST', headers: { 'content-type': contentType }, body: bytes });
    return this.verifyAnswer<T>(raw.status, raw.contentType, raw.text, bytes, jti);
  }

  async verifyAnswer<T>(httpStatus: number, contentType: string | null, text: string, sent: Uint8Array, jti?: string): Promise<ExchangeAnswer<T>> {
    if (!contentType?.startsWith('application/jose')) {
      // The protocol's unsigned answers (throttling before the handler, a 503 when the exchange
      // has no signing key) say only "not now"; nothing in them is trusted.
      if (isRetryable(httpStatus)) throw new ExchangeUnavailableError(`the exchange answered an unsigned ${httpStatus}`, httpStatus);
      throw new UntrustedResponseError(`unsigned answer (HTTP ${httpStatus}, ${contentType ?? 'no content type'})`);
    }
    const claims = await verifyResponseJws(text, () => this.discover(), () => this.discover(true));
    const d = await this.discover();
    const expect = { exchangeId: d.exchangeId, rqd: createHash('sha256').update(sent).digest('base64url'), httpStatus, ...(jti ? { jti } : {}), ...(this.identity ? { agencyId: this.identity.agencyId } : {}) };
    return checkClaims<T>(claims, expect, text);
  }
}

function checkClaims<T>(c: Record<string, unknown>, x: ExpectedAnswer, jws: string): ExchangeAnswer<T> {
  checkAnswerClaims(c, x);
  const answer: ExchangeAnswer<T> = { status: x.httpStatus, jws };
  if (c.result !== undefined) answer.result = c.result as T;
  if (c.problem !== undefined) answer.problem = c.problem as Problem;
  if (typeof c.auditId === 'string') answer.auditId = c.auditId;
  return answer;
}
