/**
 * The signature half of accepting an answer (protocol.md §3): a compact JWS with typ
 * corridor-response+jws, signed ES256 under a kid the exchange lists in `responseKeyIds`
 * (seal keys are in the same JWKS and must not sign answers), with a JSON object payload.
 * The claims are checked by the client, which knows what it sent.
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

interface Keys { responseKeyIds: string[]; jwks: JSONWebKeySet }

export async function verifyResponseJws(jws: string, keys: () => Promise<Keys>, refreshed: () => Promise<Keys>): Promise<Record<string, unknown>> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    throw new UntrustedResponseError('answer is not a JWS');
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  if (header.typ !== 'corridor-response+jws') throw new UntrustedResponseError(`answer typ is '${String(header.typ)}', not corridor-response+jws`);
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
