// license.drawdown / license.drawdowns (protocol.md §5 drawdown rules): atomic, idempotent, never below zero.
import { beforeEach, describe, expect, it } from 'vitest';
import { licenseDoc, publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;
let fr: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  fr = await x.agency('FR-DGDDI', ['customs']);
  for (const partner of ['NL-DOUANE', 'FR-DGDDI']) await x.call(bafa, 'agreement.put', { partner, documentType: 'license', permissions: ['verify', 'drawdown'] });
  expect((await publish(x, bafa)).status).toBe(201);
});

const refused = (send: () => Promise<{ status: number; problem: { type: string; detail: string } }>, status: number, slug: string) => expectRefusal(x, send, status, slug);

const draw = (as: TestAgency, declarationId: string, items: { line: number; quantity: number }[], extra: Record<string, unknown> = {}) =>
  x.call(as, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId, date: '2026-11-22', items, ...extra });
const remaining = async () => ((await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() })).result.lines as { line: number; remaining: number }[]).map((l) => l.remaining);

describe('license.drawdown', () => {
  it('draws all lines at once (201) and verify reports what remains', async () => {
    const a = await draw(douane, 'NL-DECL-1', [{ line: 2, quantity: 3 }, { line: 1, quantity: 15 }]);
    expect(a.status).toBe(201);
    expect(a.result).toEqual({ declarationId: 'NL-DECL-1', lines: [{ line: 1, drawn: 15, remaining: 25 }, { line: 2, drawn: 3, remaining: 7 }], replayed: false });
    expect(x.auditEvents().at(-1)).toMatchObject({ actor: 'NL-DOUANE', owner: 'DE-BAFA', action: 'license.drawdown', status: 201, details: { declarationId: 'NL-DECL-1' } });
    expect(await remaining()).toEqual([25, 7]);
  });

  it('the same declaration with the same content returns the stored original with replayed: true', async () => {
    const first = await draw(douane, 'NL-DECL-2', [{ line: 1, quantity: 5 }, { line: 2, quantity: 1 }]);
    const again = await draw(douane, 'NL-DECL-2', [{ line: 2, quantity: 1 }, { line: 1, quantity: 5 }]); // item order does not matter
    expect(again.status).toBe(200);
    expect(again.result).toEqual({ ...first.result, replayed: true });
    expect(await remaining()).toEqual([35, 9]);
    // another agency's declaration with the same id is a different drawdown
    expect((await draw(fr, 'NL-DECL-2', [{ line: 1, quantity: 5 }])).status).toBe(201);
  });

  it('the same declaration with other content → 409, nothing drawn', async () => {
    await draw(douane, 'NL-DECL-3', [{ line: 1, quantity: 5 }]);
    expect(await refused(() => draw(douane, 'NL-DECL-3', [{ line: 1, quantity: 6 }]), 409, 'conflict')).toMatch(/already recorded with other content/);
    await refused(() => draw(douane, 'NL-DECL-3', [{ line: 1, quantity: 5 }], { date: '2026-11-23' }), 409, 'conflict');
  });

  it('a line that would go below zero blocks the whole declaration (409 naming line and remaining)', async () => {
    await draw(douane, 'NL-DECL-4', [{ line: 1, quantity: 38 }]);
    const detail = await refused(() => draw(fr, 'FR-DECL-1', [{ line: 2, quantity: 1 }, { line: 1, quantity: 3 }]), 409, 'conflict');
    expect(detail).toBe('line 1: 3 requested but only 2 remaining; nothing was drawn');
    expect(await remaining()).toEqual([2, 10]);
    await refused(() => draw(fr, 'FR-DECL-2', [{ line: 9, quantity: 1 }]), 409, 'conflict');
    await refused(() => draw(fr, 'FR-DECL-3', [{ line: 1, quantity: 1 }, { line: 1, quantity: 1 }]), 400, 'body-invalid');
  });

  it('refused on a suspended, revoked or expired license, and outside the validity', async () => {
    await refused(() => draw(douane, 'D-1', [{ line: 1, quantity: 1 }], { date: '2027-11-02' }), 409, 'conflict');
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'r' });
    expect(await refused(() => draw(douane, 'D-2', [{ line: 1, quantity: 1 }]), 409, 'conflict')).toMatch(/is suspended/);
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'active', reason: 'ok' });
    x.time = Date.parse('2027-11-02T00:00:00Z');
    expect(await refused(() => draw(douane, 'D-3', [{ line: 1, quantity: 1 }], { date: '2027-11-01' }), 409, 'conflict')).toMatch(/expired/);
  });

  it('needs the drawdown permission (403) and the customs role', async () => {
    await x.call(bafa, 'agreement.put', { partner: 'FR-DGDDI', documentType: 'license', permissions: ['verify'] });
    await refused(() => draw(fr, 'FR-1', [{ line: 1, quantity: 1 }]), 403, 'no-agreement');
    await refused(() => x.call(bafa, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'X', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] }), 403, 'role-forbidden');
  });

  it('remaining follows the current version: a new version with more quantity raises it', async () => {
    await draw(douane, 'NL-DECL-5', [{ line: 1, quantity: 30 }]);
    await publish(x, bafa, licenseDoc({ version: 2, items: [{ line: 1, description: 'Thermal imaging camera', controlCode: '6A003.b.4', quantity: 50, unit: 'pcs' }] }));
    expect(await remaining()).toEqual([20]);
  });

  it('concurrent drawdowns on one line never over-draw (memory store, interleaved)', async () => {
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => draw(i % 2 ? douane : fr, `C-${i}`, [{ line: 2, quantity: 1 }])));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    expect((await remaining())[1]).toBe(0);
  });

  it('quantities and declarations are stored only encrypted', async () => {
    await draw(douane, 'NL-DECL-6', [{ line: 1, quantity: 17 }]);
    const bal = await x.store.get('documents', 'LICENSE#DE-BAFA#DE-2026-000123', 'CUR#BALANCE');
    expect(Object.keys(bal!.attrs).sort()).toEqual(['drawn', 'ver']);
    expect(bal!.attrs.drawn).toBeInstanceOf(Uint8Array);
    const rec = await x.store.get('documents', 'LICENSE#DE-BAFA#DE-2026-000123', 'DRAWDOWN#NL-DOUANE#NL-DECL-6');
    expect(Object.keys(rec!.attrs).sort()).toEqual(['agency', 'declarationId', 'record', 'recordedAt']);
  });
});

