// delivery.confirm / delivery.list (protocol.md §5): confirm permission, idempotency per import declaration, the
// issuer's line summary with its flags, a confirming agency's own view, paging, and nothing in clear at rest.
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_DRAWDOWNS_AGED } from '../../lambdas/core/actions/delivery-summary.ts';
import { docPk, drawdownSk, encryptAt, KINDS } from '../../lambdas/core/documents.ts';
import { expectNoPlaintextAtRest, plaintextAtRest } from '../security/at-rest.ts';
import { confirmBody, END_USE_PLAINTEXT } from '../helpers/end-use.ts';
import { licenseDoc, publish } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;
let sgCustoms: TestAgency;
let myCustoms: TestAgency;

const LIC = 'DE-2026-000123';

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  sgCustoms = await x.agency('SG-CUSTOMS', ['customs']);
  myCustoms = await x.agency('MY-CUSTOMS', ['customs']);
  expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] })).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'SG-CUSTOMS', documentType: 'license', permissions: ['confirm'] })).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'MY-CUSTOMS', documentType: 'license', permissions: ['confirm'] })).status).toBe(201);
  expect((await publish(x, bafa)).status).toBe(201);
});

const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const draw = (declarationId: string, date: string, items: { line: number; quantity: number }[]) =>
  x.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LIC, declarationId, date, items });
const confirm = (as: TestAgency, over: Record<string, unknown> = {}) => x.call(as, 'delivery.confirm', confirmBody(over));
type Line = { line: number; shipped?: number; delivered: number; outstanding?: number; flags?: string[] };
const lines = (a: Answer) => a.result.lines as Line[];

describe('delivery.confirm', () => {
  it('records a confirmation (201) and audits ids only', async () => {
    const a = await confirm(sgCustoms);
    expect(a.status).toBe(201);
    expect(a.result).toEqual({ issuer: 'DE-BAFA', licenseId: LIC, importDeclarationId: 'SG-IMP-0001', lines: [{ line: 1, quantity: 5 }], recordedAt: '2026-11-22T10:00:00.000Z', replayed: false });
    const e = x.auditEvents().at(-1)!;
    expect(e).toMatchObject({ actor: 'SG-CUSTOMS', owner: 'DE-BAFA', action: 'delivery.confirm', resource: `license:DE-BAFA/${LIC}`, details: { importDeclarationId: 'SG-IMP-0001' } });
    expect(JSON.stringify(e)).not.toMatch(/Lumen|Straits|STRAITS/);
  });

  it('the same import declaration with the same content is a replay (200, stored original); other content 409', async () => {
    const first = await confirm(sgCustoms, { items: [{ line: 2, quantity: 1 }, { line: 1, quantity: 5 }] });
    x.time += 60_000;
    const again = await confirm(sgCustoms, { items: [{ line: 1, quantity: 5 }, { line: 2, quantity: 1 }] });
    expect([again.status, again.result]).toEqual([200, { ...first.result, replayed: true }]);
    expect(x.auditEvents().at(-1)!.details).toEqual({ importDeclarationId: 'SG-IMP-0001', replayed: true });
    expect(await refused(() => confirm(sgCustoms, { items: [{ line: 1, quantity: 6 }] }), 409, 'conflict')).toBe('import declaration SG-IMP-0001 was already confirmed with other content');
    await refused(() => confirm(sgCustoms, { endUser: { name: 'Someone else' } }), 409, 'conflict');
    // another agency's declaration with the same id is another confirmation
    expect((await confirm(myCustoms)).status).toBe(201);
  });

  it('needs confirm: verify and drawdown are not enough (403 before 404, same detail); a withdrawn grant stops it', async () => {
    const exists = await refused(() => confirm(douane), 403, 'no-agreement');
    const missing = await refused(() => confirm(douane, { licenseId: 'DE-NOPE' }), 403, 'no-agreement');
    expect(missing).toBe(exists);
    expect(exists).toBe('DE-BAFA has not granted NL-DOUANE confirm on its licenses');
    await refused(() => confirm(sgCustoms, { licenseId: 'DE-NOPE' }), 404, 'not-found');
    expect((await x.call(bafa, 'agreement.put', { partner: 'SG-CUSTOMS', documentType: 'license', permissions: [] })).status).toBe(200);
    await refused(() => confirm(sgCustoms), 403, 'no-agreement');
  });

  it('refuses a line the license does not have (409), a line twice or a future date (400), a licensing caller (403)', async () => {
    expect(await refused(() => confirm(sgCustoms, { items: [{ line: 1, quantity: 1 }, { line: 7, quantity: 1 }] }), 409, 'conflict')).toBe(`line 7 is not on license ${LIC} version 1; nothing was confirmed`);
    await refused(() => confirm(sgCustoms, { items: [{ line: 1, quantity: 1 }, { line: 1, quantity: 2 }] }), 400, 'body-invalid');
    await refused(() => confirm(sgCustoms, { date: '2026-11-23' }), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'delivery.confirm', confirmBody()), 403, 'role-forbidden');
    await refused(() => confirm(sgCustoms, { consignee: { name: 'x', country: 'SG' } }), 400, 'body-invalid');
  });

  it('is recorded on a suspended license (a fact reported), and beyond what was shipped', async () => {
    expect((await x.call(bafa, 'license.status', { licenseId: LIC, status: 'suspended', reason: 'review' })).status).toBe(200);
    expect((await confirm(sgCustoms, { items: [{ line: 1, quantity: 40 }] })).status).toBe(201);
  });
});

