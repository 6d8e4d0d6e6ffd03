// Request signers: a private JWK (ES256, EdDSA) signs exactly {alg, kid, typ} envelopes that
// jose verifies; keys that cannot sign as they claim are refused before anything is sent.
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwkSigner, signDocument, signRequest, type RequestSigner } from '../../lambdas/client/signing.ts';
import { makeKey } from '../helpers/keys.ts';

describe('request signing', () => {
  it.each(['ES256', 'EdDSA'] as const)('%s: the envelope verifies and carries exactly the protocol claims', async (alg) => {
    const k = await makeKey('k-1', alg);
    const { jws, jti } = await signRequest({ agencyId: 'DE-BAFA', privateJwk: k.privateJwk }, 'corridor:test', 'license.status', { a: 1 }, { iat: 1_800_000_000, lifetime: 60 });
    const { payload, protectedHeader } = await compactVerify(jws, await importJWK(k.publicJwk, alg), { algorithms: [alg] });
    expect(protectedHeader).toEqual({ alg, kid: 'k-1', typ: 'corridor-request+jws' });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ iss: 'DE-BAFA', aud: 'corridor:test', iat: 1_800_000_000, exp: 1_800_000_060, jti, act: 'license.status', body: { a: 1 } });
    expect(jti).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
  });

  it('refuses a public JWK, a key whose alg does not fit it, and a JWK without kid', async () => {
    const ec = await makeKey('k-1', 'ES256');
    const ed = await makeKey('k-2', 'EdDSA');
    expect(() => jwkSigner({ ...ec.publicJwk, kid: 'k-1' })).toThrow(/no private part/);
    expect(() => jwkSigner({ ...ec.privateJwk, alg: 'EdDSA' })).toThrow(/does not fit alg EdDSA/);
    expect(() => jwkSigner({ ...ed.privateJwk, alg: 'ES256' })).toThrow(/does not fit alg ES256/);
    expect(() => jwkSigner({ ...ec.privateJwk, alg: 'RS256' })).toThrow(/kid and alg ES256 or EdDSA/);
    expect(() => jwkSigner({ ...ec.privateJwk, kid: undefined })).toThrow(/kid and alg/);
  });

  it('documents can be signed by any RequestSigner (as a KMS key does)', async () => {
    const k = await makeKey('k-1', 'ES256');
    const inner = jwkSigner(k.privateJwk);
    const calls: number[] = [];
    const counting: RequestSigner = { kid: 'k-1', alg: 'ES256', sign: (input) => (calls.push(input.length), inner.sign(input)) };
    const doc = await signDocument(counting, 'corridor-license+jws', { licenseId: 'L-1' });
    expect(calls).toHaveLength(1);
    expect((await compactVerify(doc, await importJWK(k.publicJwk, 'ES256'))).protectedHeader.typ).toBe('corridor-license+jws');
  });
});
