/**
 * Checks a document an agency signed itself (a license or end-use certificate JWS): the
 * header is exactly {alg, kid, typ} with the expected typ, so a request or response JWS
 * cannot pose as a document; the kid is an active key of the issuer in the registry;
 * the signature verifies under that key's alg. Problems are 400 with a pointer.
 */
import { compactVerify } from 'jose';
import type { Agency } from './agencies.ts';
import type { AgencyDirectory } from './agency-directory.ts';
import { CorridorError, refuse } from './errors.ts';
import { decodeJsonSegment, splitCompact } from './request-envelope.ts';

export interface IssuerDocument {
  payload: Record<string, unknown>;
  kid: string;
}

export async function verifyIssuerDocument(jws: string, typ: string, issuer: Agency, directory: AgencyDirectory, pointer: string): Promise<IssuerDocument> {
  const bad = (detail: string): never => refuse('ERR_DOCUMENT_INVALID', `document: ${detail}`, [{ pointer, detail }]);
  const parts = splitCompact(jws);
  if (!parts) return bad('not a compact JWS');
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = decodeJsonSegment(parts[0], 'protected header');
    payload = decodeJsonSegment(parts[1], 'payload');
  } catch (e) {
    if (e instanceof CorridorError) return bad(e.message);
    throw e;
  }
  const members = Object.keys(header).sort().join(',');
  if (members !== 'alg,kid,typ') return bad('protected header must have exactly alg, kid and typ');
  if (header.typ !== typ) return bad(`typ must be ${typ}`);
  const key = issuer.keys.find((k) => k.kid === header.kid);
  if (!key || key.status !== 'active') return bad(`kid is not an active key of ${issuer.agencyId}`);
  if (header.alg !== key.alg) return bad(`alg is not the alg of key '${key.kid}'`);
  try {
    await compactVerify(jws, await directory.verificationKey(key), { algorithms: [key.alg] });
  } catch {
    return bad(`signature does not verify with key '${key.kid}'`);
  }
  return { payload, kid: key.kid };
}

/** The payload of a JWS whose integrity is already established (stored under GCM). */
export function trustedPayload(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
