/**
 * Accepting an answer, exactly as protocol.md §3 "Accepting an answer" numbers it: the signature
 * half (steps 1–3: a compact JWS with header exactly {alg: ES256, kid, typ: corridor-response+jws},
 * signed under a kid the exchange lists in `responseKeyIds` — seal keys are in the same JWKS and
 * must not sign answers) and the claims half (steps 4–9: the answer is the exchange's, for the
 * bytes we sent, with the HTTP status; `aud` and `irt` must match when present, a success must
 * carry both, and only a refusal from before authentication may lack them).
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';

/** The answer cannot be trusted: unsigned, not by the exchange, or not for this request. */
export class UntrustedResponseError extends Error {
  override name = 'UntrustedResponseError';
}

/** The exchange could not be reached, or answered only "not now" (429/503) within the retry policy. */
export class ExchangeUnavailableError extends Error {
  override name = 'ExchangeUnavailableError';
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The protocol version this acceptance rule implements. An exchange whose configuration names
 * another may differ in ways this client cannot see (protocol.md, Changelog), so it is not used.
 */
export const PROTOCOL_VERSION = 'corridor/1';

interface Keys { responseKeyIds: string[]; jwks: JSONWebKeySet }

const HEADER_MEMBERS = ['alg', 'kid', 'typ'];

export async function verifyResponseJws(jws: string, keys: () => Promise<Keys>, refreshed: () => Promise<Keys>): Promise<Record<string, unknown>> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    throw new UntrustedResponseError('answer is not a JWS');
  }
  const members = Object.keys(header).sort().join(',');
  if (members !== HEADER_MEMBERS.join(',')) throw new UntrustedResponseError(`answer header has members ${members}, not exactly alg, kid and typ`);
  if (header.typ !== 'corridor-response+jws') throw new UntrustedResponseError(`answer typ is '${String(header.typ)}', not corridor-response+jws`);
  if (header.alg !== 'ES256') throw new UntrustedResponseError(`answer alg is '${String(header.alg)}', not ES256`);
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  let k = await keys();
  // An unknown kid may be a key rotated in since we read the configuration: read it once more.
  if (kid && !k.responseKeyIds.includes(kid)) k = await refreshed();
  if (!kid || !k.responseKeyIds.includes(kid)) throw new UntrustedResponseError(`answer signed with kid '${kid}', not a response key of the exchange`);
  let payload: unknown;
  try {
    const verified = await compactVerify(jws, createLocalJWKSet(k.jwks), { algorithms: ['ES256'] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    throw new UntrustedResponseError('answer signature does not verify against the exchange JWKS');
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new UntrustedResponseError('answer payload is not a JSON object');
  return payload as Record<string, unknown>;
}

/** What the answer must match: the exchange, the bytes we sent and their jti, who we are, and the HTTP status. */
export interface ExpectedAnswer {
  exchangeId: string;
  /** base64url(SHA-256(the exact bytes sent)). */
  rqd: string;
  httpStatus: number;
  /** The jti we sent, when we know it (raw bytes sent through `send` may not say). */
  jti?: string;
  /** Our agency id, when this client has an identity. */
  agencyId?: string;
}

const SUCCESS: ReadonlySet<number> = new Set([200, 201]);
const REFUSAL: ReadonlySet<number> = new Set([400, 401, 403, 404, 409, 413, 415, 429, 503]);
/**
 * The statuses an answer may have without `aud` or `irt`: refusals decided before the signature
 * verified (400 parse failures, 401, 413, 415) and 503s (a dependency, or the refusal's audit write,
 * failed before authentication). 429, 403, 404, 409 and every success come after it and carry both.
 */
export const UNAUTHENTICATED_STATUSES: ReadonlySet<number> = new Set([400, 401, 413, 415, 503]);

/** Steps 4–9 of protocol.md §3 on the verified payload; throws UntrustedResponseError naming the first that fails. */
export function checkAnswerClaims(c: Record<string, unknown>, x: ExpectedAnswer): void {
  if (c.iss !== x.exchangeId) throw new UntrustedResponseError('answer iss is not the exchange');
  if (c.rqd !== x.rqd) throw new UntrustedResponseError('answer is for another request (rqd)');
  if (c.status !== x.httpStatus) throw new UntrustedResponseError('answer status differs from the HTTP status');
  if (c.aud !== undefined && x.agencyId !== undefined && c.aud !== x.agencyId) throw new UntrustedResponseError('answer is addressed to another agency (aud)');
  if (c.irt !== undefined && x.jti !== undefined && c.irt !== x.jti) throw new UntrustedResponseError('answer is for another request (irt)');
  const ok = SUCCESS.has(x.httpStatus);
  if (!ok && !REFUSAL.has(x.httpStatus)) throw new UntrustedResponseError(`answer status ${x.httpStatus} is not one the exchange gives`);
  if (ok && c.aud === undefined) throw new UntrustedResponseError('a success must name the caller: answer is addressed to another agency (aud)');
  if (ok && c.irt === undefined) throw new UntrustedResponseError('a success must echo the jti: answer is for another request (irt)');
  if (!ok && (c.aud === undefined || c.irt === undefined) && !UNAUTHENTICATED_STATUSES.has(x.httpStatus)) {
    throw new UntrustedResponseError(`a ${x.httpStatus} comes after authentication and must carry aud and irt`);
  }
  if (ok ? c.result === undefined || c.problem !== undefined : c.problem === undefined || c.result !== undefined) {
    throw new UntrustedResponseError(ok ? 'a success without a result' : 'a refusal without a problem');
  }
  const problem = c.problem as { status?: unknown } | undefined;
  if (!ok && (typeof problem !== 'object' || problem === null || problem.status !== x.httpStatus)) throw new UntrustedResponseError('the problem status differs from the HTTP status');
}
