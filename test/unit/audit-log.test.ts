// Tamper-evident audit log (protocol.md §6): seals, one KMS Sign per seal, late events, proofs, scoped queries.
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog, verifyProof } from '../../lambdas/client/audit-verify.ts';
import { auditWrite, sealableEvent, type AuditEvent } from '../../lambdas/core/audit.ts';
import { sealAll } from '../../lambdas/core/sealer.ts';
import type { StoredRecord } from '../../lambdas/core/ports.ts';
import { allEvents, bundle, sealNow } from '../helpers/audit.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { MemorySealSigner } from '../../lambdas/adapters/memory/memory-seal-signer.ts';
import { isProjected, TABLES } from '../../lambdas/definitions.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;
let nlAuditor: TestAgency;
let allAuditor: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  nlAuditor = await x.agency('NL-ADR', ['auditor']);
  allAuditor = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await publish(x, bafa);
  for (let i = 0; i < 5; i++) {
    x.time += 1000;
    await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
  }
  await x.call(bafa, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'X', shipment: shipment() }); // a denial
});

describe('sealing', () => {
  it('seals every event with one KMS Sign; the seal verifies and chains; the log verifies offline', async () => {
    const signer = x.services.sealSigner as MemorySealSigner;
    const before = signer.signs;
    const n = x.auditEvents().length;
    const [seal] = await sealNow(x);
    expect(seal).toMatchObject({ seq: 0, count: n });
    expect(signer.signs - before).toBe(1);
    expect(await sealNow(x)).toEqual([]);
    await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
    expect((await sealNow(x)).map((s) => s.seq)).toEqual([1]);
    const report = await verifyAuditLog(await bundle(x, allAuditor), { complete: true });
    expect(report.problems).toEqual([]);
    expect(report.seals).toBe(2);
  });

  it('a late event (its ts before the last seal) lands in the next seal; none is skipped', async () => {
    await sealNow(x);
    // 35 s before that seal (made at 10:00:05): a slow request, within the late bound (older ones: seal-late-bound.test.ts)
    const late = sealableEvent({ id: 'ev-late-000000000000000000000000000000000000000000', ts: '2026-11-22T09:59:30.000Z', exchangeId: 'corridor:test', action: 'license.verify', decision: 'allow', status: 200, rqd: 'x', rsd: 'y', sourceIp: '127.0.0.1', requestId: 'slow' });
    await x.store.commit([auditWrite(late)]);
    const [next] = await sealNow(x);
    expect(next).toMatchObject({ seq: 1, count: 1, first: late.id, last: late.id });
    const report = await verifyAuditLog(await bundle(x, allAuditor), { complete: true });
    expect(report.problems).toEqual([]);
  });

  it('a seal by another key is refused by the verifier', async () => {
    await sealNow(x);
    const b = await bundle(x, allAuditor);
    const rogue = { ...x.services, sealSigner: new MemorySealSigner() };
    await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
    await sealAll(rogue, rogue.sealSigner);
    const report = await verifyAuditLog({ ...(await bundle(x, allAuditor)), jwks: b.jwks, sealKeyIds: b.sealKeyIds }, { complete: true });
    expect(report.problems.some((p) => /seal 1 altered/.test(p))).toBe(true);
  });
});

describe('index projections', () => {
  it('sealing writes nothing to an event (its one write is its own), and audit.query still gets every event from `byTime`', async () => {
    const audit = TABLES.find((t) => t.id === 'audit')!;
    const byTime = audit.globalIndexes.find((i) => i.indexName === 'byTime')!;
    const projected = (r: StoredRecord) => JSON.stringify(Object.entries(r.attrs).filter(([k]) => isProjected(audit, byTime, k)).sort(([a], [b]) => a.localeCompare(b)));
    const events = () => x.store.all('audit').filter((r) => r.attrs.event !== undefined);
    const before = new Map(events().map((r) => [r.pk, JSON.stringify(r.attrs)]));
    expect(before.size).toBeGreaterThan(5);
    expect((await sealNow(x)).length).toBe(1);
    for (const r of events()) expect(JSON.stringify(r.attrs), r.pk).toBe(before.get(r.pk)); // never rewritten
    expect(events().every((r) => projected(r).includes('"event"'))).toBe(true);
    // The index entries (memory store: as DynamoDB projects them) carry what audit.query reads and nothing else.
    const page = await x.store.queryIndex('audit', { index: 'byTime', partition: events()[0]!.attrs.tbucket as string, limit: 100 });
    for (const r of page.records) expect(Object.keys(r.attrs).sort()).toEqual(['event', 'tbucket', 'tsId']);
    const got = await x.call(allAuditor, 'audit.query', {});
    expect(got.status).toBe(200);
    expect((got.result as { events: AuditEvent[] }).events.map((e) => e.id).sort()).toEqual([...before.keys()].sort());
  });
});

