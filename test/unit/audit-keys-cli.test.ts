// `corridor audit keys` (issue 16 item 5) in process against the real core behind loopback HTTP: an agency's key
// history and the exchange's response keys rebuilt from sealed events, --at, usage errors, and a rewritten key
// event refused (exit 1) rather than believed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli/output.ts';
import { sealNow } from '../helpers/audit.ts';
import { runCli } from '../helpers/cli-run.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';
import { makeKey } from '../helpers/keys.ts';

let ex: HttpExchange;
let args: string[];
const marks: Record<string, string> = {};
const rsp: string[] = [];

async function mark(name: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  marks[name] = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corridor-audit-keys-'));
  process.env.CORRIDOR_HOME = dir;
  process.env.CORRIDOR_RETRIES = '1';
  ex = await startHttpExchange();
  const x = ex.x;
  const olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  rsp.push((await x.services.responseKeys.signingKey()).kid);
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  await mark('created');
  const k2 = await makeKey('bafa-2');
  expect((await x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-2', jwk: k2.publicJwk }] })).status).toBe(200);
  rsp.push((await x.services.responseKeys.rotate()).current);
  await mark('rotated');
  expect((await x.call({ ...bafa, privateJwk: k2.privateJwk }, 'agency.keys', { retire: ['de-bafa-1'] })).status).toBe(200);
  await mark('retired');
  await sealNow(x);
  const keyFile = join(dir, 'olaf.jwk.json');
  writeFileSync(keyFile, JSON.stringify(olaf.privateJwk));
  args = ['--url', ex.url, '--as', 'EU-OLAF', '--key', keyFile];
});

afterAll(async () => {
  await ex?.close();
});

describe('corridor audit keys', () => {
  it('--json: the agency history from sealed events, and the keys that could sign at --at', async () => {
    const r = await runCli('audit', 'keys', ...args, '--agency', 'DE-BAFA', '--at', marks.rotated!, '--json');
    expect(r.code).toBe(EXIT.ok);
    const out = JSON.parse(r.stdout) as { ok: boolean; owner: string; keys: { kid: string; thumbprint: string; changes: { to: string }[] }[]; activeAt: { kid: string }[] };
    expect(out.ok).toBe(true);
    expect(out.owner).toBe('DE-BAFA');
    expect(out.keys.map((k) => [k.kid, k.changes.map((c) => c.to)])).toEqual([['de-bafa-1', ['active', 'retired']], ['bafa-2', ['active']]]);
    expect(out.keys.every((k) => /^[A-Za-z0-9_-]{43}$/.test(k.thumbprint))).toBe(true);
    expect(out.activeAt.map((k) => k.kid)).toEqual(['de-bafa-1', 'bafa-2']);
    const later = JSON.parse((await runCli('audit', 'keys', ...args, '--agency', 'DE-BAFA', '--at', marks.retired!, '--json')).stdout) as { activeAt: { kid: string }[] };
    expect(later.activeAt.map((k) => k.kid)).toEqual(['bafa-2']);
  });

  it('text: each key with its changes, and which could sign then', async () => {
    const r = await runCli('audit', 'keys', ...args, '--agency', 'DE-BAFA', '--at', marks.created!);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('key history of DE-BAFA');
    expect(r.stdout).toMatch(/de-bafa-1 {2}thumbprint [A-Za-z0-9_-]{43} {2}— at .*: active/);
    expect(r.stdout).toMatch(/active {3}→ retired {3}agency\.keys ev-/);
    expect(r.stdout).toContain(`could sign at ${marks.created}: de-bafa-1 (active)`);
  });

  it('--agency exchange: the response keys, current and previous after the rotation', async () => {
    const r = await runCli('audit', 'keys', ...args, '--agency', 'exchange', '--at', marks.rotated!, '--json');
    expect(r.code).toBe(EXIT.ok);
    const out = JSON.parse(r.stdout) as { keys: { kid: string; purpose: string }[]; activeAt: { kid: string; status: string }[] };
    expect(out.keys.map((k) => [k.kid, k.purpose])).toEqual(rsp.map((kid) => [kid, 'response']));
    expect(out.activeAt.map((k) => [k.kid, k.status])).toEqual([[rsp[0], 'previous'], [rsp[1], 'active']]);
  });

  it('usage: --agency is required, --at must be a date-time (exit 2)', async () => {
    expect((await runCli('audit', 'keys', ...args)).code).toBe(EXIT.usage);
    const r = await runCli('audit', 'keys', ...args, '--agency', 'DE-BAFA', '--at', 'yesterday');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('--at yesterday: not a date-time');
  });

  it('a key event rewritten in storage is not believed: exit 1 naming the changed event', async () => {
    const store = ex.x.store;
    const rec = [...store.records.values()].find((r) => r.table === 'audit' && String(r.attrs.event ?? '').includes('"bafa-2"'))!;
    const attrs = rec.attrs as Record<string, unknown>; // what a direct write to the audit table can do
    const original = attrs.event;
    attrs.event = String(original).replace('"to":"active"', '"to":"revoked"');
    try {
      const r = await runCli('audit', 'keys', ...args, '--agency', 'DE-BAFA');
      expect(r.code).toBe(EXIT.refused);
      expect(r.stdout).toMatch(/✗ event ev-\S+ changed: its content no longer matches its hash/);
    } finally {
      attrs.event = original;
    }
  });
});
