// The paged CLI commands in process against the exchange core behind loopback HTTP: `agreement list` and
// `license drawdowns` follow every page (progress on stderr, one list on stdout), --cursor fetches one page,
// and `audit verify` follows audit.seals' `next` past the byte cap.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import { EXIT } from '../../bin/cli/output.ts';
import type { StoredRecord } from '../../lambdas/core/ports.ts';
import { SEALS_HEAD, sealPk } from '../../lambdas/core/seals.ts';
import { publish } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';

let ex: HttpExchange;
let home: string;
const keys: Record<string, string> = {};
const agencies: Record<string, TestAgency> = {};

interface Run { code: number; stdout: string; stderr: string }

async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const as = (agency: string) => ['--url', ex.url, '--as', agency, '--key', keys[agency]!];

async function agency(id: string, roles: string[], extra: Record<string, unknown> = {}): Promise<TestAgency> {
  const a = await ex.x.agency(id, roles, 'ES256', extra);
  keys[id] = join(home, `${id}.jwk.json`);
  writeFileSync(keys[id]!, JSON.stringify(a.privateJwk));
  agencies[id] = a;
  return a;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'corridor-lists-'));
  process.env.CORRIDOR_HOME = home;
  process.env.CORRIDOR_RETRIES = '1';
  ex = await startHttpExchange();
  const bafa = await agency('DE-BAFA', ['licensing']);
  const mti = await agency('SG-MTI', ['euc-issuer']);
  await agency('NL-DOUANE', ['customs']);
  expect((await ex.x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'], validUntil: '2030-01-01' })).status).toBe(201);
  expect((await ex.x.call(mti, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['read'] })).status).toBe(201);
  expect((await publish(ex.x, bafa)).status).toBe(201);
  for (let i = 0; i < 5; i++) {
    const a = await ex.x.call(agencies['NL-DOUANE']!, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: `NL-LIST-${i}`, date: '2026-11-22', items: [{ line: 1, quantity: 1 }] });
    expect(a.status, JSON.stringify(a.problem)).toBe(201);
  }
});

afterAll(async () => {
  await ex?.close();
});

describe('corridor agreement list', () => {
  it('every page as one list: gave and received, with validUntil; --json merges the pages and names each audit event', async () => {
    const text = await cli('agreement', 'list', ...as('NL-DOUANE'), '--limit', '1');
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout).toContain('2 agreement(s)');
    expect(text.stdout).toContain('received SG-MTI: read on SG-MTI\'s eucs');
    expect(text.stdout).toContain('received DE-BAFA: verify, drawdown on DE-BAFA\'s licenses until 2030-01-01');
    expect(text.stderr).toContain('2 agreement(s) in 2 pages');
    const json = JSON.parse((await cli('agreement', 'list', ...as('NL-DOUANE'), '--limit', '1', '--json')).stdout) as { result: { agreements: unknown[]; cursor: null }; pages: number; auditIds: string[] };
    expect([json.result.agreements.length, json.result.cursor, json.pages, json.auditIds.length]).toEqual([2, null, 2, 2]);
    const gave = await cli('agreement', 'list', ...as('DE-BAFA'));
    expect(gave.stdout).toContain('gave     NL-DOUANE: verify, drawdown on DE-BAFA\'s licenses');
  });

  it('--cursor fetches only that page; a bad --limit is a usage error (exit 2, nothing sent); an auditor is refused (exit 1)', async () => {
    const first = JSON.parse((await cli('agreement', 'list', ...as('NL-DOUANE'), '--limit', '1', '--cursor', 'x'.repeat(8), '--json')).stdout) as { status: number };
    expect(first.status).toBe(400); // a cursor the exchange did not make
    const page = await ex.x.call(agencies['NL-DOUANE']!, 'agreement.list', { limit: 1 });
    const one = await cli('agreement', 'list', ...as('NL-DOUANE'), '--limit', '1', '--cursor', page.result.cursor as string);
    expect(one.code).toBe(EXIT.ok);
    expect(one.stdout).toContain('1 agreement(s)');
    expect((await cli('agreement', 'list', ...as('NL-DOUANE'), '--limit', '0')).code).toBe(EXIT.usage);
    await agency('EU-OLAF', ['auditor'], { auditScope: 'all' });
    const refused = await cli('agreement', 'list', ...as('EU-OLAF'));
    expect([refused.code, refused.stdout]).toEqual([EXIT.refused, expect.stringContaining('✗ 403 Role may not call this action')]);
  });
});

describe('corridor license drawdowns', () => {
  it('follows the pages: every drawdown once, in key order', async () => {
    const r = await cli('license', 'drawdowns', ...as('DE-BAFA'), '--license', 'DE-2026-000123', '--limit', '2', '--json');
    expect(r.code).toBe(EXIT.ok);
    const doc = JSON.parse(r.stdout) as { result: { drawdowns: { declarationId: string }[]; cursor: null }; pages: number };
    expect(doc.result.drawdowns.map((d) => d.declarationId)).toEqual(['NL-LIST-0', 'NL-LIST-1', 'NL-LIST-2', 'NL-LIST-3', 'NL-LIST-4']);
    expect([doc.result.cursor, doc.pages]).toEqual([null, 3]);
    const one = await cli('license', 'drawdowns', ...as('DE-BAFA'), '--license', 'DE-2026-000123');
    expect(one.stdout).toContain('license DE-2026-000123: 5 drawdown(s)');
  });
});

describe('corridor audit verify', () => {
  it('downloads every seal by following next, though 100 seals with full leaves take several answers', async () => {
    const records: StoredRecord[] = [];
    for (let seq = 0; seq < 100; seq++) {
      const leaves = Array.from({ length: 2000 }, () => randomBytes(32).toString('base64url'));
      records.push({ table: 'audit', pk: sealPk(seq), attrs: { seq, jws: `eyJhbGciOiJFUzI1NiJ9.e30.${randomBytes(64).toString('base64url')}`, leaves, ids: [] } });
    }
    records.push({ table: 'audit', pk: SEALS_HEAD, attrs: { last: 99, prevHash: 'x', ver: 100 } });
    await ex.x.store.putMany(records);
    const r = await cli('audit', 'verify', ...as('EU-OLAF'), '--json');
    // the stored seals are not genuine, so the report names problems — but it saw all 100 of them
    expect(r.code).toBe(EXIT.refused);
    expect((JSON.parse(r.stdout) as { seals: number }).seals).toBe(100);
  });
});
