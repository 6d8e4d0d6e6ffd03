// Keys (protocol.md §1): who may change them, forward-only transitions, kids never reused, audited key changes.
import { beforeEach, describe, expect, it } from 'vitest';
import { calculateJwkThumbprint } from 'jose';
import { makeKey } from '../helpers/keys.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let bafa: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
});

const refused = (send: () => Promise<{ status: number; problem: { type: string; detail: string } }>, status: number, slug: string) => expectRefusal(x, send, status, slug);

describe('agency.register (operator)', () => {
  it('creates an agency with its first keys (201) and audits the key change', async () => {
    const key = await makeKey('fr-1', 'EdDSA');
    const a = await x.call(x.operator, 'agency.register', { agencyId: 'FR-DGDDI', name: 'Douane', roles: ['customs'], keys: [{ kid: 'fr-1', jwk: key.publicJwk }] });
    expect(a.status).toBe(201);
    expect(a.result).toEqual({ agencyId: 'FR-DGDDI', country: 'FR', name: 'Douane', roles: ['customs'], status: 'active', keys: [{ kid: 'fr-1', status: 'active' }] });
    expect(x.auditEvents().at(-1)).toMatchObject({ actor: 'XX-OPERATOR', owner: 'FR-DGDDI', action: 'agency.register', decision: 'allow', status: 201, details: { keyChanges: [{ kid: 'fr-1', from: null, to: 'active' }] } });
  });

  it('refuses to add a key to an existing agency (403)', async () => {
    const key = await makeKey('evil');
    const detail = await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', keys: [{ kid: 'evil', jwk: key.publicJwk }] }), 403, 'forbidden');
    expect(detail).toMatch(/cannot add keys/);
  });

  it('may revoke a key of an agency (compromise), audited with from/to', async () => {
    const second = await makeKey('bafa-2');
    expect((await x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-2', jwk: second.publicJwk }] })).status).toBe(200);
    const a = await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', revoke: ['de-bafa-1'] });
    expect(a.status).toBe(200);
    expect(a.result.keys).toEqual([{ kid: 'de-bafa-1', status: 'revoked', revokedAt: expect.any(String) }, { kid: 'bafa-2', status: 'active' }]);
    // the change names the key by its RFC 7638 thumbprint and its owner, so the sealed log says which key was revoked
    expect(x.auditEvents().at(-1)!.details).toEqual({ keyChanges: [{ kid: 'de-bafa-1', from: 'active', to: 'revoked', thumbprint: await calculateJwkThumbprint(bafa.key.publicJwk), owner: 'DE-BAFA' }] });
    // the revoked key no longer signs
    expect((await x.call(bafa, 'agency.keys', { retire: ['bafa-2'] })).status).toBe(401);
  });

  it('changes roles, name and status; refuses a non-operator', async () => {
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', roles: ['licensing', 'auditor'], name: 'BAFA' })).result).toMatchObject({ roles: ['licensing', 'auditor'], auditScope: 'own', name: 'BAFA' });
    await refused(() => x.call(bafa, 'agency.register', { agencyId: 'DE-BAFA', roles: ['operator'] }), 403, 'role-forbidden');
  });

  it('refuses bad registrations: private key, wrong curve, use enc, missing fields, same key twice', async () => {
    const key = await makeKey('k1');
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'SG-MTI', name: 'n', roles: ['euc-issuer'], keys: [{ kid: 'k1', jwk: key.privateJwk }] }), 400, 'body-invalid');
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'SG-MTI', name: 'n', roles: ['euc-issuer'], keys: [{ kid: 'k1', jwk: { ...key.publicJwk, use: 'enc' } }] }), 400, 'body-invalid');
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'SG-MTI', name: 'n', roles: ['euc-issuer'], keys: [{ kid: 'k1', jwk: { ...key.publicJwk, crv: 'P-384' } }] }), 400, 'body-invalid');
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'SG-MTI', name: 'n', roles: ['euc-issuer'], keys: [{ kid: 'k1', jwk: { ...key.publicJwk, x: key.publicJwk.y } }] }), 400, 'body-invalid');
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'SG-MTI', roles: ['euc-issuer'] }), 400, 'body-invalid');
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'SG-MTI', name: 'n', roles: ['euc-issuer'], keys: [{ kid: 'k1', jwk: key.publicJwk }, { kid: 'k2', jwk: key.publicJwk }] }), 400, 'body-invalid');
  });

  it('the operator cannot lock itself out', async () => {
    await refused(() => x.call(x.operator, 'agency.register', { agencyId: 'XX-OPERATOR', status: 'suspended' }), 409, 'conflict');
  });
});

describe('agency.keys (an agency, for itself)', () => {
  it('adds, retires and revokes its own keys; transitions only go forward', async () => {
    const k2 = await makeKey('bafa-2', 'EdDSA');
    const add = await x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-2', jwk: k2.publicJwk }] });
    expect(add.status).toBe(200);
    const retire = await x.call(bafa, 'agency.keys', { retire: ['de-bafa-1'] });
    expect(retire.result.keys).toEqual([{ kid: 'de-bafa-1', status: 'retired', retiredAt: expect.any(String) }, { kid: 'bafa-2', status: 'active' }]);
    const next = { ...bafa, privateJwk: k2.privateJwk };
    await refused(() => x.call(next, 'agency.keys', { retire: ['de-bafa-1'] }), 409, 'key-transition-forbidden');
    expect((await x.call(next, 'agency.keys', { revoke: ['de-bafa-1'] })).status).toBe(200);
    const k3 = await makeKey('bafa-3');
    await x.call(next, 'agency.keys', { add: [{ kid: 'bafa-3', jwk: k3.publicJwk }] });
    await refused(() => x.call(next, 'agency.keys', { retire: ['de-bafa-1'] }), 409, 'key-transition-forbidden');
    await refused(() => x.call(next, 'agency.keys', { retire: ['nope'] }), 404, 'not-found');
    expect(x.auditEvents().filter((e) => e.details?.keyChanges).map((e) => e.details!.keyChanges)).toContainEqual([{ kid: 'de-bafa-1', from: 'retired', to: 'revoked', thumbprint: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), owner: 'DE-BAFA' }]);
  });

  it('never reuses a kid for another JWK, nor registers one key under two kids (409)', async () => {
    const other = await makeKey('x');
    await refused(() => x.call(bafa, 'agency.keys', { add: [{ kid: 'de-bafa-1', jwk: other.publicJwk }] }), 409, 'kid-reused');
    await refused(() => x.call(bafa, 'agency.keys', { add: [{ kid: 'alias', jwk: bafa.key.publicJwk }] }), 409, 'kid-reused');
  });

  it('keeps at least one active key', async () => {
    await refused(() => x.call(bafa, 'agency.keys', { retire: ['de-bafa-1'] }), 409, 'conflict');
  });

  it('cannot touch another agency: it only ever changes its own keys', async () => {
    const fr = await x.agency('FR-DGDDI', ['customs']);
    await refused(() => x.call(fr, 'agency.keys', { revoke: ['de-bafa-1'] }), 404, 'not-found');
    expect((await x.services.directory.get('DE-BAFA'))!.keys[0]!.status).toBe('active');
  });
});
