// Encryption at rest (protocol.md §7) and failing closed (§3, §6): 503s that change nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import { calculateJwkThumbprint } from 'jose';
import { PayloadCipher } from '../../lambdas/core/payload-cipher.ts';
import type { Write } from '../../lambdas/core/ports.ts';
import { ResponseKeys } from '../../lambdas/core/response-keys.ts';
import { licenseDoc, publish, shipment } from '../helpers/licenses.ts';
import { EXCHANGE_ID, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['read'] });
  expect((await publish(x, bafa)).status).toBe(201);
});

const verify = (licenseId = 'DE-2026-000123') => x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId, shipment: shipment() });

describe('encryption at rest', () => {
  it('no exporter name, item description, reason or JWS string is stored in clear', async () => {
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'Straits Photonics under review' });
    const dump = JSON.stringify([...x.store.records.values()].map((r) => ({ ...r, attrs: Object.fromEntries(Object.entries(r.attrs).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v])) })));
    for (const needle of ['Optik Werke', 'Thermal imaging', 'Lumen Trading', 'Straits Photonics', 'No re-export', 'eyJhbGciOi']) expect(dump).not.toContain(needle);
    const head = await x.store.get('documents', 'LICENSE#DE-BAFA#DE-2026-000123', 'CUR#HEAD');
    expect(head!.attrs.doc).toBeInstanceOf(Uint8Array);
    expect(head!.attrs.reason).toBeInstanceOf(Uint8Array);
  });

  it('a ciphertext moved to another record is refused (503 integrity), nothing released', async () => {
    expect((await publish(x, bafa, licenseDoc({ licenseId: 'DE-2026-000999' }))).status).toBe(201);
    const a = await x.store.get('documents', 'LICENSE#DE-BAFA#DE-2026-000123', 'CUR#HEAD');
    const b = await x.store.get('documents', 'LICENSE#DE-BAFA#DE-2026-000999', 'CUR#HEAD');
    x.store.records.set(`documents\u0000${b!.pk}\u0000CUR#HEAD`, { ...b!, attrs: { ...b!.attrs, doc: a!.attrs.doc! } });
    const r = await verify('DE-2026-000999');
    expect(r.status).toBe(503);
    expect(r.problem.type).toBe('urn:corridor:problem:integrity-failure');
    expect(r.result).toBeUndefined();
    expect(x.auditEvents().at(-1)).toMatchObject({ decision: 'deny', status: 503, code: 'integrity-failure' });
    // the original record still decrypts
    expect((await verify()).status).toBe(200);
  });

  it('data keys are cached: 1,000 verifications cost at most one KMS call', async () => {
    await verify();
    const before = { ...x.dataKeys.calls };
    for (let i = 0; i < 1000; i++) await verify();
    expect(x.dataKeys.calls.decrypt + x.dataKeys.calls.generate - before.decrypt - before.generate).toBeLessThanOrEqual(1);
  });

  it('the data-key cache honours its use count and age bounds', async () => {
    const cipher = new PayloadCipher(x.dataKeys, x.clock, { maxAgeMs: 1000, maxUses: 2, maxEntries: 10 });
    const scope = { owner: 'DE-BAFA', type: 'license' };
    const g0 = x.dataKeys.calls.generate;
    for (let i = 0; i < 4; i++) await cipher.encrypt('x', scope, 'aad');
    expect(x.dataKeys.calls.generate - g0).toBe(2);
    x.time += 1001;
    await cipher.encrypt('x', scope, 'aad');
    expect(x.dataKeys.calls.generate - g0).toBe(3);
  });
});

describe('failing closed', () => {
  it('audit write fails → signed 503 without auditId, and the mutation did not happen', async () => {
    const before = x.snapshot();
    const events = x.auditEvents().length;
    const commit = x.store.commit.bind(x.store);
    x.store.commit = async (writes: readonly Write[]) => {
      if (writes.some((w) => w.op === 'put' && w.record.table === 'audit')) throw new Error('ProvisionedThroughputExceededException');
      return commit(writes);
    };
    const a = await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'revoked', reason: 'r' });
    expect(a.status).toBe(503);
    expect(a.problem.type).toBe('urn:corridor:problem:audit-write-failed');
    expect(a.claims.auditId).toBeUndefined();
    expect(x.snapshot()).toBe(before);
    expect(x.auditEvents().length).toBe(events);
  });

  it('KMS unavailable → signed 503, audited, nothing released or changed', async () => {
    const fresh = await TestExchange.create(); // cold caches
    const issuer = await fresh.agency('DE-BAFA', ['licensing']);
    const before = fresh.snapshot();
    fresh.dataKeys.failWith = new Error('KMSInternalException');
    const a = await publish(fresh, issuer);
    expect(a.status).toBe(503);
    expect(a.problem.type).toBe('urn:corridor:problem:dependency-failed');
    expect(fresh.snapshot()).toBe(before);
    expect(fresh.auditEvents().at(-1)).toMatchObject({ decision: 'deny', status: 503, code: 'dependency-failed' });
  });

  it('storage unavailable while authenticating → signed 503, never 500', async () => {
    x.store.failWith = new Error('ServiceUnavailable');
    const a = await verify();
    expect(a.status).toBe(503);
    expect(a.claims.auditId).toBeUndefined(); // the audit write failed too
    x.store.failWith = null;
  });

  it('logs carry ids and codes, never names, documents or JWS strings', async () => {
    await verify();
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'Optik Werke case' });
    const logs = x.logs.join('\n');
    for (const needle of ['Optik', 'Thermal']) expect(logs).not.toContain(needle);
    expect(logs).not.toMatch(/eyJ[\w-]*\.[\w-]*\./); // no JWS (a bare `eyJ` can occur inside a random id)
    expect(logs).toContain('"action":"license.verify"');
  });
});

