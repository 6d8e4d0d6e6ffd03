// Issue 17 item 2: the `pending` index is a GSI, read eventually consistently. When it lags, an event
// already sealed and marked is still listed as pending; the sealer's repair only excluded the last
// seal's events, so with two seals inside the lag the first one's events were sealed again. An event
// now enters a seal only when a consistent read of the table shows it still pending. Memory store with
// its indexes lagging 3 s behind the table (the review's model), the sealer run once a second.
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { auditWrite, refusalEventId, sealableEvent } from '../../lambdas/core/audit.ts';
import { isoNow } from '../../lambdas/core/services.ts';
import { MAX_LEAVES, sealAll, sealOnce, type SealResult } from '../../lambdas/core/sealer.ts';
import { allEvents, bundle } from '../helpers/audit.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

const EVENTS = 2000;

let x: TestExchange;
let olaf: TestAgency;

/** `n` events as the exchange writes them (one transaction each), 1 ms apart. */
async function writeEvents(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    x.time += 1;
    const e = sealableEvent({ id: refusalEventId(), ts: isoNow(x.time), exchangeId: x.services.exchangeId, actor: 'NL-DOUANE', action: 'license.verify', decision: 'allow', status: 200, rqd: 'rqd', rsd: 'rsd', sourceIp: '127.0.0.1', requestId: `r-${i}` });
    await x.store.commit([auditWrite(e)]);
  }
}

/** The sealer run once a second, `runs` times: every seal made. */
async function sealEverySecond(runs: number): Promise<SealResult[]> {
  const made: SealResult[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await sealOnce(x.services, x.services.sealSigner);
    if (r) made.push(r);
    x.time += 1000;
  }
  return made;
}

beforeEach(async () => {
  x = await TestExchange.create();
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await writeEvents(EVENTS);
});

describe('the sealer while the pending index lags 3 s behind the table', () => {
  it('seals each event once: two seals for 2,000 events and the setup calls, then nothing; audit verify finds no event in two seals', async () => {
    const total = x.auditEvents().length;
    expect(total).toBeGreaterThan(MAX_LEAVES); // the events fill one seal and spill into a second
    x.store.lagIndexes(3000, x.clock);

    const made = await sealEverySecond(6);

    expect(made.map((s) => [s.seq, s.count])).toEqual([[0, MAX_LEAVES], [1, total - MAX_LEAVES]]);
    x.time += 3000; // the index catches up: nothing is pending any more
    expect(x.store.all('audit').filter((r) => r.attrs.pending !== undefined)).toEqual([]);
    const report = await verifyAuditLog(await bundle(x, olaf, await allEvents(x, olaf)), { complete: true });
    expect(report.problems).toEqual([]);
    expect([report.seals, report.leaves]).toEqual([2, total]);
  });

  it('sealAll on a clock that does not move (the lag never ends within the run) stops after the two seals', async () => {
    x.store.lagIndexes(3000, x.clock);
    expect((await sealAll(x.services, x.services.sealSigner)).map((s) => s.seq)).toEqual([0, 1]);
    expect(await sealAll(x.services, x.services.sealSigner)).toEqual([]);
  });

  it('a crash between a seal and its marking is still repaired under the lag: the unmarked events are marked, not sealed again', async () => {
    x.store.lagIndexes(3000, x.clock);
    const putMany = x.store.putMany.bind(x.store);
    x.store.putMany = async () => {
      throw new Error('crash while marking');
    };
    await expect(sealOnce(x.services, x.services.sealSigner)).rejects.toThrow('crash while marking');
    x.store.putMany = putMany;
    x.time += 1000;
    const made = await sealEverySecond(6);
    expect(made.map((s) => s.seq)).toEqual([1]);
    const written = x.auditEvents().length;
    const report = await verifyAuditLog(await bundle(x, olaf, await allEvents(x, olaf)), { complete: true });
    expect(report.problems).toEqual([]);
    expect(report.leaves).toBe(written);
  });
});