describe('license.drawdowns', () => {
  it('the issuing authority lists every drawdown (by customs agency, then declaration id); nobody else can', async () => {
    await draw(douane, 'NL-DECL-7', [{ line: 1, quantity: 2 }]);
    x.time += 1000;
    await draw(fr, 'FR-DECL-7', [{ line: 2, quantity: 1 }]);
    const a = await x.call(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123' });
    expect(a.result).toEqual({
      licenseId: 'DE-2026-000123',
      drawdowns: [
        { declarationId: 'FR-DECL-7', agency: 'FR-DGDDI', date: '2026-11-22', lines: [{ line: 2, drawn: 1 }], recordedAt: '2026-11-22T10:00:01.000Z' },
        { declarationId: 'NL-DECL-7', agency: 'NL-DOUANE', date: '2026-11-22', lines: [{ line: 1, drawn: 2 }], recordedAt: '2026-11-22T10:00:00.000Z' },
      ],
      cursor: null,
    });
    const other = await x.agency('FR-SBDU', ['licensing']);
    await refused(() => x.call(other, 'license.drawdowns', { licenseId: 'DE-2026-000123' }), 404, 'not-found');
    await refused(() => x.call(douane, 'license.drawdowns', { licenseId: 'DE-2026-000123' }), 403, 'role-forbidden');
  });
});
