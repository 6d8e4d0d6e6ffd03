// Key lifecycle attacks (protocol.md §1 key registry; decisions "Keys"): rotation overlap, a retired and a
// revoked key, and registrations that must never be accepted (RSA of any size, symmetric keys, private
// halves, duplicate kids). The warm-process revocation bound is tested with the agency cache itself.
import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKey, type TestKey } from '../helpers/keys.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { expectNoPlaintextAtRest } from './at-rest.ts';

let x: TestExchange;
let bafa: TestAgency;
const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const as = (a: TestAgency, k: TestKey): TestAgency => ({ agencyId: a.agencyId, privateJwk: k.privateJwk, key: k });
const ping = (who: TestAgency) => x.call(who, 'agency.keys', {});

beforeAll(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
});

describe('rotation', () => {
  it('overlap: after adding a new key both keys sign; after retiring the old one only the new one does', async () => {
    const next = await makeKey('bafa-2');
    expect((await x.call(bafa, 'agency.keys', { add: [{ kid: next.kid, jwk: next.publicJwk }] })).status).toBe(200);
    // Both keys are accepted during the overlap: partners switch signers at their own pace.
    expect((await ping(bafa)).status).not.toBe(401);
    expect((await ping(as(bafa, next))).status).not.toBe(401);

    expect((await x.call(as(bafa, next), 'agency.keys', { retire: [bafa.key.kid] })).status).toBe(200);
    await refused(() => ping(bafa), 401, 'key-not-usable');
    expect((await ping(as(bafa, next))).status).not.toBe(401);
    bafa = as(bafa, next);
  });

  it('a revoked key is refused at once and cannot be brought back by its holder', async () => {
    const spare = await makeKey('bafa-3');
    await x.call(bafa, 'agency.keys', { add: [{ kid: spare.kid, jwk: spare.publicJwk }] });
    expect((await x.call(bafa, 'agency.keys', { revoke: [spare.kid] })).status).toBe(200);
    await refused(() => ping(as(bafa, spare)), 401, 'key-not-usable');
    // Re-adding the same kid or the same public key under a new kid is refused: revocation is final.
    await refused(() => x.call(bafa, 'agency.keys', { add: [{ kid: spare.kid, jwk: spare.publicJwk }] }), 409, 'kid-reused');
    await refused(() => x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-3b', jwk: spare.publicJwk }] }), 409, 'kid-reused');
  });
});

describe('registrations that are never accepted (400 body-invalid, nothing stored)', () => {
  // node:crypto, because jose itself refuses to generate RSA keys under 2048 bits.
  async function rsaPublic(bits: number): Promise<JWK> {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    return { ...(publicKey.export({ format: 'jwk' }) as JWK), alg: 'RS256', use: 'sig' };
  }

  it.each([
    ['RSA-1024', () => rsaPublic(1024)],
    ['RSA-2048 (RSA is not on the allow-list at any size)', () => rsaPublic(2048)],
    ['a symmetric (oct) key', async (): Promise<JWK> => ({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', alg: 'HS256' })],
    ['a P-256 private key (d present)', async (): Promise<JWK> => (await makeKey('p')).privateJwk],
    ['use: enc', async (): Promise<JWK> => ({ ...(await makeKey('e')).publicJwk, use: 'enc' })],
    ['an Ed25519 key labelled ES256', async (): Promise<JWK> => ({ ...(await makeKey('ed', 'EdDSA')).publicJwk, alg: 'ES256' })],
  ])('agency.register with %s', async (_n, jwk) => {
    const key = await jwk();
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'CZ-LIC', name: 'n', roles: ['licensing'], keys: [{ kid: 'cz-1', jwk: key }] }), 400, 'body-invalid');
    expect(await x.store.get('registry', 'AGENCY#CZ-LIC', 'PROFILE')).toBeNull();
  });

  it('a kid listed twice in one request (add, retire, revoke, or across add and retire) → 400 body-invalid', async () => {
    const k = await makeKey('bafa-dup');
    await refused(() => x.call(bafa, 'agency.keys', { add: [{ kid: k.kid, jwk: k.publicJwk }, { kid: k.kid, jwk: k.publicJwk }] }), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'agency.keys', { retire: [bafa.key.kid, bafa.key.kid] }), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'agency.keys', { revoke: [bafa.key.kid, bafa.key.kid] }), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'agency.keys', { add: [{ kid: k.kid, jwk: k.publicJwk }], retire: [k.kid] }), 400, 'body-invalid');
    const [one, two] = [await makeKey('cz-1'), await makeKey('cz-1')];
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'CZ-LIC', name: 'n', roles: ['licensing'], keys: [{ kid: 'cz-1', jwk: one.publicJwk }, { kid: 'cz-1', jwk: two.publicJwk }] }), 400, 'body-invalid');
  });

  it('agency.keys add with an RSA key, and with a kid already used by the agency', async () => {
    await refused(async () => x.call(bafa, 'agency.keys', { add: [{ kid: 'rsa-1', jwk: await rsaPublic(1024) }] }), 400, 'body-invalid');
    const other = await makeKey('x');
    await refused(() => x.call(bafa, 'agency.keys', { add: [{ kid: bafa.key.kid, jwk: other.publicJwk }] }), 409, 'kid-reused');
  });
});

// Whatever this file threw at the exchange, no trade data reached storage in the clear.
afterAll(() => expectNoPlaintextAtRest(x));