describe('response key ring', () => {
  it('two cold starts racing create one key ring and sign with the same key', async () => {
    const fresh = new TestExchange();
    const a = new ResponseKeys(fresh.store, new PayloadCipher(fresh.dataKeys, fresh.clock), fresh.clock, EXCHANGE_ID);
    const b = new ResponseKeys(fresh.store, new PayloadCipher(fresh.dataKeys, fresh.clock), fresh.clock, EXCHANGE_ID);
    const [ka, kb] = await Promise.all([a.signingKey(), b.signingKey()]);
    expect(ka.kid).toBe(kb.kid);
    expect(fresh.store.all('registry').filter((r) => r.pk === 'EXCHANGE')).toHaveLength(1);
    // the private key is stored only encrypted
    const ring = fresh.store.all('registry')[0]!;
    expect(JSON.stringify(ring.attrs)).not.toContain('"d"');
  });

  it('rotation publishes the new and the previous key; older keys drop out', async () => {
    const first = (await x.services.responseKeys.signingKey()).kid;
    const r1 = await x.services.responseKeys.rotate();
    expect(r1.previous).toBe(first);
    expect((await x.services.responseKeys.published()).map((k) => k.kid)).toEqual([r1.current, first]);
    const r2 = await x.services.responseKeys.rotate();
    expect((await x.services.responseKeys.published()).map((k) => k.kid)).toEqual([r2.current, r1.current]);
    const a = await verify();
    expect(a.header.kid).toBe(r2.current);
    // creation and each rotation are audit events, committed with the ring change
    expect(x.auditEvents().filter((e) => e.resource === 'exchange:response-keys').map((e) => e.action)).toEqual(['exchange.keys.create', 'exchange.keys.rotate', 'exchange.keys.rotate']);
    const published = new Map((await x.services.responseKeys.published()).map((k) => [k.kid, k.jwk]));
    const owner = x.services.exchangeId;
    const rotations = x.auditEvents().filter((e) => e.action === 'exchange.keys.rotate');
    const tp = { thumbprint: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), owner, purpose: 'response' };
    expect(rotations[0]!.details).toEqual({ keyChanges: [{ kid: r1.current, from: null, to: 'active', ...tp }, { kid: first, from: 'active', to: 'previous', ...tp }] });
    // the second rotation retires the key that was previous: it leaves the ring and never signs again
    expect(rotations[1]!.details).toEqual({ keyChanges: [{ kid: r2.current, from: null, to: 'active', ...tp }, { kid: r1.current, from: 'active', to: 'previous', ...tp }, { kid: first, from: 'previous', to: 'retired', ...tp }] });
    expect((rotations[1]!.details!.keyChanges as { thumbprint: string }[])[0]!.thumbprint).toBe(await calculateJwkThumbprint(published.get(r2.current)!));
  });
});

describe('unknown outcome', () => {
  it('a transaction that committed although its answer was lost (SDK retry hits our own event) is a success, applied once', async () => {
    await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['read', 'drawdown'] });
    const commit = x.store.commit.bind(x.store);
    let first = true;
    x.store.commit = async (writes: readonly Write[]) => {
      if (first && writes.length > 1) {
        first = false;
        await commit(writes); // it lands ...
        return commit(writes); // ... and the re-sent copy meets its own audit event
      }
      return commit(writes);
    };
    const a = await x.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'D-LOST', date: '2026-11-22', items: [{ line: 1, quantity: 4 }] });
    expect(a.status).toBe(201);
    expect(a.result.lines).toEqual([{ line: 1, drawn: 4, remaining: 36 }]);
    expect(x.auditEvents().filter((e) => e.action === 'license.drawdown')).toHaveLength(1);
    expect(a.claims.auditId).toBe(x.auditEvents().find((e) => e.action === 'license.drawdown')!.id);
  });
});
