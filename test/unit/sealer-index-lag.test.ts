// The seal index is a GSI (`byTime`), read eventually consistently. When it lags, a seal committed moments ago is not
// listed yet, and a path that trusted the index alone would seal its events again (issue 17 item 2 found this for the
// old `pending` index). Seals committed within the index lag allowance are read by key before anything is sealed.
// Memory store with its indexes lagging 3 s behind the table (the review's model), the check run once a second.
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { auditWrite, refusalEventId, sealableEvent, type AuditEvent } from '../../lambdas/core/audit.ts';
import type { Store } from '../../lambdas/core/ports.ts';
import { isoNow } from '../../lambdas/core/services.ts';
import { MAX_LEAVES, sealAll, type SealResult } from '../../lambdas/core/sealer.ts';
import { sealStreamBatch, type StreamedEvent } from '../../lambdas/core/stream-sealer.ts';
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

/** The completeness check with no margin (sealAll) run once a second, `runs` times: every seal it made. */
async function checkEverySecond(runs: number): Promise<SealResult[]> {
  const made: SealResult[] = [];
  for (let i = 0; i < runs; i++) {
    made.push(...(await sealAll(x.services, x.services.sealSigner)));
    x.time += 1000;
  }
  return made;
}

/** Every event insert as the stream delivers it, in write order. */
const streamed = (): StreamedEvent[] => x.store.all('audit').filter((r) => typeof r.attrs.event === 'string')
  .map((r, i) => ({ event: JSON.parse(String(r.attrs.event)) as AuditEvent, seq: String(i + 1) }));

beforeEach(async () => {
  x = await TestExchange.create();
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await writeEvents(EVENTS);
});

describe('sealing while the seal index lags 3 s behind the table', () => {
  it('a stream batch over MAX_LEAVES makes two seals; checks during the lag seal nothing again; audit verify finds each event once', async () => {
    const total = x.auditEvents().length;
    expect(total).toBeGreaterThan(MAX_LEAVES); // the events fill one seal and spill into a second
    x.store.lagIndexes(3000, x.clock);
    const made = await sealStreamBatch(x.services, x.services.sealSigner, streamed());
    expect(made.map((s) => [s.seq, s.count])).toEqual([[0, MAX_LEAVES], [1, total - MAX_LEAVES]]);
    expect(await checkEverySecond(6)).toEqual([]);
    const report = await verifyAuditLog(await bundle(x, olaf, await allEvents(x, olaf)), { complete: true });
    expect(report.problems).toEqual([]);
    expect([report.seals, report.leaves]).toEqual([2, total]);
  });

  it('sealAll on a clock that does not move (the lag never ends within the run) seals once, then nothing', async () => {
    x.store.lagIndexes(3000, x.clock);
    expect((await sealAll(x.services, x.services.sealSigner)).map((s) => s.seq)).toEqual([0, 1]);
    expect(await sealAll(x.services, x.services.sealSigner)).toEqual([]);
  });

  it('a crash mid-batch under the lag: the retried batch seals only what the crash left, and the checks nothing', async () => {
    x.store.lagIndexes(3000, x.clock);
    const store = x.store as Store;
    const commit = store.commit.bind(store);
    store.commit = async (writes) => {
      await commit(writes);
      throw new Error('crash after the first seal committed');
    };
    const batch = streamed();
    await expect(sealStreamBatch(x.services, x.services.sealSigner, batch)).rejects.toThrow('crash after the first seal committed');
    store.commit = commit;
    const retried = await sealStreamBatch(x.services, x.services.sealSigner, batch);
    expect(retried.map((s) => [s.seq, s.count])).toEqual([[1, batch.length - MAX_LEAVES]]);
    expect(await checkEverySecond(6)).toEqual([]);
    const report = await verifyAuditLog(await bundle(x, olaf, await allEvents(x, olaf)), { complete: true });
    expect(report.problems).toEqual([]);
    expect(report.leaves).toBe(batch.length);
  });
});