describe('audit.query', () => {
  it('only auditors may call audit actions (403, audited)', async () => {
    for (const act of ['audit.query', 'audit.proof', 'audit.seals'] as const) {
      const before = x.auditEvents().length;
      const a = await x.call(douane, act, act === 'audit.proof' ? { eventId: `ev-${'a'.repeat(43)}` } : act === 'audit.seals' ? { fromSeq: 0 } : {});
      expect([a.status, a.problem.type]).toEqual([403, 'urn:corridor:problem:role-forbidden']);
      expect(x.auditEvents().length).toBe(before + 1);
    }
  });

  it('an own auditor sees only events where an agency of its country is actor or owner, whatever the filters', async () => {
    const mine = await allEvents(x, nlAuditor);
    expect(mine.length).toBeGreaterThan(0);
    for (const e of mine) expect([e.actor?.slice(0, 2), e.owner?.slice(0, 2)]).toContain('NL');
    expect(await allEvents(x, nlAuditor, { actor: 'DE-BAFA' })).toEqual(mine.filter((e) => e.actor === 'DE-BAFA'));
    const all = await allEvents(x, allAuditor);
    expect(all.length).toBeGreaterThan(mine.length);
    expect(all.map((e) => e.ts)).toEqual([...all.map((e) => e.ts)].sort());
  });

  it('pages with an opaque cursor that cannot be forged or reused by another auditor', async () => {
    const first = await x.call(allAuditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 3 });
    expect((first.result.events as unknown[]).length).toBe(3);
    const cursor = String(first.result.cursor);
    const second = await x.call(allAuditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 3, cursor });
    expect((second.result.events as AuditEvent[])[0]!.ts >= (first.result.events as AuditEvent[])[2]!.ts).toBe(true);
    const stolen = await x.call(nlAuditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 3, cursor });
    expect([stolen.status, stolen.problem.errors]).toEqual([400, [{ pointer: '/body/cursor', detail: 'not a cursor of this query' }]]);
    const otherFilters = await x.call(allAuditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 3, cursor, decision: 'deny' });
    expect(otherFilters.status).toBe(400);
    const forged = await x.call(allAuditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 3, cursor: `${cursor.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(400);
  });

  it('events hold no document content', async () => {
    // No names or items of the documents, and no JWS (three base64url parts, the first a JSON header): a bare `eyJ`
    // also occurs by chance inside a random base64url id or thumbprint (it did: `L1U4eyJ7…`).
    expect(JSON.stringify(await allEvents(x, allAuditor))).not.toMatch(/Optik|Thermal|Lumen|eyJ[\w-]*\.[\w-]*\./);
  });
});

describe('audit.proof', () => {
  it('404 until sealed; then event, seal and a path that rebuilds the signed root; out of scope reads as 404', async () => {
    const ev = (await allEvents(x, nlAuditor)).find((e) => e.actor === 'NL-DOUANE')!;
    expect((await x.call(nlAuditor, 'audit.proof', { eventId: ev.id })).status).toBe(404);
    await sealNow(x);
    const p = await x.call(nlAuditor, 'audit.proof', { eventId: ev.id });
    expect(p.status).toBe(200);
    expect(p.result.event).toEqual(ev);
    const b = await bundle(x, allAuditor);
    expect(await verifyProof(p.result as never, b.jwks, b.sealKeyIds, { eventId: ev.id, exchangeId: b.exchangeId, event: ev })).toEqual([]);
    const tampered = { ...(p.result as { event: AuditEvent }), event: { ...ev, status: 500 } };
    expect((await verifyProof(tampered as never, b.jwks, b.sealKeyIds, { eventId: ev.id, exchangeId: b.exchangeId }))[0]).toMatch(/changed/);
    const deOnly = (await allEvents(x, allAuditor)).find((e) => e.actor === 'DE-BAFA' && e.owner === 'DE-BAFA')!;
    expect((await x.call(nlAuditor, 'audit.proof', { eventId: deOnly.id })).status).toBe(404);
  });
});

describe('audit.query paging without `to`', () => {
  it('the cursor keeps the window of the first page while the clock moves on', async () => {
    const first = await x.call(allAuditor, 'audit.query', { limit: 2 });
    x.time += 60_000;
    await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() }); // after the window
    const events: AuditEvent[] = [...(first.result.events as AuditEvent[])];
    let cursor = first.result.cursor as string | null;
    while (cursor) {
      const page = await x.call(allAuditor, 'audit.query', { limit: 2, cursor });
      expect(page.status).toBe(200);
      events.push(...(page.result.events as AuditEvent[]));
      cursor = page.result.cursor as string | null;
    }
    const firstTs = (first.result.events as AuditEvent[])[0]!.ts;
    expect(events.every((e) => e.ts <= '2026-11-22T10:00:06.000Z')).toBe(true);
    expect(events.length).toBe(x.auditEvents().filter((e) => e.ts >= firstTs && e.ts <= '2026-11-22T10:00:06.000Z').length);
  });
});
