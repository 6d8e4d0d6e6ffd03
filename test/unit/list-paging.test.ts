// The list actions page by count and by bytes (protocol.md §5 "Lists and cursors"): agreement.list, license.drawdowns
// and audit.seals walked to the end with the smallest and the largest pages — nothing lost, nothing twice, every
// answer under the byte cap — and agreement.list's roles, order and cursor binding.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_PAGE_BYTES } from '../../lambdas/core/cursor.ts';
import { docPk, drawdownSk, encryptAt, KINDS } from '../../lambdas/core/documents.ts';
import type { StoredRecord } from '../../lambdas/core/ports.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { SEALS_HEAD, sealPk } from '../../lambdas/core/seals.ts';
import { licenseDoc, publish } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let bafa: TestAgency;
let mti: TestAgency;
let douane: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  mti = await x.agency('SG-MTI', ['euc-issuer']);
  douane = await x.agency('NL-DOUANE', ['customs']);
});

const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);

/** Every page of a list action from the first, following `cursor`; each page must be 200. */
async function walk(as: TestAgency, act: ActionName, body: Record<string, unknown>, items: string): Promise<{ items: Record<string, unknown>[]; pages: Answer[] }> {
  const all: Record<string, unknown>[] = [];
  const pages: Answer[] = [];
  let cursor: string | null = null;
  do {
    const a: Answer = await x.call(as, act, { ...body, ...(cursor ? { cursor } : {}) });
    expect(a.status, JSON.stringify(a.problem)).toBe(200);
    pages.push(a);
    all.push(...(a.result[items] as Record<string, unknown>[]));
    cursor = a.result.cursor as string | null;
  } while (cursor);
  return { items: all, pages };
}