describe('delivery.list', () => {
  it('the issuer sees shipped, delivered, outstanding and each flag per line', async () => {
    x.time = Date.parse('2026-05-01T10:00:00Z');
    await publish(x, bafa, licenseDoc({ version: 2, issuedAt: '2026-04-01T09:00:00Z', validFrom: '2026-04-01' }));
    expect((await draw('NL-OLD-1', '2026-05-01', [{ line: 1, quantity: 10 }, { line: 2, quantity: 2 }])).status).toBe(201);
    x.time = Date.parse('2026-11-22T10:00:00Z');
    expect((await draw('NL-NEW-1', '2026-11-20', [{ line: 1, quantity: 10 }])).status).toBe(201);
    // line 1: 12 of the 20 shipped delivered, 8 of them to another end user; line 2: 3 delivered of 2 shipped
    expect((await confirm(sgCustoms, { importDeclarationId: 'SG-IMP-1', items: [{ line: 1, quantity: 4 }, { line: 2, quantity: 3 }] })).status).toBe(201);
    expect((await confirm(myCustoms, { importDeclarationId: 'MY-IMP-1', items: [{ line: 1, quantity: 8 }], endUser: { name: 'Other Lab' } })).status).toBe(201);
    const a = await x.call(bafa, 'delivery.list', { licenseId: LIC });
    expect(a.status).toBe(200);
    expect(lines(a)).toEqual([
      { line: 1, controlCode: '6A003.b.4', licensed: 40, shipped: 20, delivered: 12, outstanding: 8, flags: ['end-user-mismatch'] },
      { line: 2, controlCode: '6A004.a', licensed: 10, shipped: 2, delivered: 3, outstanding: 0, flags: ['over-delivered'] },
    ]);
    expect(a.result.aging).toEqual({ notDeliveredAfterDays: 90, shippedOnOrBefore: '2026-08-24', drawdownsExamined: 2, complete: true });
    expect((a.result.confirmations as { importDeclarationId: string; flags: string[] }[]).map((c) => [c.importDeclarationId, c.flags])).toEqual([['MY-IMP-1', ['end-user-mismatch']], ['SG-IMP-1', []]]);
    // Only May's 10 are 90 days old, and 12 were delivered: nothing is overdue yet. Once the November shipment is
    // 90 days old too, 20 shipped that long ago against 12 delivered is.
    x.time = Date.parse('2027-02-20T10:00:00Z'); // 2026-11-20 + 92 days
    const later = await x.call(bafa, 'delivery.list', { licenseId: LIC });
    expect(lines(later).map((l) => [l.line, l.flags])).toEqual([[1, ['end-user-mismatch', 'not-delivered']], [2, ['over-delivered']]]);
  });

  it('a line still undelivered N days after its shipment is flagged not-delivered, however much came later', async () => {
    x.time = Date.parse('2026-06-01T10:00:00Z');
    await publish(x, bafa, licenseDoc({ version: 2, issuedAt: '2026-05-01T09:00:00Z', validFrom: '2026-05-01' }));
    await draw('NL-JUN', '2026-06-01', [{ line: 1, quantity: 5 }]);
    x.time = Date.parse('2026-08-30T10:00:00Z'); // 90 days after 2026-06-01
    const due = await x.call(bafa, 'delivery.list', { licenseId: LIC });
    expect(lines(due)[0]!.flags).toEqual(['not-delivered']);
    expect((await confirm(sgCustoms, { date: '2026-08-29', items: [{ line: 1, quantity: 5 }] })).status).toBe(201);
    expect(lines(await x.call(bafa, 'delivery.list', { licenseId: LIC }))[0]!.flags).toEqual([]);
  });

  it('N is the deployment\'s setting (services.deliveryOverdueDays), not a constant', async () => {
    (x.services as { deliveryOverdueDays?: number }).deliveryOverdueDays = 2;
    await draw('NL-NOV', '2026-11-20', [{ line: 2, quantity: 1 }]);
    const a = await x.call(bafa, 'delivery.list', { licenseId: LIC });
    expect(a.result.aging).toEqual({ notDeliveredAfterDays: 2, shippedOnOrBefore: '2026-11-20', drawdownsExamined: 1, complete: true });
    expect(lines(a).map((l) => [l.line, l.flags])).toEqual([[1, []], [2, ['not-delivered']]]);
  });

  it('reads at most MAX_DRAWDOWNS_AGED drawdowns for the flag, and says when that was not all of them', async () => {
    // Stored as license.drawdown stores them (encrypted record under the license's key and record address), faster than 1,001 calls.
    const put = async (from: number, to: number) => {
      const records = [];
      for (let i = from; i < to; i++) {
        const sk = drawdownSk('NL-DOUANE', `D-${String(i).padStart(5, '0')}`);
        const record = await encryptAt(x.services.cipher, KINDS.license, 'DE-BAFA', LIC, sk, 'record', JSON.stringify({ declarationId: `D-${i}`, agency: 'NL-DOUANE', date: '2026-01-02', lines: [{ line: 1, drawn: 1 }] }));
        records.push({ table: 'documents' as const, pk: docPk(KINDS.license, 'DE-BAFA', LIC), sk, attrs: { declarationId: `D-${i}`, agency: 'NL-DOUANE', recordedAt: '2026-01-02T00:00:00Z', record } });
      }
      await x.store.putMany(records);
    };
    await put(0, MAX_DRAWDOWNS_AGED);
    expect((await x.call(bafa, 'delivery.list', { licenseId: LIC })).result.aging).toMatchObject({ drawdownsExamined: MAX_DRAWDOWNS_AGED, complete: true });
    await put(MAX_DRAWDOWNS_AGED, MAX_DRAWDOWNS_AGED + 1);
    const a = await x.call(bafa, 'delivery.list', { licenseId: LIC });
    expect(a.result.aging).toMatchObject({ drawdownsExamined: MAX_DRAWDOWNS_AGED, complete: false });
    expect(lines(a)[0]!.flags).toEqual(['not-delivered']);
  });

  it('a confirming agency sees only its own confirmations and totals, needs confirm, and must name the issuer', async () => {
    await confirm(sgCustoms, { importDeclarationId: 'SG-IMP-1' });
    await confirm(myCustoms, { importDeclarationId: 'MY-IMP-1', items: [{ line: 2, quantity: 1 }] });
    const mine = await x.call(sgCustoms, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC });
    expect(mine.status).toBe(200);
    expect(lines(mine)).toEqual([{ line: 1, delivered: 5 }]);
    expect(mine.result.aging).toBeUndefined();
    expect(mine.result.confirmations).toEqual([{ importDeclarationId: 'SG-IMP-1', agency: 'SG-CUSTOMS', date: '2026-11-20', lines: [{ line: 1, quantity: 5 }], consignee: { name: 'Lumen Trading Pte. Ltd.' }, endUser: { name: 'STRAITS PHOTONICS LAB' }, recordedAt: '2026-11-22T10:00:00.000Z' }]);
    await refused(() => x.call(douane, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC }), 403, 'no-agreement');
    const a = await x.call(sgCustoms, 'delivery.list', { licenseId: LIC });
    expect([a.status, a.problem.errors]).toEqual([400, [{ pointer: '/body/issuer', detail: 'is required' }]]);
    const fr = await x.agency('FR-SBDU', ['licensing']);
    await refused(() => x.call(fr, 'delivery.list', { licenseId: LIC }), 404, 'not-found');
  });

  it('pages confirmations with a cursor bound to the caller and license; the summary comes once', async () => {
    for (let i = 1; i <= 5; i++) expect((await confirm(sgCustoms, { importDeclarationId: `SG-IMP-${i}`, items: [{ line: 1, quantity: 1 }] })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const a = await x.call(bafa, 'delivery.list', { licenseId: LIC, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(a.status).toBe(200);
      expect('lines' in a.result).toBe(pages === 0);
      seen.push(...(a.result.confirmations as { importDeclarationId: string }[]).map((c) => c.importDeclarationId));
      cursor = a.result.cursor as string | null;
      pages++;
    } while (cursor);
    expect([pages, seen]).toEqual([3, ['SG-IMP-1', 'SG-IMP-2', 'SG-IMP-3', 'SG-IMP-4', 'SG-IMP-5']]);
    const first = await x.call(bafa, 'delivery.list', { licenseId: LIC, limit: 2 });
    const stolen = await refused(() => x.call(sgCustoms, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC, cursor: first.result.cursor }), 400, 'body-invalid');
    expect(stolen).toBe('cursor is not valid for this caller and these filters');
  });

  it('names, dates and quantities are encrypted at rest', async () => {
    await confirm(sgCustoms, { consignee: { name: 'Harbourfront Imaging Pte' } });
    expect(plaintextAtRest(x, END_USE_PLAINTEXT)).toEqual([]);
    expectNoPlaintextAtRest(x);
    const rec = x.store.all('documents').find((r) => r.sk?.startsWith('DELIVERY#'))!;
    expect(Object.keys(rec.attrs).sort()).toEqual(['agency', 'importDeclarationId', 'record', 'recordedAt']);
  });
});
