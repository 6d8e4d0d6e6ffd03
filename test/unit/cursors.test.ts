// Cursors (protocol.md §5 "Lists and cursors", issue 17 item 10): a cursor the exchange did not make is 400 at
// /body/cursor before any KMS call — a tampered audit.query cursor used to reach KMS, which answered
// InvalidCiphertext, and the exchange said 503 — plus the cursor secret's life, and audit.query's read budget.
import { beforeEach, describe, expect, it } from 'vitest';
import { CursorKeys } from '../../lambdas/core/cursor-keys.ts';
import { DependencyError } from '../../lambdas/core/errors.ts';
import { MAX_INDEX_QUERIES } from '../../lambdas/core/actions/audit-query.ts';
import { PayloadCipher } from '../../lambdas/core/payload-cipher.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import { EXCHANGE_ID, ExchangeDriver, TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let olaf: TestAgency;
const Q = { from: '2026-11-22T00:00:00Z', limit: 1 };
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Flip the top bit of one base64url digit: always a data bit, even in the last digit. */
const flip = (s: string, i: number) => `${s.slice(0, i)}${B64[B64.indexOf(s[i]!) ^ 32]}${s.slice(i + 1)}`;
const kmsCalls = () => x.dataKeys.calls.generate + x.dataKeys.calls.decrypt;

beforeEach(async () => {
  x = await TestExchange.create();
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  for (const id of ['DE-BAFA', 'NL-DOUANE']) await x.agency(id, ['licensing']);
});

async function cursorOf(body: Record<string, unknown> = Q): Promise<string> {
  const a = await x.call(olaf, 'audit.query', body);
  expect(a.status).toBe(200);
  return a.result.cursor as string;
}

/** A fresh process on the same storage and KMS: its own cipher cache and cursor secret, nothing unwrapped yet. */
function coldProcess(): ExchangeDriver {
  const cipher = new PayloadCipher(x.dataKeys, x.clock);
  return new ExchangeDriver({ ...x.services, cipher, cursorKeys: new CursorKeys(x.store, cipher, x.clock, EXCHANGE_ID) }, () => x.time);
}

describe('a cursor the exchange did not make', () => {
  it('changed at any byte (the start included, where the KMS-wrapped key used to be) → 400 at /body/cursor, zero KMS calls, even with KMS down', async () => {
    const cursor = await cursorOf();
    x.dataKeys.failWith = new DependencyError('kms', new Error('KMS is down')); // any KMS call would now be a 503
    const before = kmsCalls();
    const forged = [
      ...Array.from({ length: 24 }, (_, i) => flip(cursor, i)), // format, kid, salt: where format 1 held the wrapped data key
      flip(cursor, Math.floor(cursor.length / 2)), flip(cursor, cursor.length - 1),
      cursor.slice(0, -4), `${cursor}AAAA`, `${cursor}${cursor}`, 'A',
      // format 1 (KMS envelope: [1, len, wrapped key, iv, body, tag]) as an old client would still hold it
      Buffer.concat([Buffer.from([1, 0, 40]), Buffer.alloc(40 + 12 + 16 + 8, 7)]).toString('base64url'),
    ];
    for (const c of forged) {
      const detail = await expectRefusal(x, async () => {
        const a = await x.call(olaf, 'audit.query', { ...Q, cursor: c });
        expect(a.problem.errors).toEqual([{ pointer: '/body/cursor', detail: 'not a cursor of this query' }]);
        return a;
      }, 400, 'body-invalid');
      expect(detail).toBe('cursor is not valid for this caller and these filters');
    }
    expect(kmsCalls() - before).toBe(0);
    // and the genuine cursor still opens with KMS down: opening one needs no KMS
    expect((await x.call(olaf, 'audit.query', { ...Q, cursor })).status).toBe(200);
  });

  it('in a cold process: at most the one KMS call that unwraps the secret itself, then none; KMS down then is a 503, not a 400', async () => {
    const cursor = await cursorOf();
    const cold = coldProcess();
    cold.operator = x.operator;
    const before = kmsCalls();
    for (const i of [1, 5, 12, 30]) expect((await cold.call(olaf, 'audit.query', { ...Q, cursor: flip(cursor, i) })).status).toBe(400);
    expect(kmsCalls() - before).toBeLessThanOrEqual(1);
    expect((await cold.call(olaf, 'audit.query', { ...Q, cursor })).status).toBe(200); // made elsewhere, opens here
    const colder = coldProcess();
    x.dataKeys.failWith = new DependencyError('kms', new Error('KMS is down'));
    const a = await colder.call(olaf, 'audit.query', { ...Q, cursor });
    expect([a.status, a.problem.type]).toEqual([503, 'urn:corridor:problem:dependency-failed']);
  });

  it('its own cursor with a changed limit still opens (limit is not a filter); with another filter it does not', async () => {
    const cursor = await cursorOf({ ...Q, limit: 2 });
    expect((await x.call(olaf, 'audit.query', { ...Q, limit: 7, cursor })).status).toBe(200);
    expect((await x.call(olaf, 'audit.query', { ...Q, decision: 'allow', cursor })).status).toBe(400);
  });
});

