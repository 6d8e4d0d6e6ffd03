// What the CLI says before it sends anything: its version, one line per command in the top-level help, and every
// missing required option in one usage error (exit 2) rather than one per run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, summary } from '../../bin/cli/main.ts';
import { EXIT } from '../../bin/cli/output.ts';
import { freePort } from '../../lambdas/local/emulator.ts';
import { runCli as cli } from '../helpers/cli-run.ts';

let home: string;
let nowhere: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'corridor-usage-'));
  process.env.CORRIDOR_HOME = home; // no local.json, no keys: no operator to default to
  delete process.env.CORRIDOR_URL;
  nowhere = `http://127.0.0.1:${await freePort()}`; // a usage error must come before any request
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('corridor --version', () => {
  it("prints package.json's version, exit 0", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: EXIT.ok, stdout: `corridor ${version}\n`, stderr: '' });
    expect(JSON.parse((await cli('--version', '--json')).stdout)).toEqual({ version });
  });
});

describe('corridor --help', () => {
  it('gives every command one line: its name and what it does', async () => {
    const r = await cli('--help');
    for (const c of Object.keys(COMMANDS)) {
      expect(summary(c).length, c).toBeGreaterThan(10);
      expect(r.stdout.split('\n').find((l) => l.startsWith(`  corridor ${c} `))?.replace(`  corridor ${c}`, '').trim()).toBe(summary(c));
    }
    expect(r.stdout).toContain('corridor --version');
  });
});

describe('missing required options are told at once', () => {
  it('license verify with nothing: every one of them, and the signer, in one usage error', async () => {
    const r = await cli('license', 'verify', '--url', nowhere);
    expect([r.code, r.stdout]).toEqual([EXIT.usage, '']);
    expect(r.stderr.split('\n')[0]).toBe('corridor license verify: missing --issuer, --license, --date, --destination, --item, --as AGENCY (no local exchange operator found)');
    expect(r.stderr).toContain('Example: corridor license verify'); // the usage follows
  });

  it('with --json, one error document whose message lists them', async () => {
    const r = await cli('license', 'status', '--url', nowhere, '--as', 'DE-BAFA', '--license', 'DE-1', '--json');
    expect(r.code).toBe(EXIT.usage);
    expect(JSON.parse(r.stdout)).toEqual({ error: { kind: 'usage', message: `missing --status, --reason, --key FILE (no ${join(home, 'keys', 'DE-BAFA.private.jwk.json')})`, exitCode: EXIT.usage } });
  });

  it.each([
    [['keygen'], 'missing --kid, --out'],
    [['keygen', '--kms-key', 'alias/k'], 'missing --kid'],
    [['bootstrap', '--name', 'Operator'], 'missing --id, --key-file'],
    [['euc', 'query', '--as', 'NL-DOUANE', '--key', 'k.json'], 'missing --issuer, --euc'],
    [['agency', 'register', '--as', 'XX-OP', '--kms-key', 'alias/k', '--kid', 'op-1'], 'missing --id'],
    [['license', 'drawdown', '--as', 'NL-DOUANE', '--key', 'k.json', '--date', '2026-11-22'], 'missing --issuer, --license, --declaration, --line'],
    [['agreement', 'put', '--type', 'euc'], 'missing --partner, --as AGENCY (no local exchange operator found)'],
    [['notifications', 'refan'], 'missing --since'],
    [['notifications', 'refan', '--since', 'yesterday'], '--since must be an ISO date-time with its zone, e.g. 2026-11-22T00:00:00Z (got yesterday)'],
    [['notifications', 'refan', '--since', '2026-11-22T10:00:00'], '--since must be an ISO date-time with its zone, e.g. 2026-11-22T00:00:00Z (got 2026-11-22T10:00:00)'],
    [['notifications', 'refan', '--since', '2026-11-23T00:00:00Z', '--until', '2026-11-22T00:00:00+01:00'], '--since (2026-11-23T00:00:00.000Z) must be before --until (2026-11-21T23:00:00.000Z)'],
  ])('corridor %j: %s', async (args, message) => {
    const r = await cli(...args, '--url', nowhere);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([EXIT.usage, `corridor ${args[0]}${args[1] && !args[1].startsWith('-') ? ` ${args[1]}` : ''}: ${message}`]);
  });

  it('nothing missing: no usage error (the unreachable exchange answers exit 3)', async () => {
    const r = await cli('euc', 'status', '--url', nowhere, '--as', 'SG-MTI', '--kms-key', 'alias/k', '--kid', 'sg-1', '--euc', 'E-1', '--status', 'active', '--reason', 'r');
    expect(r.code).toBe(EXIT.unavailable);
  });
});
