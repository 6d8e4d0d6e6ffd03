/**
 * Verifies a signed request exactly as protocol.md §2 says, in this order: media type (415),
 * size (413), compact JWS shape and strict JSON (400), header allow-list, issuer and key
 * from the registry (never from the message), signature under the key's own alg, then
 * claims (401). What was learned along the way goes into `trace` for the audit event.
 */
import { compactVerify } from 'jose';
import type { Agency, AgencyKey } from './agencies.ts';
import type { AgencyDirectory } from './agency-directory.ts';
import { refuse } from './errors.ts';
import type { Clock } from './ports.ts';
import type { ActionName } from './routes.ts';
import { decodeUtf8, isPlainObject, parseStrictJson, StrictJsonError } from './strict-json.ts';

export const MAX_BODY_BYTES = 256 * 1024;
export const CLOCK_SKEW_SECONDS = 60;
export const MAX_LIFETIME_SECONDS = 300;
export const ALGORITHMS = ['ES256', 'EdDSA'] as const;

const AGENCY_ID = /^[A-Z]{2}-[A-Z0-9]{2,16}$/;
const JTI = /^[A-Za-z0-9_-]{16,64}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const HEADER_MEMBERS = ['alg', 'kid', 'typ'];
const FRESH_ACTIONS: ReadonlySet<ActionName> = new Set(['agency.register', 'agency.keys', 'agreement.put']);
const CLAIMS = ['iss', 'aud', 'iat', 'exp', 'jti', 'act', 'body'];

/** What is known about a request so far; every field is filled only once it is safe to. */
export interface Trace {
  claimedIssuer?: string;
  jti?: string;
  /** Set once the signature verified. */
  actor?: string;
  /** Set once every claim held: the jti is then worth checking for replay. */
  claimsVerified?: boolean;
}

export interface VerifiedRequest {
  iss: string;
  jti: string;
  act: ActionName;
  iat: number;
  exp: number;
  body: unknown;
  agency: Agency;
  key: AgencyKey;
}

export interface RawRequest {
  contentType: string | undefined;
  body: Uint8Array;
}

/** Media type of a Content-Type header, lower-cased, parameters dropped. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Decode one base64url JWS segment as a strict JSON object, or refuse with 400. */
export function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  try {
    const value = parseStrictJson(decodeUtf8(Buffer.from(segment, 'base64url')));
    if (!isPlainObject(value)) refuse('ERR_MALFORMED_REQUEST', `${what} is not a JSON object`);
    return value;
  } catch (e) {
    if (e instanceof StrictJsonError) {
      if (e.reason === 'duplicate') refuse('ERR_DUPLICATE_MEMBER', `${what}: ${e.message}`);
      refuse('ERR_MALFORMED_REQUEST', `${what} is ${e.message}`);
    }
    throw e;
  }
}

/** Split a compact JWS into its three segments, refusing anything else. */
export function splitCompact(jws: string): [string, string, string] | null {
  const parts = jws.split('.');
  // An empty signature is still compact serialization (alg none): the header rules refuse it as 401.
  if (parts.length !== 3 || !B64URL.test(parts[0]!) || !B64URL.test(parts[1]!) || !/^[A-Za-z0-9_-]*$/.test(parts[2]!)) return null;
  return parts as [string, string, string];
}

function exactMembers(obj: Record<string, unknown>, allowed: readonly string[]): string | null {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) return `unexpected member '${k.slice(0, 40)}'`;
  for (const k of allowed) if (!(k in obj)) return `missing member '${k}'`;
  return null;
}

