// The sealer's stream contract (lambdas/handlers/seal-batches.ts): audit event inserts sealed, other records ignored,
// a failure reported at the batch's first record, and the batch's request metrics as one aggregate after sealing.
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryTelemetry } from '../../lambdas/adapters/memory/memory-telemetry.ts';
import type { CoreServices } from '../../lambdas/core/services.ts';
import { sealBatch } from '../../lambdas/handlers/seal-batches.ts';
import type { StreamRecordLike } from '../../lambdas/handlers/stream-image.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { TestExchange } from '../helpers/memory-exchange.ts';

let x: TestExchange;
let telemetry: MemoryTelemetry;
let services: CoreServices;

/** The audit table's items as a stream delivers their inserts (attribute values as Lambda's JSON has them). */
function records(): StreamRecordLike[] {
  return x.store.all('audit').map((r, i) => ({
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: String(100 + i),
      ApproximateCreationDateTime: Math.floor(x.time / 1000),
      Keys: { pk: { S: r.pk } },
      NewImage: { pk: { S: r.pk }, ...Object.fromEntries(Object.entries(r.attrs).map(([k, v]) => [k, typeof v === 'number' ? { N: String(v) } : { S: String(v) }])) },
    },
  }));
}

beforeEach(async () => {
  x = await TestExchange.create();
  telemetry = new MemoryTelemetry();
  services = { ...x.services, telemetry };
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  const douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await publish(x, bafa);
  for (let i = 0; i < 3; i++) await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
  await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'NOPE', shipment: shipment() }); // a denial
});

describe('the stream sealer batch', () => {
  it('seals the event inserts (not other records), then reports the batch\'s requests once, per action and decision', async () => {
    const batch = [...records(), { eventName: 'MODIFY', dynamodb: { SequenceNumber: '999', Keys: { pk: { S: 'ev-modified' } } } }];
    expect(await sealBatch(services, services.sealSigner)(batch)).toEqual({ batchItemFailures: [] });
    const seal = x.store.all('audit').find((r) => r.pk.startsWith('SEAL#'))!;
    expect(seal.attrs.ids).toHaveLength(x.auditEvents().length);
    const reported = telemetry.of('requests-aggregated');
    expect(reported).toHaveLength(1);
    const verify = reported[0]!.aggregates.filter((a) => a.action === 'license.verify').map((a) => [a.decision, a.latency.count]).sort();
    expect(verify).toEqual([['allow', 3], ['deny', 1]]);
  });

  it('an item holding no sealable event (not JSON, another id, no instant) is skipped and alarmed; the rest of the batch is sealed', async () => {
    const bad: { pk: string; event: string; tsId?: string }[] = [
      { pk: 'ev-notjson', event: '{"id":"ev-notjson",' },
      { pk: 'ev-otherid', event: JSON.stringify({ ...x.auditEvents()[0], id: 'ev-elsewhere' }) },
      { pk: 'ev-nots', event: JSON.stringify({ id: 'ev-nots', ts: 'yesterday' }) },
      { pk: 'ev-shortts', event: JSON.stringify({ id: 'ev-shortts', ts: '2026' }) },
      // JSON that parses but JCS cannot hash: a number out of range
      { pk: 'ev-infinity', event: JSON.stringify({ id: 'ev-infinity', ts: new Date(x.time).toISOString() }).replace('}', ',"n":1e400}') },
      // a ts decades away from the index key it was written under (the check would look for seals over all the days between)
      { pk: 'ev-farts', event: JSON.stringify({ id: 'ev-farts', ts: '2000-01-01T00:00:00.000Z' }), tsId: `${new Date(x.time).toISOString()}#ev-farts` },
    ];
    const good = x.auditEvents().map((e) => e.id).sort();
    await x.store.commit(bad.map((b) => ({ op: 'put' as const, record: { table: 'audit' as const, pk: b.pk, attrs: { event: b.event, ...(b.tsId ? { tsId: b.tsId } : {}) } }, condition: { kind: 'absent' as const } })));
    const batch = records();
    expect(await sealBatch(services, services.sealSigner)(batch)).toEqual({ batchItemFailures: [] });
    const seal = x.store.all('audit').find((r) => r.pk.startsWith('SEAL#'))!;
    expect([...(seal.attrs.ids as string[])].sort()).toEqual(good);
    expect(telemetry.of('integrity-failed')).toEqual([expect.objectContaining({ action: 'seal.stream', errorClass: 'MalformedEvent', check: expect.stringMatching(/^6 audit item\(s\) holding no sealable event, left unsealed, first ev-/) })]);
    expect(telemetry.of('requests-aggregated')).toHaveLength(1);
  });

  it('a failure reports the first record (the whole batch comes again), writes nothing and reports no metrics', async () => {
    const before = JSON.stringify(x.store.all('audit'));
    const failing = { publicKey: () => services.sealSigner.publicKey(), sign: () => Promise.reject(new Error('KMS down')) };
    const batch = records();
    expect(await sealBatch(services, failing)(batch)).toEqual({ batchItemFailures: [{ itemIdentifier: batch[0]!.dynamodb!.SequenceNumber }] });
    expect(JSON.stringify(x.store.all('audit'))).toBe(before);
    expect(telemetry.of('requests-aggregated')).toEqual([]);
    expect(telemetry.of('dependency-failed')).toEqual([expect.objectContaining({ action: 'seal.stream' })]);
  });
});
