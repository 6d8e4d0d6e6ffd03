// Eventually consistent reads (issue 16, cost): license.verify and euc.query read the document and
// balance eventually consistently (½ RRU), which the revocation bound covers (protocol.md §1); a
// refusal is still decided on a consistent read, and everything that guards a write — the drawdown's
// balance, agreements, agencies, the replay guard — stays strongly consistent. The memory store with
// lag on answers opted-out reads from a replica LAG ms behind the table, as a DynamoDB replica may be.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReadOptions, TableId } from '../../lambdas/core/ports.ts';
import { licenseDoc, publish, publishEuc, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

const LAG = 800;
const LICENSE = 'DE-2026-000123';
const VERIFY = { issuer: 'DE-BAFA', licenseId: LICENSE, shipment: shipment() };
const drawdown = (declarationId: string, quantity: number) => ({ issuer: 'DE-BAFA', licenseId: LICENSE, declarationId, date: '2026-11-22', items: [{ line: 1, quantity }] });

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;

const check = (result: Record<string, unknown>, name: string): boolean | undefined => (result.checks as { name: string; ok: boolean }[]).find((c) => c.name === name)?.ok;
const remaining = (result: Record<string, unknown>): number | undefined => (result.lines as { line: number; remaining: number }[]).find((l) => l.line === 1)?.remaining;

/** Every table read of the store while `run` runs: table, partition and whether it asked for consistency. */
async function reads(run: () => Promise<unknown>): Promise<{ table: TableId; pk: string; consistent: boolean }[]> {
  const seen: { table: TableId; pk: string; consistent: boolean }[] = [];
  const note = (table: TableId, pk: string, opts?: ReadOptions): void => {
    seen.push({ table, pk, consistent: opts?.consistent !== false });
  };
  const get = x.store.get.bind(x.store);
  const query = x.store.query.bind(x.store);
  const spies = [
    vi.spyOn(x.store, 'get').mockImplementation(async (table, pk, sk, opts) => (note(table, pk, opts), get(table, pk, sk, opts))),
    vi.spyOn(x.store, 'query').mockImplementation(async (table, pk, prefix, opts) => (note(table, pk, opts), query(table, pk, prefix, opts))),
  ];
  try {
    await run();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return seen;
}

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] });
  expect((await publish(x, bafa)).status).toBe(201);
  x.store.lagIndexes(LAG, x.clock);
});

describe('eventually consistent reads', () => {
  it('license.verify reads the license partition eventually consistently, and nothing else so', async () => {
    const seen = await reads(async () => expect((await x.call(douane, 'license.verify', VERIFY)).status).toBe(200));
    expect(seen.filter((r) => !r.consistent)).toEqual([{ table: 'documents', pk: `LICENSE#DE-BAFA#${LICENSE}`, consistent: false }]);
    expect(seen.filter((r) => r.table === 'registry').every((r) => r.consistent)).toBe(true);
  });

  it('euc.query reads the certificate partition eventually consistently, and nothing else so', async () => {
    const mti = await x.agency('SG-MTI', ['euc-issuer']);
    await x.call(mti, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['verify'] });
    expect((await publishEuc(x, mti)).status).toBe(201);
    x.time += LAG; // the certificate reaches the replica: a hit, no consistent re-read
    const seen = await reads(async () => expect((await x.call(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' })).status).toBe(200));
    expect(seen.filter((r) => !r.consistent).map((r) => r.table)).toEqual(['documents']);
    expect(seen.filter((r) => r.table === 'documents').map((r) => r.consistent)).toEqual([false]);
  });

  it('a drawdown reads only consistently (its balance guards the write)', async () => {
    const seen = await reads(async () => expect((await x.call(douane, 'license.drawdown', drawdown('D-1', 1))).status).toBe(201));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((r) => !r.consistent)).toEqual([]);
  });

  it('within the lag a verification may see the license as it was; after it, the suspension', async () => {
    expect((await x.call(bafa, 'license.status', { licenseId: LICENSE, status: 'suspended', reason: 'under review' })).status).toBe(200);
    const early = await x.call(douane, 'license.verify', VERIFY);
    expect([early.status, early.result.outcome, check(early.result, 'status')]).toEqual([200, 'valid', true]);
    x.time += LAG;
    const late = await x.call(douane, 'license.verify', VERIFY);
    expect([late.status, late.result.outcome, check(late.result, 'status')]).toEqual([200, 'invalid', false]);
  });

  it('drawdowns within the lag never over-draw: the second sees the first one\'s balance and is refused', async () => {
    expect((await x.call(douane, 'license.drawdown', drawdown('D-1', 30))).status).toBe(201);
    const second = await x.call(douane, 'license.drawdown', drawdown('D-2', 30));
    expect([second.status, second.problem?.type]).toEqual([409, 'urn:corridor:problem:conflict']);
    expect(second.problem?.detail).toContain('line 1');
    // A verification in the same instant may still report the balance before D-1, then the drawn one.
    expect(remaining((await x.call(douane, 'license.verify', VERIFY)).result)).toBe(40);
    x.time += LAG;
    expect(remaining((await x.call(douane, 'license.verify', VERIFY)).result)).toBe(10);
  });

  it('a license published within the lag is verified, not refused: not-found is decided on a consistent read', async () => {
    expect((await publish(x, bafa, licenseDoc({ licenseId: 'DE-2026-NEW' }))).status).toBe(201);
    const a = await x.call(douane, 'license.verify', { ...VERIFY, licenseId: 'DE-2026-NEW' });
    expect([a.status, a.result.outcome]).toEqual([200, 'valid']);
    const missing = await x.call(douane, 'license.verify', { ...VERIFY, licenseId: 'DE-2026-NONE' });
    expect([missing.status, missing.problem?.type]).toEqual([404, 'urn:corridor:problem:not-found']);
  });
});
