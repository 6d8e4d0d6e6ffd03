// Agreements, license publish/status/verify (protocol.md §5): who may, which checks, what is disclosed.
import { beforeEach, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import { makeKey } from '../helpers/keys.ts';
import { licenseDoc, publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { rawJws } from '../helpers/raw-jws.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
});

const refused = (send: () => Promise<{ status: number; problem: { type: string; detail: string } }>, status: number, slug: string) => expectRefusal(x, send, status, slug);

const grant = (permissions: string[], extra: Record<string, unknown> = {}) => x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions, ...extra });
const verify = (body: Record<string, unknown> = {}) => x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment(), ...body });

describe('agreement.put', () => {
  it('the owner grants (201), changes (200) and withdraws (200)', async () => {
    const a = await grant(['verify']);
    expect([a.status, a.result]).toEqual([201, { owner: 'DE-BAFA', partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] }]);
    expect((await grant(['read', 'verify'], { validUntil: '2027-01-01' })).result).toEqual({ owner: 'DE-BAFA', partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read'], validUntil: '2027-01-01' });
    expect((await grant([])).status).toBe(200);
    expect(await x.store.get('registry', 'AGENCY#DE-BAFA', 'GRANT#license#NL-DOUANE')).toBeNull();
  });

  it('the operator cannot grant; customs cannot grant on licenses; drawdown is for licenses only', async () => {
    await refused(() => x.call(x.operator, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] }), 403, 'role-forbidden');
    const sg = await x.agency('SG-MTI', ['euc-issuer']);
    await refused(() => x.call(sg, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] }), 403, 'role-forbidden');
    await refused(() => x.call(sg, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['drawdown'] }), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'agreement.put', { partner: 'ZZ-NOBODY', documentType: 'license', permissions: ['verify'] }), 404, 'not-found');
  });
});

