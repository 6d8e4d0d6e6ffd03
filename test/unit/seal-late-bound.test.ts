// Issue 17 item 3: an event written straight into the audit table with a `ts` a year old was sealed as
// "late", audit.query showed it on that old day, and `audit verify --complete` said ok. The stream sealer
// compares each event's ts with the time DynamoDB recorded its write (the stream record's creation time):
// written more than the late bound (LATE_BOUND_SECONDS: no handler can take longer to write its event) after
// its ts, it is still sealed, so it is not lost, but counted in the seal (`lateBeyondBound`), reported as an
// integrity failure, and counted by the verifier. A slow request's event within the bound, and events the
// stream held back during a sealer outage (written on time, sealed late), are not flagged.
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MemoryTelemetry } from '../../lambdas/adapters/memory/memory-telemetry.ts';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { auditWrite, refusalEventId, sealableEvent, type AuditEvent } from '../../lambdas/core/audit.ts';
import { b64url, merkleRoot, sha256 } from '../../lambdas/core/merkle.ts';
import { LATE_BOUND_SECONDS } from '../../lambdas/core/seals.ts';
import { isoNow } from '../../lambdas/core/services.ts';
import { MAX_LEAVES } from '../../lambdas/core/sealer.ts';
import { sealStreamBatch, type StreamedEvent } from '../../lambdas/core/stream-sealer.ts';
import { allEvents, bundle, sealNow } from '../helpers/audit.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

const YEAR = 365 * 86_400_000;
const encoder = new TextEncoder();

/** A seal signed by the exchange's seal key over any payload, as the sealer signs. */
async function signSeal(payload: Record<string, unknown>): Promise<string> {
  const signer = x.services.sealSigner;
  const { kid } = await signer.publicKey();
  const input = `${b64url(encoder.encode(JSON.stringify({ alg: 'ES256', kid, typ: 'corridor-seal+jws' })))}.${b64url(encoder.encode(JSON.stringify(payload)))}`;
  return `${input}.${b64url(await signer.sign(encoder.encode(input)))}`;
}
const BOUND = LATE_BOUND_SECONDS * 1000;

let x: TestExchange;
let olaf: TestAgency;
let douane: TestAgency;
/** When the last seal of the setup was made (a draining seal: nothing was left pending). */
let sealedAt: number;

/** An event as an insider would put it into the table: well-formed, hashed, pending, with the ts it chose. */
async function writeDirectly(ts: number, actor = 'NL-DOUANE'): Promise<AuditEvent> {
  const e = sealableEvent({ id: refusalEventId(), ts: isoNow(ts), exchangeId: x.services.exchangeId, actor, owner: 'DE-BAFA', action: 'license.drawdown', decision: 'allow', status: 201, rqd: 'rqd', rsd: 'rsd', sourceIp: '10.0.0.1', requestId: 'r-backdated' });
  await x.store.commit([auditWrite(e)]);
  return e;
}

let streamSeq = 0;
/** The stream sealer handed `events`, each written (as DynamoDB recorded it) at `writtenAt`, default the clock now. */
const sealStream = (events: readonly AuditEvent[], writtenAt = x.time) =>
  sealStreamBatch(x.services, x.services.sealSigner, events.map((event): StreamedEvent => ({ event, seq: String(++streamSeq), writtenAt })));

const sealPayloads = async (): Promise<Record<string, unknown>[]> => (await bundle(x, olaf, [])).seals.map((s) => decodeJwt(s));

/** audit verify as the CLI runs it (events of the last 30 days), with the events of `extra` windows too; --complete for `all`. */
async function verifyAll(auditor = olaf, extra: { from: string; to: string }[] = []) {
  const events = await allEvents(x, auditor, { from: isoNow(x.time - 30 * 86_400_000) });
  for (const w of extra) events.push(...(await allEvents(x, auditor, w)));
  return verifyAuditLog(await bundle(x, auditor, events), { complete: auditor === olaf });
}

beforeEach(async () => {
  x = await TestExchange.create();
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  douane = await x.agency('NL-DOUANE', ['customs']);
  sealedAt = x.time;
  expect(await sealNow(x)).toHaveLength(1);
  x.time += 60_000; // the next minute's run
});

