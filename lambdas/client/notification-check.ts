/**
 * Checking a notification the exchange POSTed (protocol.md §10, "Delivery"), as a partner's receiver must: the
 * protected header exactly {alg ES256, kid, typ corridor-notification+jws}, the kid among the exchange's
 * responseKeyIds, the signature under that key of the exchange JWKS, `iss` the exchange, `aud` the receiver, and
 * every claim present. `corridor notifications listen` is built on it.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';

export const NOTIFICATION_TYP = 'corridor-notification+jws';

export interface NotificationClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  evt: string;
  sub: Record<string, string>;
  data: Record<string, unknown>;
}

/** What the receiver knows of the exchange: from its configuration and JWKS (CorridorClient.discover()). */
export interface NotificationTrust {
  exchangeId: string;
  responseKeyIds: readonly string[];
  jwks: JSONWebKeySet;
}

/** A notification that must not be trusted; `reason` says which check failed. */
export class NotificationRejected extends Error {
  override name = 'NotificationRejected';
}

const CLAIMS = ['aud', 'data', 'evt', 'iat', 'iss', 'jti', 'sub'];

/** The verified claims of `jws`, or NotificationRejected. `unknownKid` is reported so the caller can refresh its trust once. */
export async function verifyNotification(jws: string, trust: NotificationTrust, receiver: string): Promise<NotificationClaims> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    throw new NotificationRejected('not a compact JWS');
  }
  if (Object.keys(header).sort().join(',') !== 'alg,kid,typ' || header.alg !== 'ES256' || header.typ !== NOTIFICATION_TYP) {
    throw new NotificationRejected('protected header is not exactly {alg: ES256, kid, typ: corridor-notification+jws}');
  }
  if (typeof header.kid !== 'string' || !trust.responseKeyIds.includes(header.kid)) throw new NotificationRejected('unknown kid: not among the exchange\'s responseKeyIds');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, createLocalJWKSet(trust.jwks), { algorithms: ['ES256'] }));
  } catch {
    throw new NotificationRejected('signature does not verify under the exchange\'s response key');
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    throw new NotificationRejected('payload is not JSON');
  }
  if (Object.keys(claims).sort().join(',') !== CLAIMS.join(',')) throw new NotificationRejected(`claims are not exactly ${CLAIMS.join(', ')}`);
  if (claims.iss !== trust.exchangeId) throw new NotificationRejected('iss is not this exchange');
  if (claims.aud !== receiver) throw new NotificationRejected(`aud is not ${receiver}`);
  if (typeof claims.jti !== 'string' || typeof claims.evt !== 'string' || !Number.isInteger(claims.iat)) throw new NotificationRejected('jti, evt or iat malformed');
  return claims as unknown as NotificationClaims;
}
