// DER (as KMS returns ECDSA signatures) → JWS r‖s, with vectors: sign-padded, short and plain integers.
import { readFileSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derToJose } from '../../lambdas/adapters/aws/der-to-jose.ts';

interface DerVector { case: string; message: string; der: string; jose: string }
const v = JSON.parse(readFileSync(new URL('./data/der-signatures.json', import.meta.url), 'utf8')) as { publicJwk: import('node:crypto').JsonWebKey; vectors: DerVector[] };
const key = createPublicKey({ key: v.publicJwk, format: 'jwk' });

describe('derToJose', () => {
  it.each(v.vectors)('$case integer: converts and the result verifies as r‖s', (vec) => {
    const jose = derToJose(Buffer.from(vec.der, 'base64url'));
    expect(Buffer.from(jose).toString('base64url')).toBe(vec.jose);
    expect(verify('sha256', Buffer.from(vec.message, 'base64url'), { key, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
  });

  it('refuses malformed DER', () => {
    const good = Buffer.from(v.vectors[0]!.der, 'base64url');
    expect(() => derToJose(good.subarray(0, good.length - 1))).toThrow();
    expect(() => derToJose(Buffer.concat([good, Buffer.from([0])]))).toThrow();
    expect(() => derToJose(Buffer.from([0x31, ...good.subarray(1)]))).toThrow();
  });
});
