// The stream sealer and the completeness check (protocol.md §6): every event sealed exactly once from the audit
// stream, a crash mid-batch repaired by the retried batch, a record the stream missed caught and alarmed by the check.
import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySealSigner } from '../../lambdas/adapters/memory/memory-seal-signer.ts';
import { MemoryTelemetry } from '../../lambdas/adapters/memory/memory-telemetry.ts';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { auditWrite, sealableEvent, shardOf, timeBucket, type AuditEvent } from '../../lambdas/core/audit.ts';
import type { Store, StoredRecord } from '../../lambdas/core/ports.ts';
import { checkSealed } from '../../lambdas/core/seal-check.ts';
import { commitSeal } from '../../lambdas/core/seal-commit.ts';
import { sealAll, sealAllReport, scheduledCheck } from '../../lambdas/core/sealer.ts';
import { getSealHead, sealPk } from '../../lambdas/core/seals.ts';
import type { CoreServices } from '../../lambdas/core/services.ts';
import { sealStreamBatch, type StreamedEvent } from '../../lambdas/core/stream-sealer.ts';
import { bundle } from '../helpers/audit.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

let x: TestExchange;
let telemetry: MemoryTelemetry;
let services: CoreServices;
let signer: MemorySealSigner;
let douane: TestAgency;
let olaf: TestAgency;

/** What the stream has delivered so far: every event insert, in write order, with increasing sequence numbers. */
function streamed(): StreamedEvent[] {
  return x.store.all('audit').filter((r) => typeof r.attrs.event === 'string')
    .map((r, i) => ({ event: JSON.parse(String(r.attrs.event)) as AuditEvent, seq: String(1000 + i), writtenAt: x.time }));
}

const seals = (): StoredRecord[] => x.store.all('audit').filter((r) => r.pk.startsWith('SEAL#'));
const verify = async () => (await verifyAuditLog(await bundle(x, olaf), { complete: true })).problems;
const verifyLicense = () => x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });

beforeEach(async () => {
  x = await TestExchange.create();
  telemetry = new MemoryTelemetry();
  signer = x.services.sealSigner as MemorySealSigner;
  services = { ...x.services, telemetry };
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await publish(x, bafa);
  for (let i = 0; i < 3; i++) await verifyLicense();
});