describe('agreement.list', () => {
  const grant = (owner: TestAgency, partner: string, documentType: string, permissions: string[], validUntil?: string) =>
    x.call(owner, 'agreement.put', { partner, documentType, permissions, ...(validUntil ? { validUntil } : {}) });

  it('lists what the caller gave, then what it received, each by type then the other party; a withdrawn one is gone', async () => {
    const both = await x.agency('FR-SBDU', ['licensing', 'customs']);
    const more = ['AT-ZOLL', 'PL-KAS', 'BE-FOD'];
    for (const id of more) await x.agency(id, ['customs']);
    for (const p of ['PL-KAS', 'AT-ZOLL', 'NL-DOUANE', 'FR-SBDU']) expect((await grant(bafa, p, 'license', ['verify'])).status).toBe(201);
    expect((await grant(bafa, 'BE-FOD', 'license', ['verify', 'read'], '2026-12-31')).status).toBe(201);
    expect((await grant(mti, 'FR-SBDU', 'euc', ['read'])).status).toBe(201);
    expect((await grant(both, 'NL-DOUANE', 'license', ['verify', 'drawdown'])).status).toBe(201);
    expect((await grant(bafa, 'PL-KAS', 'license', [])).status).toBe(200); // withdrawn

    const mine = await x.call(both, 'agreement.list', {});
    expect(mine.result).toEqual({
      agreements: [
        { owner: 'FR-SBDU', partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'], grantedAt: '2026-11-22T10:00:00.000Z' },
        { owner: 'SG-MTI', partner: 'FR-SBDU', documentType: 'euc', permissions: ['read'], grantedAt: '2026-11-22T10:00:00.000Z' },
        { owner: 'DE-BAFA', partner: 'FR-SBDU', documentType: 'license', permissions: ['verify'], grantedAt: '2026-11-22T10:00:00.000Z' },
      ],
      cursor: null,
    });
    const given = (await x.call(bafa, 'agreement.list', {})).result.agreements as { partner: string; validUntil?: string }[];
    expect(given.map((a) => a.partner)).toEqual(['AT-ZOLL', 'BE-FOD', 'FR-SBDU', 'NL-DOUANE']);
    expect(given[1]!.validUntil).toBe('2026-12-31');
    expect(((await x.call(douane, 'agreement.list', {})).result.agreements as { owner: string }[]).map((a) => a.owner)).toEqual(['DE-BAFA', 'FR-SBDU']);
    // an agency with no agreement gets an empty list, not a refusal
    expect((await x.call(await x.agency('SE-TULL', ['customs']), 'agreement.list', {})).result).toEqual({ agreements: [], cursor: null });
    // audited with a count, never the agreements
    expect(x.auditEvents().at(-1)).toMatchObject({ action: 'agreement.list', actor: 'SE-TULL', owner: 'SE-TULL', resource: 'agency:SE-TULL', details: { returned: 0 } });
  });

  it('pages of 1 and of 500 give the same list, each agreement once, across the given/received boundary', async () => {
    const partners = Array.from({ length: 5 }, (_, i) => `DE-C${i}`);
    for (const p of partners) await x.agency(p, ['customs']);
    const multi = await x.agency('DE-MULTI', ['licensing', 'customs', 'euc-issuer']);
    for (const p of partners) await grant(multi, p, 'license', ['verify']);
    for (const p of partners.slice(0, 2)) await grant(multi, p, 'euc', ['verify']);
    await grant(bafa, 'DE-MULTI', 'license', ['read']);
    await grant(mti, 'DE-MULTI', 'euc', ['verify']);
    const whole = (await x.call(multi, 'agreement.list', { limit: 500 })).result;
    expect(whole.cursor).toBeNull();
    expect(whole.agreements).toHaveLength(9);
    for (const limit of [1, 2, 3, 7]) {
      const { items, pages } = await walk(multi, 'agreement.list', { limit }, 'agreements');
      expect(items, `limit ${limit}`).toEqual(whole.agreements);
      expect(pages.length).toBe(Math.ceil(9 / limit));
    }
  });

  it('by the operator or an auditor → 403 role-forbidden; a cursor of another agency or action → 400 at /body/cursor', async () => {
    const auditor = await x.agency('DE-BFDI', ['auditor'], 'ES256', { auditScope: 'all' });
    await refused(() => x.call(x.operator, 'agreement.list', {}), 403, 'role-forbidden');
    await refused(() => x.call(auditor, 'agreement.list', {}), 403, 'role-forbidden');
    for (const p of ['NL-DOUANE', 'SG-MTI']) await grant(bafa, p, 'license', ['verify']);
    const cursor = (await x.call(bafa, 'agreement.list', { limit: 1 })).result.cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const other = await x.agency('DE-ZOLL', ['licensing']);
    for (const [as, act, body] of [[other, 'agreement.list', {}], [bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123' }], [auditor, 'audit.query', {}]] as const) {
      const a = await x.call(as, act, { ...body, cursor });
      expect([a.status, a.problem.errors], act).toEqual([400, [{ pointer: '/body/cursor', detail: 'not a cursor of this query' }]]);
    }
    expect((await x.call(bafa, 'agreement.list', { limit: 1, cursor })).status).toBe(200);
  });
});

/** Drawdown records written straight to storage, as license.drawdown stores them (encrypted), `lines` lines each. */
async function storeDrawdowns(n: number, lines: number): Promise<void> {
  const spec = KINDS.license;
  const records: StoredRecord[] = [];
  for (let i = 0; i < n; i++) {
    const agency = i % 2 ? 'NL-DOUANE' : 'FR-DGDDI';
    const declarationId = `D-${String(i).padStart(4, '0')}`;
    const sk = drawdownSk(agency, declarationId);
    const drawn = Array.from({ length: lines }, (_, l) => ({ line: l + 1, drawn: 1 }));
    const stored = { declarationId, agency, date: '2026-11-22', lines: drawn, recordedAt: '2026-11-22T10:00:00.000Z', canonical: '', result: { declarationId, lines: [] } };
    const record = await encryptAt(x.services.cipher, spec, 'DE-BAFA', 'DE-2026-000123', sk, 'record', JSON.stringify(stored));
    records.push({ table: 'documents', pk: docPk(spec, 'DE-BAFA', 'DE-2026-000123'), sk, attrs: { declarationId, agency, recordedAt: stored.recordedAt, record } });
  }
  await x.store.putMany(records);
}

describe('license.drawdowns pages', () => {
  beforeEach(async () => {
    expect((await publish(x, bafa)).status).toBe(201);
  });

  const key = (d: Record<string, unknown>) => `${String(d.agency)}#${String(d.declarationId)}`;

  it('a body with only licenseId gets the first 100 and a cursor; walking any page size gives every drawdown once, in key order', async () => {
    await storeDrawdowns(230, 1);
    const first = await x.call(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123' });
    expect([(first.result.drawdowns as unknown[]).length, typeof first.result.cursor]).toEqual([100, 'string']);
    const expected = Array.from({ length: 230 }, (_, i) => `${i % 2 ? 'NL-DOUANE' : 'FR-DGDDI'}#D-${String(i).padStart(4, '0')}`).sort();
    for (const limit of [7, 100, 500]) {
      const { items, pages } = await walk(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123', limit }, 'drawdowns');
      expect(items.map(key), `limit ${limit}`).toEqual(expected);
      expect(pages).toHaveLength(Math.ceil(230 / limit));
    }
  });

  it('large drawdowns stop a page at the byte cap, well under the response limit; the cursor goes on from there', async () => {
    await storeDrawdowns(120, 500); // ~12 KB each, 1.4 MB in all
    const { items, pages } = await walk(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123', limit: 500 }, 'drawdowns');
    expect(items).toHaveLength(120);
    expect(new Set(items.map(key)).size).toBe(120);
    expect(pages.length).toBe(2);
    for (const p of pages) {
      expect(Buffer.byteLength(JSON.stringify(p.result.drawdowns))).toBeLessThanOrEqual(MAX_PAGE_BYTES);
      expect(p.raw.body.length).toBeLessThan(1.5 * MAX_PAGE_BYTES);
    }
    expect((pages[0]!.result.drawdowns as unknown[]).length).toBeLessThan(120);
  });

  it("a cursor only continues the same license; another license's cursor → 400 at /body/cursor", async () => {
    await storeDrawdowns(3, 1);
    expect((await publish(x, bafa, licenseDoc({ licenseId: 'DE-2026-000999' }))).status).toBe(201);
    const cursor = (await x.call(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123', limit: 1 })).result.cursor as string;
    const a = await refused(() => x.call(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000999', cursor }), 400, 'body-invalid');
    expect(a).toBe('cursor is not valid for this caller and these filters');
  });
});

describe('audit.seals under the byte cap', () => {
  /** 100 stored seals of 2,000 leaf hashes each (as the sealer stores them) and the head: ~9 MB if sent at once. */
  async function storeSeals(n: number): Promise<{ jws: string[]; leaves: string[][] }> {
    const jws: string[] = [];
    const leaves: string[][] = [];
    const records: StoredRecord[] = [];
    for (let seq = 0; seq < n; seq++) {
      const l = Array.from({ length: 2000 }, () => randomBytes(32).toString('base64url'));
      const j = `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify({ seq })).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
      jws.push(j);
      leaves.push(l);
      records.push({ table: 'audit', pk: sealPk(seq), attrs: { seq, jws: j, leaves: l, ids: l.map((_, i) => `ev-${seq}-${i}`) } });
    }
    records.push({ table: 'audit', pk: SEALS_HEAD, attrs: { last: n - 1, prevHash: 'x', ver: n } });
    await x.store.putMany(records);
    return { jws, leaves };
  }

  it('100 seals with full leaves: every answer under the cap, next continues, each seal exactly once', async () => {
    const auditor = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
    const stored = await storeSeals(100);
    const seals: string[] = [];
    const leaves: string[][] = [];
    const sizes: number[] = [];
    for (let fromSeq: number | null = 0; fromSeq !== null;) {
      const a = await x.call(auditor, 'audit.seals', { fromSeq, leaves: true });
      expect(a.status).toBe(200);
      const got = a.result.seals as string[];
      expect(got.length).toBeGreaterThan(0);
      seals.push(...got);
      leaves.push(...(a.result.leaves as string[][]));
      sizes.push(a.raw.body.length);
      expect(a.result.next).toBe(fromSeq + got.length < 100 ? fromSeq + got.length : null);
      expect(Buffer.byteLength(JSON.stringify([a.result.seals, a.result.leaves]))).toBeLessThanOrEqual(MAX_PAGE_BYTES + 100);
      fromSeq = a.result.next as number | null;
    }
    expect(seals).toEqual(stored.jws);
    expect(leaves).toEqual(stored.leaves);
    expect(Math.max(...sizes)).toBeLessThan(6_000_000 / 4); // the signed answer, far below Lambda's 6 MB
    expect(sizes.length).toBeGreaterThan(8);
    // without leaves, 100 small seals fit one answer; toSeq ends the range early
    expect((await x.call(auditor, 'audit.seals', { fromSeq: 0 })).result).toMatchObject({ next: null });
    expect(((await x.call(auditor, 'audit.seals', { fromSeq: 0 })).result.seals as string[]).length).toBe(100);
    expect((await x.call(auditor, 'audit.seals', { fromSeq: 10, toSeq: 12 })).result).toEqual({ seals: stored.jws.slice(10, 13), next: null });
    expect((await x.call(auditor, 'audit.seals', { fromSeq: 100 })).result).toEqual({ seals: [], next: null });
  });
});
