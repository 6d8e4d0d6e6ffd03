/**
 * Against moto (started by the test helper on a free loopback port): every DynamoDB and KMS request
 * is counted by an SDK middleware on the real clients, with the capacity units DynamoDB would bill
 * for it (computed from item sizes and the tables' index definitions and projections, see capacity.ts).
 * Measures verifications/s, drawdowns/s on one contended license, and request latencies.
 */
import { DEFAULT_AGENCY_CACHE_MS } from '../lambdas/config.ts';
import { AgencyDirectory } from '../lambdas/core/agency-directory.ts';
import { Exchange } from '../lambdas/core/exchange.ts';
import type { AuditEvent } from '../lambdas/core/audit.ts';
import { checkSealed } from '../lambdas/core/seal-check.ts';
import type { SealResult } from '../lambdas/core/seal-commit.ts';
import { sealStreamBatch } from '../lambdas/core/stream-sealer.ts';
import { SEAL_BATCH } from '../lib/constructs/sealer-schedule.ts';
import { signRequest } from '../lambdas/client/signing.ts';
import { licenseDoc, publish, shipment } from '../test/helpers/licenses.ts';
import { EXCHANGE_ID } from '../test/helpers/memory-exchange.ts';
import { MotoExchange } from '../test/helpers/moto-exchange.ts';
import { TABLES } from '../lambdas/definitions.ts';
import { CapacityMeter, emptyCapacity, type Capacity } from './capacity.ts';

export interface CallCounts { dynamodb: Record<string, number>; kms: Record<string, number>; capacity: Capacity }
export interface PhaseResult { n: number; seconds: number; perSecond: number; calls: CallCounts; latenciesMs: number[]; statuses: Record<string, number> }
export interface MotoResult { coldFirstVerify: CallCounts; verify: PhaseResult; drawdown: PhaseResult; drawdownUncontended: PhaseResult; seal: { events: number; calls: CallCounts; seconds: number; idleRunMs: number } }

class Counter {
  dynamodb: Record<string, number> = {};
  kms: Record<string, number> = {};
  capacity: Capacity = emptyCapacity();

  reset(): CallCounts {
    const snapshot = { dynamodb: this.dynamodb, kms: this.kms, capacity: this.capacity };
    this.dynamodb = {};
    this.kms = {};
    this.capacity = emptyCapacity();
    return snapshot;
  }
}