describe('the stream sealer', () => {
  it('seals a batch in one seal with one Sign, writes nothing to the events, and audit.proof finds each event', async () => {
    const before = JSON.stringify(x.store.all('audit'));
    const batch = streamed();
    const signs = signer.signs;
    const made = await sealStreamBatch(services, signer, batch);
    expect(made).toEqual([expect.objectContaining({ seq: 0, count: batch.length })]);
    expect(signer.signs - signs).toBe(1);
    // the events are as written; only the seal, the head and the batch marker were added
    const added = x.store.all('audit').filter((r) => !before.includes(`"pk":"${r.pk}"`)).map((r) => r.pk.replace(/#.*/, '#')).sort();
    expect(added).toEqual(['SEAL#', 'SEALBATCH#', 'SEALS']);
    for (const { event } of batch) {
      const proof = await x.call(olaf, 'audit.proof', { eventId: event.id });
      expect(proof.status, event.id).toBe(200);
      expect(proof.result.seal).toBe(seals()[0]!.attrs.jws);
    }
    expect(await verify()).toEqual([]);
  });

  it('a retried batch seals nothing twice; a longer retry seals only its new records', async () => {
    const first = streamed();
    await sealStreamBatch(services, signer, first);
    expect(await sealStreamBatch(services, signer, first)).toEqual([]);
    await verifyLicense();
    const longer = streamed();
    expect(longer.length).toBeGreaterThan(first.length);
    const made = await sealStreamBatch(services, signer, longer);
    expect(made.map((s) => [s.seq, s.count])).toEqual([[1, longer.length - first.length]]);
    expect(await verify()).toEqual([]);
  });

  it('a sealer crash mid-batch: the seal that committed stands, the retried batch seals the rest, none twice', async () => {
    const batch = streamed();
    // The first seal's transaction lands, then the process dies before it can seal anything else.
    const store = x.store as Store;
    const commit = store.commit.bind(store);
    let commits = 0;
    store.commit = async (writes) => {
      await commit(writes);
      if (++commits === 1) throw new Error('crash after the first commit');
    };
    const half = Math.ceil(batch.length / 2);
    // two chunks, as a batch larger than MAX_LEAVES would be: simulate with two calls sharing the batch's order
    await expect(sealStreamBatch(services, signer, batch.slice(0, half))).rejects.toThrow('crash after the first commit');
    store.commit = commit;
    expect(seals()).toHaveLength(1);
    const made = await sealStreamBatch(services, signer, batch); // the event source retries from the first record
    expect(made.map((s) => [s.seq, s.count])).toEqual([[1, batch.length - half]]);
    expect(await verify()).toEqual([]);
  });

  it('a failure before the commit (KMS down) writes nothing; the retry seals the batch', async () => {
    const batch = streamed();
    const before = JSON.stringify(x.store.all('audit'));
    const failing = { publicKey: () => signer.publicKey(), sign: async () => { throw new Error('KMS unavailable'); } };
    await expect(sealStreamBatch(services, failing, batch)).rejects.toThrow('KMS unavailable');
    expect(JSON.stringify(x.store.all('audit'))).toBe(before);
    expect((await sealStreamBatch(services, signer, batch)).map((s) => s.count)).toEqual([batch.length]);
  });

  it('events the completeness check sealed while the batch was failing are not sealed again', async () => {
    const batch = streamed();
    x.time += 400_000; // the stream path failed for minutes; the check sealed them meanwhile
    await scheduledCheck(services, signer);
    expect(seals()).toHaveLength(1);
    expect(await sealStreamBatch(services, signer, batch)).toEqual([]);
    expect(seals()).toHaveLength(1);
    expect(await verify()).toEqual([]);
  });

  it('an event written more than the late bound after its ts is sealed, counted in lateBeyondBound and alarmed', async () => {
    const old = sealableEvent({ id: `ev-backdated${'0'.repeat(34)}`, ts: new Date(x.time - 600_000).toISOString(), exchangeId: x.services.exchangeId, action: 'license.verify', decision: 'allow', status: 200, rqd: 'x', rsd: 'y', sourceIp: '127.0.0.1', requestId: 'r' });
    await x.store.commit([auditWrite(old)]);
    const batch = streamed().map((b) => (b.event.id === old.id ? { ...b, writtenAt: x.time } : b));
    const made = await sealStreamBatch(services, signer, batch);
    expect(made.reduce((n, s) => n + s.count, 0)).toBe(batch.length);
    expect(made.some((s) => s.lateBeyondBound === 1)).toBe(true);
    expect(telemetry.of('integrity-failed').map((r) => r.errorClass)).toEqual(['LateBeyondBound']);
    const proof = await x.call(olaf, 'audit.proof', { eventId: old.id });
    expect(proof.status).toBe(200);
  });

  it('`corridor audit seal` (no margin) sealed young events first: the stream batch that brings them seals nothing twice', async () => {
    const batch = streamed();
    expect((await sealAll(services, signer)).map((s) => s.count)).toEqual([batch.length]);
    x.time += 2000;
    expect(await sealStreamBatch(services, signer, batch)).toEqual([]);
    expect(seals()).toHaveLength(1);
    // and the other way round: what the stream sealed, a later audit seal leaves alone
    await verifyLicense();
    await sealStreamBatch(services, signer, streamed().slice(batch.length));
    expect(await sealAll(services, signer)).toEqual([]);
    expect(await verify()).toEqual([]);
  });

  it('two sealers of different shards racing for the head both seal; the seals chain', async () => {
    const batch = streamed();
    const half = Math.ceil(batch.length / 2);
    const made = await Promise.all([sealStreamBatch(services, signer, batch.slice(0, half)), sealStreamBatch(services, signer, batch.slice(half))]);
    expect(made.flat().map((s) => s.seq).sort()).toEqual([0, 1]);
    expect(await verify()).toEqual([]);
  });
});

describe('the completeness check', () => {
  it('a record the stream missed is caught, sealed and alarmed; the next run finds nothing', async () => {
    const batch = streamed();
    const missed = batch[1]!.event.id;
    const delivered = batch.filter((b) => b.event.id !== missed);
    await sealStreamBatch(services, signer, delivered);
    expect((await x.call(olaf, 'audit.proof', { eventId: missed })).status).toBe(404);
    // within the margin the check leaves it to the stream
    expect((await scheduledCheck(services, signer)).missed).toBe(0);
    x.time += 301_000;
    const r = await scheduledCheck(services, signer);
    // the missed record, and the events of the calls since, which this test's stream never delivered
    expect([r.missed, r.seals.length]).toEqual([x.auditEvents().length - delivered.length, 1]);
    expect(telemetry.of('integrity-failed')).toEqual([expect.objectContaining({ errorClass: 'MissedByStream' })]);
    expect(telemetry.of('seal-run').at(-1)).toMatchObject({ lagSeconds: 0, events: r.missed });
    expect((await x.call(olaf, 'audit.proof', { eventId: missed })).status).toBe(200);
    x.time += 60_000;
    expect((await scheduledCheck(services, signer)).missed).toBe(0);
    expect(await verify()).toEqual([]);
  });

  it('an item holding no sealable event is skipped and alarmed; the events around it are sealed and the cursor moves on', async () => {
    const good = x.auditEvents();
    const ts = new Date(x.time - 1000).toISOString();
    const pk = 'ev-forged-not-json';
    // and one whose ts is decades from the index key it sits under: read as an event, the check would look for seals
    // over every day in between and exceed its read budget on every run
    const far = 'ev-forged-far-ts';
    await x.store.commit([
      { op: 'put', record: { table: 'audit', pk, attrs: { event: '{"id":', tsId: `${ts}#${pk}`, tbucket: timeBucket(ts, shardOf(pk)) } }, condition: { kind: 'absent' } },
      { op: 'put', record: { table: 'audit', pk: far, attrs: { event: JSON.stringify({ id: far, ts: '2000-01-01T00:00:00.000Z' }), tsId: `${ts}#${far}`, tbucket: timeBucket(ts, shardOf(far)) } }, condition: { kind: 'absent' } },
    ]);
    x.time += 301_000;
    const r = await scheduledCheck(services, signer);
    expect([r.missed, [...r.malformed].sort()]).toEqual([good.length, [far, pk]]);
    expect(telemetry.of('integrity-failed').map((f) => [f.errorClass, f.check])).toEqual([
      ['MalformedEvent', expect.stringMatching(/^2 audit item\(s\) holding no sealable event, left unsealed, first ev-forged-/)],
      ['MissedByStream', expect.stringMatching(/^\d+ event\(s\) the stream sealer had not sealed/)],
    ]);
    for (const e of good) expect((await x.call(olaf, 'audit.proof', { eventId: e.id })).status, e.id).toBe(200);
    // the next run starts after it: nothing more to report
    x.time += 60_000;
    const next = await scheduledCheck(services, signer);
    expect([next.missed, next.malformed]).toEqual([0, []]);
    // `corridor audit seal` (no cursor: it looks back two days) names it
    expect((await sealAllReport(services, signer)).malformed.sort()).toEqual([far, pk]);
  });

  it('an event in two seals is alarmed', async () => {
    const events = x.auditEvents();
    await commitSeal(services, signer, { events, wide: false });
    await commitSeal(services, signer, { events: events.slice(0, 1), wide: false });
    x.time += 301_000;
    await scheduledCheck(services, signer);
    expect(telemetry.of('integrity-failed').map((r) => r.errorClass)).toEqual(['SealedTwice']);
  });

  it('a seal the index does not list yet (a GSI lags its table) is read by key: nothing is sealed twice', async () => {
    await sealStreamBatch(services, signer, streamed());
    const hidden = String(seals()[0]!.attrs.tsId);
    const queryIndex = x.store.queryIndex.bind(x.store);
    x.store.queryIndex = async (table, q) => {
      const page = await queryIndex(table, q);
      return { ...page, records: page.records.filter((r) => r.attrs.tsId !== hidden) };
    };
    expect(await sealAll(services, signer)).toEqual([]);
    x.store.queryIndex = queryIndex;
    expect(seals()).toHaveLength(1);
  });

  it('a run reads at most its budget and resumes after its cursor', async () => {
    for (let i = 0; i < 6; i++) await verifyLicense();
    x.time += 301_000;
    const total = x.auditEvents().length;
    const first = await checkSealed(services, signer, { marginSeconds: 300, cursor: true, alarm: true, budget: 8 });
    expect(first.checked).toBeLessThan(total);
    const rest = await checkSealed(services, signer, { marginSeconds: 300, cursor: true, alarm: true, budget: 1000 });
    expect(first.missed + rest.missed).toBe(total);
    expect(await getSealHead(x.store)).toMatchObject({ last: 1 });
    expect(x.store.all('audit').some((r) => r.pk === sealPk(1))).toBe(true);
    expect(await verify()).toEqual([]);
  });
});
