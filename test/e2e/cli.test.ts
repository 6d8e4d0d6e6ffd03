// The CLI in process (bin/cli/main.ts) against the real exchange core behind loopback HTTP:
// --help everywhere with an example, --json parsable on stdout, and the documented exit codes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMANDS, GROUPS, main } from '../../bin/cli/main.ts';
import { EXIT } from '../../bin/cli/output.ts';
import { freePort } from '../../lambdas/local/emulator.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';

let ex: HttpExchange;
let home: string;
let operatorKey: string;

interface Run { code: number; stdout: string; stderr: string }

/** Runs the CLI with stdout and stderr captured (the commands write through process.stdout/stderr). */
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

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'corridor-cli-'));
  process.env.CORRIDOR_HOME = home; // no local.json here: every command names --url
  process.env.CORRIDOR_RETRIES = '1';
  ex = await startHttpExchange();
  operatorKey = join(home, 'operator.jwk.json');
  writeFileSync(operatorKey, JSON.stringify({ ...ex.x.operator.privateJwk }));
});

afterAll(async () => {
  await ex?.close();
});

const as = (agency: string, key: string) => ['--url', ex.url, '--as', agency, '--key', key];

describe('corridor --help', () => {
  it('the top level lists every command and the exit codes', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(EXIT.ok);
    for (const c of Object.keys(COMMANDS)) expect(r.stdout).toContain(`corridor ${c}`);
    expect(r.stdout).toContain('Example');
    expect(r.stdout).toMatch(/Exit codes: 0 ok/);
  });

  it.each(Object.keys(COMMANDS))('corridor %s --help: exit 0, its usage and a one-line example', async (name) => {
    const r = await cli(...name.split(' '), '--help');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain(`corridor ${name}`);
    expect(r.stdout).toMatch(/Example: (corridor|npm start) \S/);
    expect(r.stdout).toContain('Exit codes');
  });

  it.each(GROUPS)('corridor %s --help lists its subcommands, each with an example', async (group) => {
    const r = await cli(group, '--help');
    expect(r.code).toBe(EXIT.ok);
    const subs = Object.keys(COMMANDS).filter((c) => c.startsWith(`${group} `));
    for (const s of subs) expect(r.stdout).toContain(`corridor ${s}`);
    expect(r.stdout.match(/Example:/g)!.length).toBeGreaterThanOrEqual(subs.length);
  });

  it('an unknown command or subcommand is a usage error (2), told on stderr', async () => {
    for (const args of [['frobnicate'], ['license', 'frobnicate'], ['license']]) {
      const r = await cli(...args);
      expect([r.code, r.stdout]).toEqual([EXIT.usage, '']);
      expect(r.stderr).toContain('corridor license');
    }
  });
});

describe('--json and exit codes against a running exchange', () => {
  let bafaKey: string;

  it('keygen, agency register and agreement put print one parsable JSON document each', async () => {
    bafaKey = join(home, 'DE-BAFA.jwk.json');
    const k = await cli('keygen', '--kid', 'de-bafa-1', '--out', bafaKey, '--json');
    expect((JSON.parse(k.stdout) as { kid: string; jwk: { d?: string } }).jwk.d).toBeUndefined();
    const reg = await cli('agency', 'register', ...as('XX-OPERATOR', operatorKey), '--id', 'DE-BAFA', '--name', 'BAFA', '--roles', 'licensing', '--key-file', bafaKey, '--json');
    expect(reg.code).toBe(EXIT.ok);
    expect(JSON.parse(reg.stdout)).toMatchObject({ status: 201, result: { agencyId: 'DE-BAFA', keys: [{ kid: 'de-bafa-1', status: 'active' }] }, auditId: expect.stringMatching(/^ev-/) });
    const put = await cli('agreement', 'put', ...as('DE-BAFA', bafaKey), '--partner', 'XX-OPERATOR', '--type', 'license', '--permissions', 'verify', '--json');
    expect(JSON.parse(put.stdout)).toMatchObject({ status: 201, result: { owner: 'DE-BAFA', permissions: ['verify'] } });
  });

  it('a refusal exits 1: readable on stdout, or the problem as JSON', async () => {
    const args = ['license', 'verify', ...as('DE-BAFA', bafaKey), '--issuer', 'DE-BAFA', '--license', 'DE-1', '--date', '2026-11-22', '--destination', 'SG', '--item', '6A003.b.4=1'];
    const text = await cli(...args);
    expect(text.code).toBe(EXIT.refused);
    expect(text.stdout).toContain('✗ 403 Role may not call this action');
    const json = await cli(...args, '--json');
    expect(json.code).toBe(EXIT.refused);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 403, problem: { type: 'urn:corridor:problem:role-forbidden' } });
  });

  it('usage and configuration errors exit 2: a missing option, an unreadable key file', async () => {
    const missing = await cli('license', 'status', ...as('DE-BAFA', bafaKey), '--license', 'DE-1', '--json');
    expect([missing.code, JSON.parse(missing.stdout).error.kind]).toEqual([EXIT.usage, 'usage']);
    const noKey = await cli('license', 'drawdowns', ...as('DE-BAFA', join(home, 'nope.jwk.json')), '--license', 'DE-1');
    expect(noKey.code).toBe(EXIT.usage);
    expect(noKey.stderr).toContain('nope.jwk.json');
  });

  it('an unreachable exchange exits 3, with a JSON error on stdout and the reason on stderr', async () => {
    const port = await freePort();
    const r = await cli('license', 'drawdowns', '--url', `http://127.0.0.1:${port}`, '--as', 'DE-BAFA', '--key', bafaKey, '--license', 'DE-1', '--json');
    expect(r.code).toBe(EXIT.unavailable);
    expect(JSON.parse(r.stdout)).toEqual({ error: { kind: 'unavailable', message: expect.stringContaining('cannot reach the exchange'), exitCode: 3 } });
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  it('503 that outlives the retries exits 3, and each retry is announced on stderr', async () => {
    ex.override = () => ({ status: 503, contentType: 'application/problem+json', body: '{"title":"Service Unavailable","status":503}' });
    try {
      const r = await cli('license', 'drawdowns', ...as('DE-BAFA', bafaKey), '--license', 'DE-1', '--retries', '1');
      expect(r.code).toBe(EXIT.unavailable);
      expect(r.stderr).toMatch(/license\.drawdowns answered 503; retrying in \d+\.\d s with a new request id \(retry 1\)/);
    } finally {
      ex.override = null;
    }
  });

  it('an answer that does not verify exits 4', async () => {
    ex.override = () => ({ status: 200, contentType: 'application/jose', body: 'eyJhbGciOiJub25lIn0.e30.' });
    try {
      const r = await cli('license', 'drawdowns', ...as('DE-BAFA', bafaKey), '--license', 'DE-1', '--json');
      expect(r.code).toBe(EXIT.untrusted);
      expect(JSON.parse(r.stdout).error.kind).toBe('untrusted');
    } finally {
      ex.override = null;
    }
  });
});
