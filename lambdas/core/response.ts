/** Signed responses of protocol.md §3: every answer, success or refusal, is a compact JWS. */
import { CompactSign } from 'jose';
import type { Problem } from './errors.ts';
import type { SigningKey } from './response-keys.ts';

export interface ResponseClaims {
  iss: string;
  aud?: string;
  iat: number;
  jti: string;
  irt?: string;
  rqd: string;
  status: number;
  result?: unknown;
  problem?: Problem;
  auditId?: string;
}

const encoder = new TextEncoder();

export async function signResponse(key: SigningKey, claims: ResponseClaims): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'corridor-response+jws' })
    .sign(key.key);
}
