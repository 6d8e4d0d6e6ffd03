// Issue 17 item 8: an insider who deletes the last seal, its events and moves the SEALS head back
// leaves a log that verifies (--complete included): the chain is intact up to its new end. A seal
// the auditor kept from an earlier run (`--keep-seal`, then `--since-seal FILE`) catches it: the
// log must still hold that very seal. Library level on memory adapters, then the CLI in process.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import { EXIT } from '../../bin/cli/output.ts';
import { keptSealFrom, verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { b64url, sha256 } from '../../lambdas/core/merkle.ts';
import { getSeal, getSealHead, sealPk, SEALS_HEAD } from '../../lambdas/core/seals.ts';
import { allEvents, bundle, sealNow } from '../helpers/audit.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type ExchangeDriver, type TestAgency } from '../helpers/memory-exchange.ts';

/** Some calls, then a seal: each round adds one seal. */
async function round(x: ExchangeDriver, customs: TestAgency, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await x.call(customs, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
  expect((await sealNow(x)).length).toBeGreaterThan(0);
}

async function scenario(x: ExchangeDriver): Promise<{ olaf: TestAgency }> {
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  const douane = await x.agency('NL-DOUANE', ['customs']);
  const olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await publish(x, bafa);
  for (const n of [3, 2, 4]) await round(x, douane, n);
  return { olaf };
}

/** What DeleteItem on the audit table allowed: the last seal, the events it covers, and the head moved back one. */
async function truncateLastSeal(x: ExchangeDriver): Promise<number> {
  const store = x.services.store;
  const head = (await getSealHead(store))!;
  const last = (await getSeal(store, head.last))!;
  const before = (await getSeal(store, head.last - 1))!;
  await store.commit([
    { op: 'delete', table: 'audit', pk: sealPk(last.seq), condition: { kind: 'none' } },
    ...last.ids.map((id) => ({ op: 'delete' as const, table: 'audit' as const, pk: id, condition: { kind: 'none' as const } })),
  ]);
  await store.commit([{ op: 'put', record: { table: 'audit', pk: SEALS_HEAD, attrs: { last: before.seq, prevHash: b64url(sha256(before.jws)), ver: head.ver + 1 } }, condition: { kind: 'none' } }]);
  return last.seq;
}

describe('verifyAuditLog against a seal kept earlier', () => {
  let x: TestExchange;
  let olaf: TestAgency;
  let kept: string;

  beforeAll(async () => {
    x = await TestExchange.create();
    ({ olaf } = await scenario(x));
    const first = await verifyAuditLog(await bundle(x, olaf), { complete: true });
    expect([first.ok, first.seals]).toEqual([true, 3]);
    kept = first.lastSeal!;
  });

  it('the kept seal still there: ok; the report names the newest seal to keep', async () => {
    const r = await verifyAuditLog({ ...(await bundle(x, olaf)), kept }, { complete: true });
    expect(r.problems).toEqual([]);
    expect(r.lastSeal).toBe(kept);
  });

  it('last seal, its events and the head removed: --complete alone says ok, the kept seal says truncated', async () => {
    const gone = await truncateLastSeal(x);
    expect(gone).toBe(2);
    const events = await allEvents(x, olaf);
    const unaware = await verifyAuditLog(await bundle(x, olaf, events), { complete: true });
    expect(unaware.problems).toEqual([]); // the defect: nothing in the log itself shows the missing tail
    const r = await verifyAuditLog({ ...(await bundle(x, olaf, events)), kept }, { complete: true });
    expect(r.problems).toEqual(['seal 2 was kept earlier but the log now ends at seal 1: seals were removed from its end (truncated)']);
    expect(r.ok).toBe(false);
  });

  it('once a new seal takes the removed one\'s place, the kept copy shows the rewrite', async () => {
    await sealNow(x);
    const r = await verifyAuditLog({ ...(await bundle(x, olaf)), kept }, { complete: true });
    expect(r.problems).toEqual(['seal 2 differs from the copy kept earlier (history rewritten)']);
  });

  it('a kept seal that is not genuine, or of another exchange, is itself a problem', async () => {
    const [h, p, s] = kept.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), seq: 9 })).toString('base64url')}.${s}`;
    const r = await verifyAuditLog({ ...(await bundle(x, olaf)), kept: forged }, { complete: false });
    expect(r.problems).toEqual([expect.stringMatching(/^the seal kept earlier does not verify: /)]);
    const other = await verifyAuditLog({ ...(await bundle(x, olaf)), exchangeId: 'corridor:elsewhere', kept }, { complete: false });
    expect(other.problems).toContain('the seal kept earlier is of exchange corridor:test');
  });

  it('reads a kept seal as the bare JWS or as an audit verify --json report', () => {
    expect(keptSealFrom(`${kept}\n`)).toBe(kept);
    expect(keptSealFrom(JSON.stringify({ ok: true, lastSeal: kept }))).toBe(kept);
    expect(() => keptSealFrom('{"ok": true}')).toThrow(/not a seal/);
    expect(() => keptSealFrom('hello')).toThrow(/not a seal/);
  });
});

describe('corridor audit verify --keep-seal / --since-seal', () => {
  let ex: HttpExchange;
  let dir: string;
  let args: string[];

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      return { code: await main(argv), stdout };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'corridor-since-seal-'));
    process.env.CORRIDOR_HOME = dir;
    process.env.CORRIDOR_RETRIES = '1';
    ex = await startHttpExchange();
    const { olaf } = await scenario(ex.x);
    const keyFile = join(dir, 'olaf.jwk.json');
    writeFileSync(keyFile, JSON.stringify(olaf.privateJwk));
    args = ['--url', ex.url, '--as', 'EU-OLAF', '--key', keyFile];
  });

  afterAll(async () => {
    await ex?.close();
  });

  it('keeps the newest seal after a clean run, then catches the truncated tail (exit 1), which --complete alone misses', async () => {
    const keptFile = join(dir, 'kept-seal.jws');
    const first = await cli('audit', 'verify', ...args, '--complete', '--keep-seal', keptFile);
    expect(first.code).toBe(EXIT.ok);
    const kept = readFileSync(keptFile, 'utf8').trim();
    expect(JSON.parse(Buffer.from(kept.split('.')[1]!, 'base64url').toString())).toMatchObject({ seq: 2 });

    await truncateLastSeal(ex.x);
    const unaware = await cli('audit', 'verify', ...args, '--complete');
    expect(unaware.code).toBe(EXIT.ok);
    const caught = await cli('audit', 'verify', ...args, '--complete', '--since-seal', keptFile);
    expect(caught.code).toBe(EXIT.refused);
    expect(caught.stdout).toContain('✗ seal 2 was kept earlier but the log now ends at seal 1: seals were removed from its end (truncated)');
    // The --json report works as the kept file too, and a file that holds no seal is a usage error.
    const report = join(dir, 'report.json');
    writeFileSync(report, JSON.stringify({ ok: true, lastSeal: kept }));
    expect((await cli('audit', 'verify', ...args, '--since-seal', report)).code).toBe(EXIT.refused);
    writeFileSync(report, 'not a seal');
    expect((await cli('audit', 'verify', ...args, '--since-seal', report)).code).toBe(EXIT.usage);
  });
});