describe('license.publish / license.status', () => {
  it('publishes a signed license (201) with its digest; a higher version supersedes, others 409', async () => {
    const a = await publish(x, bafa);
    expect(a.status).toBe(201);
    expect(a.result).toEqual({ licenseId: 'DE-2026-000123', version: 1, digest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    await refused(() => publish(x, bafa), 409, 'conflict');
    expect((await publish(x, bafa, licenseDoc({ version: 2 }))).result.version).toBe(2);
    await refused(() => publish(x, bafa, licenseDoc({ version: 1 })), 409, 'conflict');
  });

  it('refuses documents not signed by an active key of the issuer, of another type, or of another issuer', async () => {
    const stranger = await makeKey('de-bafa-1');
    await refused(() => x.call(bafa, 'license.publish', { document: rawJws(stranger.privateJwk, { alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-license+jws' }, licenseDoc()) }), 400, 'document-invalid');
    await refused(async () => x.call(bafa, 'license.publish', { document: await signDocument(bafa.privateJwk, 'corridor-euc+jws', licenseDoc()) }), 400, 'document-invalid');
    await refused(() => x.call(bafa, 'license.publish', { document: rawJws(bafa.privateJwk, { alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-request+jws' }, licenseDoc()) }), 400, 'document-invalid');
    await refused(() => x.call(bafa, 'license.publish', { document: rawJws(bafa.privateJwk, { alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-license+jws', jwk: bafa.key.publicJwk }, licenseDoc()) }), 400, 'document-invalid');
    await refused(() => publish(x, bafa, licenseDoc({ issuer: 'FR-DGDDI' })), 403, 'forbidden');
    await refused(() => publish(x, douane, licenseDoc({ issuer: 'NL-DOUANE' })), 403, 'role-forbidden');
  });

  it('refuses documents failing the license schema, with pointers into the payload', async () => {
    const before = x.snapshot();
    const a = await publish(x, bafa, licenseDoc({ items: [{ line: 1, description: 'x', controlCode: '6A003', quantity: 0, unit: 'pcs', secret: 'y' }] }));
    expect(a.status).toBe(400);
    expect(a.problem.errors).toEqual(expect.arrayContaining([{ pointer: '/body/document/payload/items/0/quantity', detail: expect.any(String) }, { pointer: '/body/document/payload/items/0/secret', detail: 'unknown member (schemas are closed)' }]));
    await refused(() => publish(x, bafa, licenseDoc({ items: [licenseDoc().items as object, licenseDoc().items as object].flat().slice(0, 1).concat((licenseDoc().items as object[])[0]!) })), 400, 'document-invalid');
    expect(x.snapshot()).toBe(before);
  });

  it('changes status (owner only, revoked is final); another agency cannot', async () => {
    await publish(x, bafa);
    const s = await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'review' });
    expect(s.result).toEqual({ licenseId: 'DE-2026-000123', status: 'suspended', reason: 'review', changedAt: '2026-11-22T10:00:00.000Z' });
    const fr = await x.agency('FR-DGDDI', ['licensing']);
    await refused(() => x.call(fr, 'license.status', { licenseId: 'DE-2026-000123', status: 'revoked', reason: 'x' }), 404, 'not-found');
    expect((await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'revoked', reason: 'fraud' })).status).toBe(200);
    await refused(() => x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'active', reason: 'oops' }), 409, 'conflict');
    await refused(() => publish(x, bafa, licenseDoc({ version: 5 })), 409, 'conflict');
  });
});

describe('license.verify', () => {
  beforeEach(async () => {
    expect((await publish(x, bafa)).status).toBe(201);
  });

  it('no agreement → 403 before existence (even for a license that does not exist)', async () => {
    await refused(() => verify(), 403, 'no-agreement');
    await refused(() => verify({ licenseId: 'NOPE' }), 403, 'no-agreement');
    await grant(['verify'], { validUntil: '2026-11-21' });
    await refused(() => verify(), 403, 'no-agreement');
  });

  it('with verify: the checks and digest, never the document; with read: the document', async () => {
    await grant(['verify']);
    await refused(() => verify({ licenseId: 'NOPE' }), 404, 'not-found');
    const a = await verify({ shipment: shipment({ exporter: { name: 'OPTIK-WERKE GMBH' }, consignee: { name: 'Lumen Trading Pte. Ltd.' }, endUser: { name: 'Straits Photonics Lab' } }) });
    expect(a.status).toBe(200);
    expect(a.result).toEqual({
      outcome: 'valid',
      checks: ['signature', 'status', 'validity', 'destination', 'exporter', 'consignee', 'endUser', 'items'].map((name) => ({ name, ok: true })),
      lines: [{ line: 1, controlCode: '6A003.b.4', remaining: 40 }, { line: 2, controlCode: '6A004.a', remaining: 10 }],
      licenseDigest: expect.any(String),
      version: 1,
    });
    expect(x.auditEvents().at(-1)).toMatchObject({ actor: 'NL-DOUANE', owner: 'DE-BAFA', resource: 'license:DE-BAFA/DE-2026-000123', decision: 'allow', status: 200, details: { outcome: 'valid', version: 1 } });
    await grant(['read']);
    const r = await verify();
    expect(r.result.document).toMatch(/^ey/);
    expect(r.result.licenseDigest).toBe(Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(String(r.result.document)))).toString('base64url'));
  });

  it('each failing check says so without quoting the license', async () => {
    await grant(['verify']);
    const a = await verify({ shipment: shipment({ date: '2027-11-02', destinationCountry: 'MY', exporter: { name: 'Optik Werke AG' }, endUser: { name: 'Mеkong Optics' }, items: [{ controlCode: '6A003.b.4', quantity: 41 }, { controlCode: '9Z999', quantity: 1 }] }) });
    expect(a.result.outcome).toBe('invalid');
    const failed = Object.fromEntries((a.result.checks as { name: string; ok: boolean; detail?: string }[]).filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(Object.keys(failed).sort()).toEqual(['destination', 'endUser', 'exporter', 'items', 'validity']);
    expect(failed.items).toBe('6A003.b.4: requested 41, remaining 40; 9Z999: requested 1, remaining 0');
    expect(JSON.stringify(a.result)).not.toMatch(/Optik Werke GmbH|Straits|SG"/);
  });

  it('status and key status feed the checks: suspended, retired after issue (still valid), revoked (signature fails)', async () => {
    await grant(['verify']);
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'r' });
    expect((await verify()).result.checks).toContainEqual({ name: 'status', ok: false, detail: 'license is suspended' });
    const k2 = await makeKey('bafa-2');
    await x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-2', jwk: k2.publicJwk }] });
    await x.call(bafa, 'agency.keys', { retire: ['de-bafa-1'] });
    expect((await verify()).result.checks).toContainEqual({ name: 'signature', ok: true });
    await x.call({ ...bafa, privateJwk: k2.privateJwk }, 'agency.keys', { revoke: ['de-bafa-1'] });
    expect((await verify()).result.checks).toContainEqual({ name: 'signature', ok: false, detail: 'signing key was revoked' });
  });

  it('a licensing authority cannot verify (role) and customs cannot publish', async () => {
    await refused(() => x.call(bafa, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() }), 403, 'role-forbidden');
  });
});
