/**
 * Offline check of an issuer-signed document (license, end-use certificate, psv report) against the
 * issuer's published JWKS (`GET /v1/agencies/{id}/jwks.json`), without trusting the
 * exchange: typ, kid in the issuer's keys, the key's status at the document's issuedAt
 * (protocol.md §1), the signature under that key's own alg, and issuer = the expected agency.
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';

export interface PublishedKey extends JWK { status?: string; retiredAt?: string; revokedAt?: string }
export interface DocumentCheck { ok: boolean; detail: string; payload?: Record<string, unknown> }

/**
 * A post-shipment verification report (psv.query returns it as signed) checked offline against the reporting agency's
 * published JWKS, as a license is against its issuer's: `reporter` is the agency asked to check.
 */
export function checkPsvReport(jws: string, reporter: string, jwks: { keys: PublishedKey[] }): Promise<DocumentCheck> {
  return checkIssuerDocument(jws, 'corridor-psv-report+jws', reporter, jwks);
}

/**
 * A denial notification (screening.check returns it with read permission) checked offline against the denying
 * authority's published JWKS, as a license is against its issuer's.
 */
export function checkDenial(jws: string, issuer: string, jwks: { keys: PublishedKey[] }): Promise<DocumentCheck> {
  return checkIssuerDocument(jws, 'corridor-denial+jws', issuer, jwks);
}

export async function checkIssuerDocument(jws: string, typ: string, issuer: string, jwks: { keys: PublishedKey[] }): Promise<DocumentCheck> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    return { ok: false, detail: 'not a JWS' };
  }
  if (Object.keys(header).sort().join(',') !== 'alg,kid,typ' || header.typ !== typ) return { ok: false, detail: `header must be exactly alg, kid and typ ${typ}` };
  const key = jwks.keys.find((k) => k.kid === header.kid);
  if (!key) return { ok: false, detail: `kid '${String(header.kid)}' is not a published key of ${issuer}` };
  if (key.alg !== header.alg || (key.alg !== 'ES256' && key.alg !== 'EdDSA')) return { ok: false, detail: 'alg does not match the published key' };
  let payload: Record<string, unknown>;
  try {
    const { kty, crv, x, y } = key;
    const verified = await compactVerify(jws, await importJWK({ kty, crv, x, ...(y ? { y } : {}) }, key.alg), { algorithms: [key.alg] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    return { ok: false, detail: 'signature does not verify with the published key' };
  }
  if (payload.issuer !== issuer) return { ok: false, detail: `document issuer is ${String(payload.issuer)}, not ${issuer}` };
  if (key.status === 'revoked') return { ok: false, detail: `key ${key.kid} was revoked`, payload };
  if (key.status === 'retired' && !(key.retiredAt && Date.parse(String(payload.issuedAt)) < Date.parse(key.retiredAt))) return { ok: false, detail: `document issued after key ${key.kid} was retired`, payload };
  return { ok: true, detail: `signed by ${issuer} with key ${key.kid} (${key.status ?? 'status unknown'})`, payload };
}
