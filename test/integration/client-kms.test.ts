// An agency whose private key lives in KMS (moto): Sign with ECDSA_SHA_256 returns DER, the
// client turns it into r ‖ s, and the exchange on moto accepts the request it signed.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIssuerDocument } from '../../lambdas/client/document-check.ts';
import { kmsPublicJwk, kmsSigner } from '../../lambdas/client/kms-signer.ts';
import { signDocument, signRequestWith, type RequestSigner } from '../../lambdas/client/signing.ts';
import { EXCHANGE_ID } from '../helpers/memory-exchange.ts';
import { licenseDoc } from '../helpers/licenses.ts';
import { MotoExchange, REGION } from '../helpers/moto-exchange.ts';

let x: MotoExchange;
let kms: KMSClient;
let keyId: string;
let signer: RequestSigner;

beforeAll(async () => {
  x = await MotoExchange.start();
  kms = new KMSClient({ region: REGION, endpoint: x.emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const created = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'DE-BAFA request signing' }));
  keyId = created.KeyMetadata!.KeyId!;
  signer = kmsSigner({ kms, keyId, kid: 'de-bafa-kms-1' });
});

afterAll(async () => {
  kms?.destroy();
  await x?.stop();
});

describe('signing with a KMS key (moto)', () => {
  it('every signature is a 64-byte r ‖ s that verifies under the key’s public JWK (DER lengths vary; r or s may have leading zeros)', async () => {
    const jwk = await kmsPublicJwk({ kms, keyId, kid: 'de-bafa-kms-1' });
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: 'de-bafa-kms-1' });
    expect(jwk).not.toHaveProperty('d');
    const pub = await importJWK(jwk, 'ES256');
    for (let i = 0; i < 24; i++) {
      const { jws } = await signRequestWith(signer, 'DE-BAFA', EXCHANGE_ID, 'agreement.put', { n: i });
      expect(Buffer.from(jws.split('.')[2]!, 'base64url')).toHaveLength(64);
      const { protectedHeader } = await compactVerify(jws, pub, { algorithms: ['ES256'] });
      expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'de-bafa-kms-1', typ: 'corridor-request+jws' });
    }
  });

  it('refuses to derive a JWK from a key that cannot sign ES256', async () => {
    const rsa = await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
    await expect(kmsPublicJwk({ kms, keyId: rsa.KeyMetadata!.KeyId!, kid: 'x' })).rejects.toThrow(/ES256 needs ECC_NIST_P256/);
  });

  it('the exchange registers the KMS public key and accepts requests and documents the KMS key signed', async () => {
    const jwk = await kmsPublicJwk({ kms, keyId, kid: 'de-bafa-kms-1' });
    const reg = await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', name: 'BAFA', roles: ['licensing'], keys: [{ kid: 'de-bafa-kms-1', jwk }] });
    expect(reg.status).toBe(201);
    const { jws } = await signRequestWith(signer, 'DE-BAFA', EXCHANGE_ID, 'agreement.put', { partner: 'XX-OPERATOR', documentType: 'license', permissions: ['verify'] }, { iat: x.nowSeconds() });
    const put = await x.send('agreement.put', jws);
    expect([put.status, put.claims.aud]).toEqual([201, 'DE-BAFA']);
    const document = await signDocument(signer, 'corridor-license+jws', licenseDoc({ issuedAt: new Date().toISOString() }));
    const { jws: publishJws } = await signRequestWith(signer, 'DE-BAFA', EXCHANGE_ID, 'license.publish', { document }, { iat: x.nowSeconds() });
    expect((await x.send('license.publish', publishJws)).status).toBe(201);
    const offline = await checkIssuerDocument(document, 'corridor-license+jws', 'DE-BAFA', { keys: [{ ...jwk, status: 'active' }] });
    expect(offline).toMatchObject({ ok: true });
  });
});
