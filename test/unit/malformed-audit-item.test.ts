// An audit item holding no event (written around the exchange: not JSON, or another id than its key) in an auditor's
// window: audit.query and audit.proof answer 503 integrity-failure, release nothing, raise the integrity observation
// (the IntegrityFailures alarm) and audit the refusal. Before, the JSON error was a 503 dependency-failed asking for a
// retry that could never succeed, and no alarm named the item.
import { beforeEach, describe, expect, it } from 'vitest';
import type { TelemetryRecord } from '../../lambdas/adapters/memory/memory-telemetry.ts';
import { shardOf, storedEvent, timeBucket, type AuditEvent } from '../../lambdas/core/audit.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

let x: TestExchange;
let olaf: TestAgency;

/** The events the audit table holds, the malformed item aside. */
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
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await publish(x, bafa);
  await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
  x.time += 1000;
});

describe('an audit item holding no event', () => {
  it('audit.query over it: 503 integrity-failure, no event released, an integrity observation naming it, the refusal audited', async () => {
    expect((await x.call(olaf, 'audit.query', {})).status).toBe(200);
    await forge('ev-forged-not-json', '{"id":"ev-forged-not-json",');
    const before = events().length;
    const a = await x.call(olaf, 'audit.query', {});
    expect([a.status, a.problem?.type, a.problem?.detail]).toEqual([503, 'urn:corridor:problem:integrity-failure', 'a stored record failed its integrity check; nothing was released']);
    expect(a.result).toBeUndefined();
    expect(integrityObservations()).toEqual([expect.objectContaining({ action: 'audit.query', errorClass: 'IntegrityError', check: 'integrity check failed: audit item ev-forged-not-json holds no event' })]);
    const added = events().slice(before);
    expect(events()).toHaveLength(before + 1);
    expect(added[0]).toMatchObject({ action: 'audit.query', decision: 'deny', status: 503, code: 'integrity-failure' });
  });

  it('audit.proof of it (an event of another id under its key): 503 integrity-failure, not a 404 that hides it', async () => {
    const real = events()[0]!;
    const forged = `ev-${'F'.repeat(43)}`; // the shape of an event id (the schema refuses others before any read)
    await forge(forged, JSON.stringify({ ...real }));
    const a = await x.call(olaf, 'audit.proof', { eventId: forged });
    expect([a.status, a.problem?.type]).toEqual([503, 'urn:corridor:problem:integrity-failure']);
    expect(integrityObservations()).toEqual([expect.objectContaining({ action: 'audit.proof', check: `integrity check failed: audit item ${forged} holds no event` })]);
    // the real event is still proved
    expect((await x.call(olaf, 'audit.proof', { eventId: real.id })).status).toBe(404); // not sealed yet: found, and said so
  });
});
