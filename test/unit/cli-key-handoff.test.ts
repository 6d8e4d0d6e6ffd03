// The key hand-off a partner meets (docs/partner-guide.md §2, §9): keygen writes the public JWK beside the private
// one and prints the public key entry; `agency register --key-file` takes either; and after an agency retires its
// first key, `--as AGENCY` without --key signs with the key file whose key is active.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli/output.ts';
import { publicFileFor, readKeyFile } from '../../lambdas/local/key-files.ts';
import { runCli as cli } from '../helpers/cli-run.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';

let ex: HttpExchange;
let home: string;
let operatorKey: string;
const keys = (f: string): string => join(home, 'keys', f);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'corridor-handoff-'));
  process.env.CORRIDOR_HOME = home; // no local.json: every command names --url
  process.env.CORRIDOR_RETRIES = '0';
  ex = await startHttpExchange();
  operatorKey = join(home, 'operator.jwk.json');
  writeFileSync(operatorKey, JSON.stringify(ex.x.operator.privateJwk));
});

afterAll(async () => {
  await ex?.close();
  rmSync(home, { recursive: true, force: true });
});

const operator = (): string[] => ['--url', ex.url, '--as', 'XX-OPERATOR', '--key', operatorKey];

describe('keygen writes the public JWK too', () => {
  it('beside the private file by default: kid and alg, no private part, mode 0644; the private one 0600', async () => {
    const r = await cli('keygen', '--kid', 'nl-douane-1', '--alg', 'EdDSA', '--out', keys('NL-DOUANE.private.jwk.json'));
    expect(r.code).toBe(EXIT.ok);
    const pub = JSON.parse(readFileSync(keys('NL-DOUANE.public.jwk.json'), 'utf8')) as Record<string, unknown>;
    expect(pub).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), alg: 'EdDSA', use: 'sig', kid: 'nl-douane-1' });
    expect(statSync(keys('NL-DOUANE.public.jwk.json')).mode & 0o777).toBe(0o644);
    expect(statSync(keys('NL-DOUANE.private.jwk.json')).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain(`private key written to ${keys('NL-DOUANE.private.jwk.json')} (keep it secret)`);
    expect(r.stdout).toContain(`public key written to ${keys('NL-DOUANE.public.jwk.json')}`);
    const entry = JSON.parse(/^public key entry: (.*)$/m.exec(r.stdout)![1]!) as { kid: string; jwk: Record<string, unknown> };
    expect(entry).toEqual({ kid: 'nl-douane-1', jwk: { kty: 'OKP', crv: 'Ed25519', x: pub.x, alg: 'EdDSA', use: 'sig' } });
  });

  it('to --public-out when given, and --json names both files', async () => {
    const r = await cli('keygen', '--kid', 'sg-mti-1', '--out', join(home, 'mti.jwk.json'), '--public-out', join(home, 'handoff', 'sg-mti-1.json'), '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toEqual({ kid: 'sg-mti-1', jwk: expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' }), file: join(home, 'mti.jwk.json'), publicFile: join(home, 'handoff', 'sg-mti-1.json') });
    expect(readKeyFile(join(home, 'handoff', 'sg-mti-1.json'))).toMatchObject({ kid: 'sg-mti-1', alg: 'ES256', y: expect.any(String) });
  });

  it('never overwrites: an existing public file refuses the whole run (exit 2) and writes no private key', async () => {
    writeFileSync(join(home, 'taken.public.jwk.json'), '{}');
    const r = await cli('keygen', '--kid', 'x-1', '--out', join(home, 'taken.private.jwk.json'));
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(`${join(home, 'taken.public.jwk.json')} exists; keys are never overwritten`);
    expect(existsSync(join(home, 'taken.private.jwk.json'))).toBe(false);
  });

  it('names the public file after the private one', () => {
    expect(publicFileFor('keys/DE-BAFA.private.jwk.json')).toBe('keys/DE-BAFA.public.jwk.json');
    expect(publicFileFor('operator.jwk.json')).toBe('operator.public.jwk.json');
    expect(publicFileFor('k.json')).toBe('k.public.jwk.json');
    expect(publicFileFor('k.pem')).toBe('k.pem.public.jwk.json');
  });
});