describe('the cursor secret', () => {
  const stored = () => x.store.records.get(`registry\u0000EXCHANGE\u0000CURSOR_KEY`);

  it('is made by the first cursor, never by a refusal or a last page, and stored only encrypted', async () => {
    expect((await x.call(olaf, 'audit.query', { ...Q, limit: 500 })).result.cursor).toBeNull();
    expect((await x.call(olaf, 'audit.query', { ...Q, cursor: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(400);
    expect(stored()).toBeUndefined();
    await cursorOf();
    const rec = stored()!;
    expect(Object.keys(rec.attrs).sort()).toEqual(['createdAt', 'kid', 'secret']);
    expect(rec.attrs.secret).toBeInstanceOf(Uint8Array);
    expect(rec.attrs.kid).toMatch(/^[0-9a-f]{16}$/);
  });

  it('two cold starts racing make one secret; a replaced secret leaves older cursors 400 where it is not held', async () => {
    const [a, b] = [coldProcess(), coldProcess()];
    const [ka, kb] = await Promise.all([a.services.cursorKeys.forSealing(), b.services.cursorKeys.forSealing()]);
    expect(ka.kid.equals(kb.kid) && ka.secret.equals(kb.secret)).toBe(true);
    const old = await cursorOf();
    x.store.records.delete(`registry\u0000EXCHANGE\u0000CURSOR_KEY`); // the operator replaces it
    const fresh = coldProcess();
    fresh.operator = x.operator;
    const newer = (await fresh.call(olaf, 'audit.query', Q)).result.cursor as string;
    expect(newer.slice(1, 12)).not.toBe(old.slice(1, 12));
    expect((await fresh.call(olaf, 'audit.query', { ...Q, cursor: old })).status).toBe(400);
    expect((await x.call(olaf, 'audit.query', { ...Q, cursor: old })).status).toBe(200); // this process still holds it
    x.time += 61_000; // … and learns the new one on its next read of the registry
    expect((await x.call(olaf, 'audit.query', { ...Q, cursor: newer })).status).toBe(200);
  });
});

describe('audit.query pages', () => {
  it('a quiet 31-day window: at most 64 index reads per call, empty pages with a cursor, then null', async () => {
    const sweden = await x.agency('SE-ISP', ['auditor']); // own scope: no event of its country in the window
    const body = { from: '2026-10-21T00:00:00Z', to: '2026-11-21T00:00:00Z', limit: 500 };
    let cursor: string | null = null;
    let calls = 0;
    do {
      const reads = x.store.calls.query;
      const a: Answer = await x.call(sweden, 'audit.query', { ...body, ...(cursor ? { cursor } : {}) });
      expect(a.status).toBe(200);
      expect(x.store.calls.query - reads).toBeLessThanOrEqual(MAX_INDEX_QUERIES + 3);
      expect(a.result.events).toEqual([]);
      cursor = a.result.cursor as string | null;
    } while (cursor && ++calls < 10);
    expect(cursor).toBeNull();
    expect(calls).toBeGreaterThanOrEqual(1); // 32 day buckets × 4 shards do not fit one call
  });

  it('a page that fills exactly at the end of a day still leads on to the next days (nothing lost)', async () => {
    x.time = Date.parse('2026-11-23T23:59:00Z');
    await x.agency('FR-DGDDI', ['customs']);
    x.time = Date.parse('2026-11-24T08:00:00Z');
    await x.agency('BE-FOD', ['customs']);
    await x.agency('PL-KAS', ['customs']);
    const window = { from: '2026-11-23T00:00:00Z', to: '2026-11-24T23:00:00Z' };
    const inWindow = (e: AuditEvent) => e.ts >= window.from && e.ts <= window.to;
    const expected = x.auditEvents().filter(inWindow).map((e) => e.id);
    const firstDay = x.auditEvents().filter((e) => inWindow(e) && e.ts < '2026-11-24').length;
    expect(firstDay).toBeGreaterThan(0);
    const first = await x.call(olaf, 'audit.query', { ...window, limit: firstDay });
    expect(first.result.cursor).toEqual(expect.any(String));
    const rest = await x.call(olaf, 'audit.query', { ...window, limit: 500, cursor: first.result.cursor });
    const got = [...(first.result.events as AuditEvent[]), ...(rest.result.events as AuditEvent[])].map((e) => e.id);
    expect(got).toEqual(expect.arrayContaining(expected));
    expect(new Set(got).size).toBe(got.length);
  });
});
