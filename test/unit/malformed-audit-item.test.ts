// An audit item holding no event (written around the exchange: not JSON, or another id than its key) in an auditor's
// window is no event of the log (it is in no seal and in no one's scope): audit.query passes over it and answers the
// real events, audit.proof answers 404, and each raises the integrity observation naming it (the IntegrityFailures
// alarm), once per call. Before, the JSON error was a 503 dependency-failed for every auditor of the window, asking
// for a retry that could never succeed, and no alarm named the item.
import { beforeEach, describe, expect, it } from 'vitest';
import type { TelemetryRecord } from '../../lambdas/adapters/memory/memory-telemetry.ts';
import { shardOf, storedEvent, timeBucket, type AuditEvent } from '../../lambdas/core/audit.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

let x: TestExchange;
let olaf: TestAgency;
let nl: TestAgency;

/** The events the audit table holds, malformed items aside. */
const events = (): AuditEvent[] => x.store.all('audit').map((r) => storedEvent(r.pk, r.attrs)).filter((e): e is AuditEvent => e !== null);
const integrityObservations = () => x.logs.map((l) => JSON.parse(l) as TelemetryRecord).filter((r) => r.kind === 'integrity-failed');

async function forge(pk: string, event: string): Promise<void> {
  const ts = new Date(x.time - 500).toISOString();
  await x.store.commit([{ op: 'put', record: { table: 'audit', pk, attrs: { event, tsId: `${ts}#${pk}`, tbucket: timeBucket(ts, shardOf(pk)) } }, condition: { kind: 'absent' } }]);
}

beforeEach(async () => {
  x = await TestExchange.create();
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  const douane = await x.agency('NL-DOUANE', ['customs']);
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  nl = await x.agency('NL-ADR', ['auditor']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await publish(x, bafa);
  await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
  x.time += 1000;
});

describe('an audit item holding no event', () => {
  it('audit.query passes over it: every real event in the window, one integrity observation naming it per call', async () => {
    const clean = await x.call(olaf, 'audit.query', {});
    await forge('ev-forged-not-json', '{"id":"ev-forged-not-json",');
    await forge('ev-forged-far-ts', JSON.stringify({ id: 'ev-forged-far-ts', ts: '2000-01-01T00:00:00.000Z' })); // not the ts its index key says
    const a = await x.call(olaf, 'audit.query', {});
    expect(a.status).toBe(200);
    const ids = (a.result.events as AuditEvent[]).map((e) => e.id);
    expect(ids).toEqual([...(clean.result.events as AuditEvent[]).map((e) => e.id), ...ids.slice(-1)]); // the first query's own event is new
    expect(ids.some((id) => id.startsWith('ev-forged'))).toBe(false);
    expect(integrityObservations()).toEqual([expect.objectContaining({ action: 'audit.query', errorClass: 'MalformedEvent', check: '2 audit item(s) holding no sealable event, left unsealed, first ev-forged-far-ts' })]);
    // an `own` auditor is not stopped by it either, and learns nothing of it
    expect((await x.call(nl, 'audit.query', {})).status).toBe(200);
  });

  it('audit.proof of it (an event of another id under its key): 404 like any id that is no event, and the observation', async () => {
    const real = events()[0]!;
    const forged = `ev-${'F'.repeat(43)}`; // the shape of an event id (the schema refuses others before any read)
    await forge(forged, JSON.stringify({ ...real }));
    const before = { stored: x.snapshot(), events: events().map((e) => e.id) };
    const a = await x.call(olaf, 'audit.proof', { eventId: forged });
    expect([a.status, a.problem?.type, a.problem?.detail]).toEqual([404, 'urn:corridor:problem:not-found', `no event ${forged} in your scope`]);
    // a refusal like any other: one deny event, nothing else changed
    expect(x.snapshot()).toBe(before.stored);
    const added = events().filter((e) => !before.events.includes(e.id));
    expect(added).toEqual([expect.objectContaining({ action: 'audit.proof', decision: 'deny', status: 404, code: 'not-found' })]);
    expect(integrityObservations()).toEqual([expect.objectContaining({ action: 'audit.proof', errorClass: 'MalformedEvent', check: `1 audit item(s) holding no sealable event, left unsealed, first ${forged}` })]);
  });
});