describe('agency register --key-file takes what keygen gives a partner to send', () => {
  it('the printed public key entry, saved as it is', async () => {
    const k = await cli('keygen', '--kid', 'fr-dgddi-1', '--out', join(home, 'fr.private.jwk.json'));
    const entryFile = join(home, 'fr-entry.json');
    writeFileSync(entryFile, /^public key entry: (.*)$/m.exec(k.stdout)![1]!);
    const r = await cli('agency', 'register', ...operator(), '--id', 'FR-DGDDI', '--name', 'Douane', '--roles', 'customs', '--key-file', entryFile);
    expect(r.stderr).toBe('');
    expect([r.code, r.stdout]).toEqual([EXIT.ok, expect.stringContaining('key fr-dgddi-1: active')]);
  });

  it('the public JWK file written beside the private key', async () => {
    const r = await cli('agency', 'register', ...operator(), '--id', 'NL-DOUANE', '--name', 'Douane NL', '--roles', 'customs', '--key-file', keys('NL-DOUANE.public.jwk.json'), '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 201, result: { agencyId: 'NL-DOUANE', keys: [{ kid: 'nl-douane-1', status: 'active' }] } });
  });

  it('a file with neither form is a usage error that says what a key file holds, and nothing is sent', async () => {
    const bad = join(home, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kid: 'z-1', jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } }));
    const r = await cli('agency', 'register', ...operator(), '--id', 'CZ-LIC', '--name', 'n', '--roles', 'licensing', '--key-file', bad);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('a key file needs kid and alg — a JWK with both (as `corridor keygen` writes it) or the public key entry');
    const mismatch = join(home, 'mismatch.json');
    writeFileSync(mismatch, JSON.stringify({ kid: 'z-1', jwk: { kty: 'EC', kid: 'z-2', alg: 'ES256' } }));
    expect((await cli('agency', 'register', ...operator(), '--id', 'CZ-LIC', '--key-file', mismatch)).stderr).toContain("the entry's kid z-1 differs from its JWK's kid z-2");
    expect(await ex.x.services.directory.get('CZ-LIC')).toBeNull();
  });
});

describe('--as AGENCY without --key after a key rotation', () => {
  const drawdowns = (): Promise<{ code: number; stdout: string; stderr: string }> =>
    cli('license', 'drawdowns', '--url', ex.url, '--as', 'DE-BAFA', '--license', 'DE-2026-000123', '--json');

  it('one key file: it signs', async () => {
    await cli('keygen', '--kid', 'de-bafa-1', '--out', keys('DE-BAFA.private.jwk.json'));
    expect((await cli('agency', 'register', ...operator(), '--id', 'DE-BAFA', '--name', 'BAFA', '--roles', 'licensing', '--key-file', keys('DE-BAFA.public.jwk.json'))).code).toBe(EXIT.ok);
    const r = await drawdowns();
    expect([r.code, JSON.parse(r.stdout).status]).toEqual([EXIT.refused, 404]); // authenticated: the license does not exist
  });

  it('after README step 9 (add DE-BAFA-2, retire de-bafa-1) the CLI signs with DE-BAFA-2.private.jwk.json', async () => {
    await cli('keygen', '--kid', 'de-bafa-2', '--out', keys('DE-BAFA-2.private.jwk.json'));
    expect((await cli('agency', 'keys', '--url', ex.url, '--as', 'DE-BAFA', '--add', keys('DE-BAFA-2.public.jwk.json'))).code).toBe(EXIT.ok);
    const retire = await cli('agency', 'keys', '--url', ex.url, '--as', 'DE-BAFA', '--key', keys('DE-BAFA-2.private.jwk.json'), '--retire', 'de-bafa-1');
    expect(retire.stdout).toContain('key de-bafa-1: retired');
    // Authenticated (the license is unknown: 404), where the retired key's file is refused.
    const r = await drawdowns();
    expect([r.code, JSON.parse(r.stdout).status]).toEqual([EXIT.refused, 404]);
    const old = await cli('license', 'drawdowns', '--url', ex.url, '--as', 'DE-BAFA', '--key', keys('DE-BAFA.private.jwk.json'), '--license', 'DE-2026-000123', '--json');
    expect(JSON.parse(old.stdout)).toMatchObject({ status: 401, problem: { type: 'urn:corridor:problem:key-not-usable' } });
  });

  it('with no active key among the files: a usage error naming each file, its key and status', async () => {
    const retire = await cli('agency', 'keys', '--url', ex.url, '--as', 'DE-BAFA', '--key', keys('DE-BAFA-2.private.jwk.json'), '--add', join(home, 'mti.jwk.json'), '--json');
    expect(retire.code).toBe(EXIT.ok);
    await cli('agency', 'keys', '--url', ex.url, '--as', 'DE-BAFA', '--key', join(home, 'mti.jwk.json'), '--retire', 'de-bafa-2');
    const r = await drawdowns();
    expect(r.code).toBe(EXIT.usage);
    expect(JSON.parse(r.stdout).error.message).toBe('no key file of DE-BAFA holds an active key (DE-BAFA.private.jwk.json: de-bafa-1 retired; DE-BAFA-2.private.jwk.json: de-bafa-2 retired); give --key FILE');
  });
});