describe('a backdated event', () => {
  it('a year old, written straight into the table: sealed (not lost), counted in the seal, reported, and counted by audit verify', async () => {
    const e = await writeDirectly(x.time - YEAR);
    const [seal] = await sealStream([e]);
    expect(seal).toMatchObject({ seq: 1, count: 1, lateBeyondBound: 1 });

    const oldDay = { from: isoNow(x.time - YEAR - 3_600_000), to: isoNow(x.time - YEAR + 3_600_000) };
    const report = await verifyAll(olaf, [oldDay]);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([`seal 1: the sealer found 1 event(s) written more than ${LATE_BOUND_SECONDS} s after their ts (lateBeyondBound)`]);
    const payloads = await sealPayloads();
    expect(payloads.map((p) => [p.backlog, p.lateBeyondBound])).toEqual([[true, undefined], [true, 1]]);
    // The operators' alarm: one integrity failure for the seal, naming ids only.
    const alarms = (x.services.telemetry as MemoryTelemetry).of('integrity-failed');
    expect(alarms).toEqual([expect.objectContaining({ dependency: 'audit', errorClass: 'LateBeyondBound', check: `seal 1 holds 1 event(s) written more than ${LATE_BOUND_SECONDS} s after their ts, first ${e.id}` })]);
    // audit.query still shows it where its ts puts it: nothing is hidden, the verifier says what it is.
    expect((await allEvents(x, olaf, oldDay)).map((ev) => ev.id)).toEqual([e.id]);
  });

  it('an auditor whose scope does not hold the event still sees the seal\'s count', async () => {
    const sg = await x.agency('SG-AUDIT', ['auditor']);
    await sealNow(x);
    await sealStream([await writeDirectly(x.time - YEAR)]);
    const report = await verifyAll(sg);
    expect(report.problems).toEqual([`seal 2: the sealer found 1 event(s) written more than ${LATE_BOUND_SECONDS} s after their ts (lateBeyondBound)`]);
  });

  it('one millisecond beyond the bound is flagged; exactly at the bound is not', async () => {
    const at = await writeDirectly(x.time - BOUND);
    const beyond = await writeDirectly(x.time - BOUND - 1);
    expect(await sealStream([at, beyond])).toEqual([expect.objectContaining({ seq: 1, count: 2, lateBeyondBound: 1 })]);
    const alarms = (x.services.telemetry as MemoryTelemetry).of('integrity-failed');
    expect(alarms.map((a) => a.check)).toEqual([expect.stringContaining(`first ${beyond.id}`)]);
  });
});

describe('late events that are no fault', () => {
  it('a slow request\'s event, written 30 s after its ts (within the bound), is sealed unflagged', async () => {
    const late = await writeDirectly(x.time - 30_000);
    const [seal] = await sealStream([late]);
    expect(seal).toMatchObject({ seq: 1, count: 1 });
    expect(seal!.lateBeyondBound).toBeUndefined();
    const report = await verifyAll();
    expect(report.problems).toEqual([]);
    expect((await allEvents(x, olaf, { from: isoNow(sealedAt - 60_000) })).map((e) => e.id)).toContain(late.id);
  });

  it('a sealer outage: events written on time, held ten minutes by the stream, are sealed then, unflagged', async () => {
    const written: AuditEvent[] = [];
    for (let i = 0; i < MAX_LEAVES + 100; i++) {
      x.time += 1;
      written.push(await writeDirectly(x.time));
    }
    const writtenAt = x.time;
    x.time += 600_000;
    const made = await sealStream(written, writtenAt);
    expect(made.map((s) => [s.seq, s.count, s.lateBeyondBound])).toEqual([[1, MAX_LEAVES, undefined], [2, 100, undefined]]);
    const report = await verifyAll();
    expect(report.problems).toEqual([]);
  });

  it('seals made before sealedAt existed are no reference: a chain of them, a late event included, verifies as before', async () => {
    const events = await allEvents(x, olaf);
    const late = await writeDirectly(x.time - YEAR);
    const b = await bundle(x, olaf, [...events, late]);
    // The same two seals as the sealer used to sign them: {exchangeId, seq, count, first, last, root, prev} only.
    const legacy: string[] = [];
    for (const [seq, batch] of [events.filter((e) => b.leaves[0]!.includes(e.hash)), [late]].entries()) {
      const payload = { exchangeId: x.services.exchangeId, seq, count: batch.length, first: batch[0]!.id, last: batch.at(-1)!.id, root: b64url(merkleRoot(batch.map((e) => Buffer.from(e.hash, 'base64url')))), prev: seq === 0 ? null : b64url(sha256(legacy[0]!)) };
      legacy.push(await signSeal(payload));
    }
    const report = await verifyAuditLog({ ...b, seals: legacy, leaves: [b.leaves[0]!, [late.hash]] }, { complete: true });
    expect(report.problems).toEqual([]);
    expect(report.seals).toBe(2);
  });
});
