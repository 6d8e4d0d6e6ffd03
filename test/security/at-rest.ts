/**
 * "No plaintext trade data in any table", checked on the in-memory store after a security suite
 * has thrown everything at it: the names, addresses and descriptions of the test documents, raw and
 * in every encoded form a careless write would leave (hex, base64, base64url at each alignment).
 * The moto-backed counterpart with per-run canaries is test/faults/canary-scan.test.ts.
 */
import { expect } from 'vitest';
import { encodedForms } from '../faults/canary.ts';
import type { TestExchange } from '../helpers/memory-exchange.ts';

/** Every value in test/helpers/licenses.ts that is trade data rather than an identifier. */
export const TRADE_PLAINTEXT = ['Optik Werke GmbH', 'Lumen Trading Pte Ltd', 'Straits Photonics Lab', 'Thermal imaging camera', 'Spare lens', '1 Fusionopolis Way'];

function texts(v: unknown): string[] {
  if (v instanceof Uint8Array) {
    const b = Buffer.from(v);
    return [b.toString('utf8'), b.toString('latin1'), b.toString('hex'), b.toString('base64')];
  }
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(texts);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, m]) => [k, ...texts(m)]);
  return [String(v)];
}

/** Where any of `needles` occurs in the store: `table/pk/attribute: needle`. */
export function plaintextAtRest(x: TestExchange, needles: readonly string[] = TRADE_PLAINTEXT): string[] {
  const forms = needles.map((n) => ({ n, forms: encodedForms(n) }));
  const hits: string[] = [];
  for (const r of x.store.records.values()) {
    for (const [attr, value] of Object.entries(r.attrs)) {
      const all = texts(value);
      for (const { n, forms: f } of forms) if (all.some((t) => f.some((form) => t.includes(form)))) hits.push(`${r.table}/${r.pk}/${attr}: ${n}`);
    }
  }
  return hits;
}

/** For afterAll: the store held documents (so the check had something to find) and none of their plaintext. */
export function expectNoPlaintextAtRest(x: TestExchange): void {
  expect(x.store.records.size).toBeGreaterThan(0);
  expect(plaintextAtRest(x)).toEqual([]);
}
