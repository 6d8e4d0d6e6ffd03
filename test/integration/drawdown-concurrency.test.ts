// Drawdowns under contention on DynamoDB (moto): optimistic read–decrypt–write never over-draws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenseDoc, publish, shipment } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange } from '../helpers/moto-exchange.ts';

let x: MotoExchange;
let bafa: TestAgency;
let douane: TestAgency;

const LINES = [
  { line: 1, description: 'Thermal imaging camera', controlCode: '6A003.b.4', quantity: 20, unit: 'pcs' },
  { line: 2, description: 'Spare lens', controlCode: '6A004.a', quantity: 100, unit: 'pcs' },
];

beforeAll(async () => {
  // moto on two cores is far slower than DynamoDB under 50-way contention: a longer retry budget
  x = await MotoExchange.start({ retryDeadlineMs: 60_000 });
  expect(x.emulator.serialized).toBe(true); // plain threaded moto does not isolate concurrent transactions
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] });
  expect((await publish(x, bafa, licenseDoc({ items: LINES, validFrom: '2026-01-01' }))).status).toBe(201);
});

afterAll(async () => {
  await x?.stop();
});

const draw = (declarationId: string, line: number, quantity = 1) =>
  x.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId, date: new Date().toISOString().slice(0, 10), items: [{ line, quantity }] });
const remaining = async () => ((await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment({ date: new Date().toISOString().slice(0, 10) }) })).result.lines as { remaining: number }[]).map((l) => l.remaining);
const drawdownEvents = async () => (await x.auditEvents()).filter((e) => e.action === 'license.drawdown').length;

describe('drawdown concurrency on moto', () => {
  it('50 concurrent drawdowns of 1 against 20 remaining: exactly 20 succeed, 30 get 409, remaining 0, 50 audit events', async () => {
    const eventsBefore = await drawdownEvents();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => draw(`DECL-${String(i).padStart(3, '0')}`, 1)));
    const ms = Date.now() - started;
    expect(results.filter((r) => r.status === 201)).toHaveLength(20);
    expect(results.filter((r) => r.status === 409)).toHaveLength(30);
    for (const r of results.filter((r) => r.status === 409)) expect(r.problem.detail).toMatch(/^line 1: 1 requested but only 0 remaining/);
    expect((await remaining())[0]).toBe(0);
    // every answer's auditId is in the table
    const ids = new Set((await x.auditEvents()).map((e) => e.id));
    expect(results.filter((r) => !ids.has(String(r.claims.auditId)))).toEqual([]);
    expect((await drawdownEvents()) - eventsBefore).toBe(50);
    const listed = await x.call(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123' });
    expect((listed.result.drawdowns as unknown[]).length).toBe(20);
    console.info(`[drawdown-concurrency] 50 concurrent drawdowns, 20 applied: ${ms} ms`);
  }, 60_000);

  it('the same declaration sent 10 times concurrently applies once', async () => {
    const before = (await remaining())[1]!;
    const results = await Promise.all(Array.from({ length: 10 }, () => draw('DECL-SAME', 2, 7)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const replays = results.filter((r) => r.status === 200);
    expect(replays).toHaveLength(9);
    for (const r of replays) expect(r.result).toEqual({ declarationId: 'DECL-SAME', lines: [{ line: 2, drawn: 7, remaining: before - 7 }], replayed: true });
    expect((await remaining())[1]).toBe(before - 7);
  }, 60_000);

  it('a drawdown and its audit event commit together: if the audit write fails, nothing is drawn', async () => {
    const before = await x.snapshot();
    const events = (await x.auditEvents()).length;
    const name = 'fail-transactions';
    x.clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' || context.commandName === 'PutItemCommand') throw Object.assign(new Error('timeout'), { name: 'InternalServerError' });
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const a = await draw('DECL-FAIL', 2, 1);
      expect(a.status).toBe(503);
      expect(a.claims.auditId).toBeUndefined();
    } finally {
      x.clients.dynamodb.middlewareStack.remove(name);
    }
    expect(await x.snapshot()).toBe(before);
    expect((await x.auditEvents()).length).toBe(events);
  });
});