type Middleware = (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<{ output: unknown }>;
interface Stackable { middlewareStack: { add(m: Middleware, o: { step: 'initialize'; name: string }): void } }

function count(client: Stackable, into: (command: string, input: unknown, output: unknown) => void): void {
  client.middlewareStack.add((next, context) => async (args) => {
    const result = await next(args);
    into(context.commandName ?? 'unknown', args.input, result.output);
    return result;
  }, { step: 'initialize', name: 'corridorBenchCounter' });
}

async function phase(n: number, concurrency: number, counter: Counter, run: (i: number) => Promise<number>): Promise<PhaseResult> {
  counter.reset();
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      const status = await run(i);
      latenciesMs.push(performance.now() - t);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { n, seconds, perSecond: n / seconds, calls: counter.reset(), latenciesMs, statuses };
}

export async function motoBench(verifications = 1000, drawdowns = 200, drawdownConcurrency = 8): Promise<MotoResult> {
  const x = await MotoExchange.start();
  try {
    const counter = new Counter();
    const meter = new CapacityMeter(Object.fromEntries(TABLES.map((def) => [x.tables[def.id], def])));
    count(x.clients.dynamodb as unknown as Stackable, (c, input, output) => {
      counter.dynamodb[c] = (counter.dynamodb[c] ?? 0) + 1;
      const u = meter.units(c, input, output);
      counter.capacity.rru += u.rru;
      counter.capacity.wru += u.wru;
      for (const [index, wru] of Object.entries(u.indexWru)) counter.capacity.indexWru[index] = (counter.capacity.indexWru[index] ?? 0) + wru;
    });
    count(x.clients.kms as unknown as Stackable, (c) => {
      counter.kms[c] = (counter.kms[c] ?? 0) + 1;
    });
    const bafa = await x.agency('DE-BAFA', ['licensing']);
    const douane = await x.agency('NL-DOUANE', ['customs']);
    await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] });
    await publish(x, bafa);
    for (const licenseId of ['DE-2026-BULK', 'DE-2026-SOLO']) await publish(x, bafa, licenseDoc({ licenseId, items: [{ line: 1, description: 'Bulk item', controlCode: '6A003.b.4', quantity: 1_000_000, unit: 'pcs' }] }));
    // A new warm process as deployed: its own caches (agency/agreement TTL, response key, data keys).
    const exchange = new Exchange({ ...x.services, directory: new AgencyDirectory(x.services.store, x.services.clock, DEFAULT_AGENCY_CACHE_MS) });
    const send = async (act: 'license.verify' | 'license.drawdown', body: unknown): Promise<number> => {
      const { jws } = await signRequest(douane, EXCHANGE_ID, act, body, {});
      return (await exchange.handle({ act, contentType: 'application/jose', body: Buffer.from(jws), sourceIp: '127.0.0.1', requestId: 'bench' })).status;
    };
    const verifyBody = { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment({ date: new Date().toISOString().slice(0, 10) }) };
    counter.reset();
    await send('license.verify', verifyBody);
    const coldFirstVerify = counter.reset();
    const verify = await phase(verifications, 8, counter, () => send('license.verify', verifyBody));
    const today = new Date().toISOString().slice(0, 10);
    const drawdown = await phase(drawdowns, drawdownConcurrency, counter, (i) => send('license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-BULK', declarationId: `BENCH-${i}`, date: today, items: [{ line: 1, quantity: 1 }] }));
    // One at a time on another license: the cost basis of a drawdown without contention retries.
    const drawdownUncontended = await phase(Math.max(20, drawdowns / 4), 1, counter, (i) => send('license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-SOLO', declarationId: `SOLO-${i}`, date: today, items: [{ line: 1, quantity: 1 }] }));
    // Sealing as deployed: the stream hands the events over in batches of SEAL_BATCH.batchSize (free: stream reads cost
    // no request units), each batch one seal; then the completeness check reads every event once more, as its runs do.
    const batch = (await x.scan('audit')).filter((i) => i.event && !i.seq).map((i) => JSON.parse(i.event!.S!) as AuditEvent)
      .sort((a, b) => a.ts.localeCompare(b.ts) || a.id.localeCompare(b.id)).map((event, n) => ({ event, seq: String(n + 1) }));
    counter.reset();
    const t = performance.now();
    const seals: SealResult[] = [];
    for (let i = 0; i < batch.length; i += SEAL_BATCH.batchSize) seals.push(...(await sealStreamBatch(x.services, x.services.sealSigner, batch.slice(i, i + SEAL_BATCH.batchSize))));
    const seconds = (performance.now() - t) / 1000;
    const missed = (await checkSealed(x.services, x.services.sealSigner, { marginSeconds: 0, cursor: true, alarm: false })).missed;
    if (missed > 0) throw new Error(`the completeness check found ${missed} event(s) the stream batches did not seal`);
    const seal = { events: seals.reduce((s, r) => s + r.count, 0), calls: counter.reset(), seconds };
    // A check run with nothing new, as most runs of a quiet exchange are: what the floor pays.
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s0 = performance.now();
      await checkSealed(x.services, x.services.sealSigner, { marginSeconds: 0, cursor: true, alarm: false });
      idle.push(performance.now() - s0);
    }
    return { coldFirstVerify, verify, drawdown, drawdownUncontended, seal: { ...seal, idleRunMs: idle.sort((a, b) => a - b)[2]! } };
  } finally {
    await x.stop();
  }
}