export async function verifyRequest(raw: RawRequest, route: ActionName, directory: AgencyDirectory, clock: Clock, exchangeId: string, trace: Trace): Promise<VerifiedRequest> {
  if (mediaType(raw.contentType) !== 'application/jose') refuse('ERR_UNSUPPORTED_MEDIA_TYPE', 'send the compact JWS with Content-Type: application/jose');
  if (raw.body.byteLength > MAX_BODY_BYTES) refuse('ERR_BODY_TOO_LARGE', `body is ${raw.body.byteLength} bytes; the limit is ${MAX_BODY_BYTES}`);

  let text: string;
  try {
    text = decodeUtf8(raw.body).trim();
  } catch {
    refuse('ERR_MALFORMED_REQUEST', 'body is not UTF-8 text');
  }
  const parts = splitCompact(text);
  if (!parts) refuse('ERR_MALFORMED_REQUEST', 'body is not a compact JWS (three base64url segments)');
  const header = decodeJsonSegment(parts[0], 'protected header');
  const payload = decodeJsonSegment(parts[1], 'payload');

  if (typeof payload.iss === 'string' && AGENCY_ID.test(payload.iss)) trace.claimedIssuer = payload.iss;
  if (typeof payload.jti === 'string' && JTI.test(payload.jti)) trace.jti = payload.jti;

  const headerProblem = exactMembers(header, HEADER_MEMBERS);
  if (headerProblem) refuse('ERR_HEADER_INVALID', `protected header: ${headerProblem}; only alg, kid and typ are allowed`);
  if (header.typ !== 'corridor-request+jws') refuse('ERR_HEADER_INVALID', 'typ must be corridor-request+jws');
  if (typeof header.alg !== 'string' || !(ALGORITHMS as readonly string[]).includes(header.alg)) refuse('ERR_HEADER_INVALID', 'alg must be ES256 or EdDSA');
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 64) refuse('ERR_HEADER_INVALID', 'kid must be a key id');

  if (!trace.claimedIssuer) refuse('ERR_CLAIMS_INVALID', 'iss must be an agency id');
  // Key, agency and agreement changes authenticate against a fresh read: a cached record must never let a
  // revoked key add a new one (and so keep the agency for good). Otherwise a cached record serves only if it
  // would let this request through; a refusal is always decided on a fresh read (a key just added works at once).
  const kid = header.kid;
  const agency = await directory.get(trace.claimedIssuer, FRESH_ACTIONS.has(route), (a) => a.status === 'active' && a.keys.some((k) => k.kid === kid && k.status === 'active'));
  if (!agency) refuse('ERR_UNKNOWN_ISSUER', `iss '${trace.claimedIssuer}' is not a registered agency`);
  const key = agency.keys.find((k) => k.kid === header.kid);
  if (!key || key.status !== 'active') refuse('ERR_KEY_NOT_USABLE', `kid '${header.kid}' is not an active key of ${agency.agencyId}`);
  if (key.alg !== header.alg) refuse('ERR_HEADER_INVALID', `alg ${header.alg} is not the alg of key '${key.kid}'`);

  try {
    await compactVerify(text, await directory.verificationKey(key), { algorithms: [key.alg] });
  } catch {
    refuse('ERR_SIGNATURE_INVALID', `signature does not verify with key '${key.kid}'`);
  }
  trace.actor = agency.agencyId;

  const claimProblem = exactMembers(payload, CLAIMS);
  if (claimProblem) refuse('ERR_CLAIMS_INVALID', `claims: ${claimProblem}`);
  if (payload.aud !== exchangeId) refuse('ERR_CLAIMS_INVALID', `aud must be the string '${exchangeId}'`);
  const { iat, exp } = payload;
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) refuse('ERR_CLAIMS_INVALID', 'iat and exp must be integer seconds');
  const now = Math.floor(clock.now() / 1000);
  const iatN = iat as number;
  const expN = exp as number;
  if (iatN > now + CLOCK_SKEW_SECONDS) refuse('ERR_CLAIMS_INVALID', 'iat is in the future');
  if (!(iatN < expN && expN <= iatN + MAX_LIFETIME_SECONDS)) refuse('ERR_CLAIMS_INVALID', `exp must be after iat and at most ${MAX_LIFETIME_SECONDS}s after it`);
  if (now > expN + CLOCK_SKEW_SECONDS) refuse('ERR_CLAIMS_INVALID', 'request expired');
  if (!trace.jti) refuse('ERR_CLAIMS_INVALID', 'jti must be 16-64 characters of [A-Za-z0-9_-]');
  if (payload.act !== route) refuse('ERR_ACTION_MISMATCH', `act must be '${route}' on this route`);
  trace.claimsVerified = true;

  return { iss: agency.agencyId, jti: trace.jti, act: route, iat: iatN, exp: expN, body: payload.body, agency, key };
}
