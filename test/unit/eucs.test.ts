// End-use certificates (protocol.md §5 euc.*): publish, status, query with checks, disclosure by permission.
import { beforeEach, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import { eucDoc, publishEuc } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let mti: TestAgency;
let douane: TestAgency;
let bafa: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  mti = await x.agency('SG-MTI', ['euc-issuer']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  bafa = await x.agency('DE-BAFA', ['licensing']);
  expect((await publishEuc(x, mti)).status).toBe(201);
});

const refused = (send: () => Promise<{ status: number; problem: { type: string; detail: string } }>, status: number, slug: string) => expectRefusal(x, send, status, slug);

const grant = (partner: string, permissions: string[]) => x.call(mti, 'agreement.put', { partner, documentType: 'euc', permissions });
const query = (as: TestAgency, body: Record<string, unknown> = {}) => x.call(as, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121', ...body });

describe('euc.publish / euc.status', () => {
  it('publishes (201) with digest; versions only go up; a license JWS is not an EUC', async () => {
    expect((await publishEuc(x, mti, eucDoc({ version: 2 }))).result).toEqual({ eucId: 'SG-EUC-88121', version: 2, digest: expect.any(String) });
    await refused(() => publishEuc(x, mti, eucDoc({ version: 2 })), 409, 'conflict');
    await refused(async () => x.call(mti, 'euc.publish', { document: await signDocument(mti.privateJwk, 'corridor-license+jws', eucDoc({ version: 3 })) }), 400, 'document-invalid');
    await refused(() => publishEuc(x, mti, eucDoc({ version: 3, assurances: { noWmdUse: true } })), 400, 'document-invalid');
    await refused(() => publishEuc(x, bafa, eucDoc({ issuer: 'DE-BAFA' })), 403, 'role-forbidden');
  });

  it('status by the owner only; revoked is final', async () => {
    expect((await x.call(mti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'suspended', reason: 'audit' })).result).toMatchObject({ eucId: 'SG-EUC-88121', status: 'suspended' });
    const other = await x.agency('MY-MITI', ['euc-issuer']);
    await refused(() => x.call(other, 'euc.status', { eucId: 'SG-EUC-88121', status: 'revoked', reason: 'x' }), 404, 'not-found');
    await x.call(mti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'revoked', reason: 'fraud' });
    await refused(() => x.call(mti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'active', reason: 'x' }), 409, 'conflict');
  });
});

describe('euc.query', () => {
  it('needs verify (403 before 404); customs and licensing may ask; others may not', async () => {
    await refused(() => query(douane), 403, 'no-agreement');
    await refused(() => query(douane, { eucId: 'NOPE' }), 403, 'no-agreement');
    await grant('NL-DOUANE', ['verify']);
    await refused(() => query(douane, { eucId: 'NOPE' }), 404, 'not-found');
    const auditor = await x.agency('NL-ADR', ['auditor']);
    await refused(() => query(auditor), 403, 'role-forbidden');
  });

  it('verify: per-check answers and the digest, never the document; read adds the document', async () => {
    await grant('NL-DOUANE', ['verify']);
    const a = await query(douane, { check: { endUser: { name: 'STRAITS PHOTONICS LAB.' }, items: [{ controlCode: '6A003.b.4', quantity: 40 }] } });
    expect(a.result).toEqual({
      outcome: 'valid',
      checks: ['signature', 'status', 'validity', 'endUser', 'items'].map((name) => ({ name, ok: true })),
      eucDigest: expect.any(String),
      version: 1,
    });
    await grant('DE-BAFA', ['read']);
    const r = await query(bafa);
    expect(r.result.document).toMatch(/^ey/);
    expect(x.auditEvents().at(-1)).toMatchObject({ actor: 'DE-BAFA', owner: 'SG-MTI', resource: 'euc:SG-MTI/SG-EUC-88121', status: 200 });
  });

  it('failing checks: homoglyph end user, too many items, status, expiry', async () => {
    await grant('NL-DOUANE', ['verify']);
    const a = await query(douane, { check: { endUser: { name: 'Straits Phоtonics Lab' }, items: [{ controlCode: '6A003.b.4', quantity: 30 }, { controlCode: '6A003.b.4', quantity: 11 }, { quantity: 1 }] } });
    const failed = Object.fromEntries((a.result.checks as { name: string; ok: boolean; detail?: string }[]).filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(failed).toEqual({ endUser: 'endUser name does not match the document', items: '6A003.b.4: asked 41, more than the certificate covers' });
    await x.call(mti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'suspended', reason: 'r' });
    x.time = Date.parse('2027-10-20T00:00:00Z');
    const later = await query(douane);
    expect((later.result.checks as { name: string; ok: boolean }[]).filter((c) => !c.ok).map((c) => c.name)).toEqual(['status', 'validity']);
  });
});
