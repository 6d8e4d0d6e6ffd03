// @corridor/client as a partner gets it: `npm pack` of clients/typescript, the tarball installed into an empty
// directory (jose from the npm cache or registry — its only dependency), imported there by plain Node (no tsx, no
// checkout on the resolution path) to verify a license against an exchange on loopback, and compiled against by a
// TypeScript consumer. clients/typescript/dist is built by `npm run generate` (prepare, pretest).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';
import { licenseDoc, publish } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE = join(ROOT, 'clients/typescript');
const work = mkdtempSync(join(tmpdir(), 'corridor-client-package-'));
const app = join(work, 'partner-app');
let ex: HttpExchange;
let customs: TestAgency;
const today = new Date().toISOString().slice(0, 10);

/** A child process with none of the npm_* variables `npx vitest` set: npm must see the partner's directory, not this checkout. */
function run(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', ...extra };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync(join(PACKAGE, 'dist/index.js'))) throw new Error('clients/typescript/dist is missing: run `npm run generate`');
  ex = await startHttpExchange();
  const licensing = await ex.x.agency('DE-BAFA', ['licensing']);
  customs = await ex.x.agency('NL-DOUANE', ['customs'], 'EdDSA');
  const put = await ex.x.call(licensing, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read'] });
  expect(put.status).toBe(201);
  const year = Number(today.slice(0, 4));
  const published = await publish(ex.x, licensing, licenseDoc({ issuedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), validFrom: today, validUntil: `${year + 1}-12-31` }));
  expect(published.status).toBe(201);

  const pack = await run('npm', ['pack', PACKAGE, '--pack-destination', work], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = join(work, pack.stdout.trim().split('\n').pop()!);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'partner-app', version: '1.0.0', private: true, type: 'module' }));
  const install = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], app);
  expect(install.code, install.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await ex?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('@corridor/client, packed and installed', () => {
  it('brings jose as its only dependency; the optional KMS peer is not installed', () => {
    const top = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')).sort();
    expect(top).toEqual(['@corridor', 'jose']);
    expect(readdirSync(join(app, 'node_modules/@corridor'))).toEqual(['client']);
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((p) => p !== '').sort()).toEqual(['node_modules/@corridor/client', 'node_modules/jose']);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/@corridor/client/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies).toEqual({ jose: expect.any(String) });
    expect(manifest.peerDependenciesMeta).toEqual({ '@aws-sdk/client-kms': { optional: true } });
    // Only the bundles, their maps, the declarations, the inlined code's license and the README: no sources, no build stamp.
    const installed = join(app, 'node_modules/@corridor/client');
    const files = readdirSync(installed, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(installed, f)).isFile());
    expect(files.filter((f) => !/^(package\.json|README\.md|dist\/(index|kms)\.js(\.map)?|dist\/types\/.+\.d\.ts|dist\/licenses\/canonicalize\.txt)$/.test(f))).toEqual([]);
    expect(files).toContain('dist/types/client/index.d.ts');
  });

  it('plain Node imports it from the partner directory and verifies a license, checking the issuer signature offline', async () => {
    writeFileSync(join(app, 'verify.mjs'), `
      import { CorridorClient, checkIssuerDocument } from '@corridor/client';
      const client = new CorridorClient(process.env.URL, { agencyId: 'NL-DOUANE', privateJwk: JSON.parse(process.env.JWK) });
      const answer = await client.call('license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123',
        shipment: { date: process.env.TODAY, destinationCountry: 'SG', items: [{ controlCode: '6A003.b.4', quantity: 5 }] } });
      const offline = await checkIssuerDocument(answer.result.document, 'corridor-license+jws', 'DE-BAFA', await client.agencyJwks('DE-BAFA'));
      let kms;
      try { await import('@corridor/client/kms'); kms = 'loaded'; } catch (e) { kms = e.code + ' ' + /'(@aws-sdk\\/[^']+)'/.exec(e.message)?.[1]; }
      console.log(JSON.stringify({ from: import.meta.resolve('@corridor/client'), status: answer.status, outcome: answer.result.outcome,
        lines: answer.result.lines, auditId: answer.auditId, offline: offline.detail, kms }));`);
    const r = await run(process.execPath, ['verify.mjs'], app, { URL: ex.url, JWK: JSON.stringify(customs.privateJwk), TODAY: today });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    // The call reached this exchange and was audited there as NL-DOUANE's, under the id the answer names.
    const events = ex.x.auditEvents().filter((e) => e.action === 'license.verify');
    expect(events.map((e) => [e.id, e.actor, e.decision, e.status])).toEqual([[out.auditId, 'NL-DOUANE', 'allow', 200]]);
    expect(out).toEqual({
      from: `file://${app}/node_modules/@corridor/client/dist/index.js`,
      status: 200,
      outcome: 'valid',
      lines: [{ line: 1, controlCode: '6A003.b.4', remaining: 40 }, { line: 2, controlCode: '6A004.a', remaining: 10 }],
      auditId: events[0]!.id,
      offline: 'signed by DE-BAFA with key de-bafa-1 (active)',
      // The KMS signer needs its optional peer, which this partner did not install.
      kms: 'ERR_MODULE_NOT_FOUND @aws-sdk/client-kms',
    });
  }, 60_000);

  it('a TypeScript consumer compiles against the installed declarations (no skipLibCheck); a wrong body does not', async () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] }, files: ['consumer.ts'] }));
    const consumer = (wrong: string): string => `
      import { CorridorClient, ExchangeUnavailableError, type LicenseVerifyResult } from '@corridor/client';
      const c = new CorridorClient('https://exchange.example', { agencyId: 'NL-DOUANE', privateJwk: { kty: 'OKP', crv: 'Ed25519', x: '', d: '', kid: 'k', alg: 'EdDSA' } });
      export async function verify(): Promise<LicenseVerifyResult['outcome'] | undefined> {
        try {
          const a = await c.call('license.verify', ${wrong});
          return a.result?.outcome;
        } catch (e) {
          if (e instanceof ExchangeUnavailableError) return undefined;
          throw e;
        }
      }`;
    writeFileSync(join(app, 'consumer.ts'), consumer(`{ issuer: 'DE-BAFA', licenseId: 'L-1', shipment: { date: '${today}', destinationCountry: 'SG', items: [{ controlCode: '6A003.b.4', quantity: 5 }] } }`));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const ok = await run(process.execPath, [tsc, '-p', app], app);
    expect(ok.stdout).toBe('');
    expect(ok.code).toBe(0);
    // licenseId and shipment are required by schemas/license.verify.request.schema.json.
    writeFileSync(join(app, 'consumer.ts'), consumer(`{ issuer: 'DE-BAFA' }`));
    const bad = await run(process.execPath, [tsc, '-p', app], app);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/consumer\.ts\(6,\d+\): error TS2345: [^]*'LicenseVerifyRequest': licenseId, shipment\n$/);
  }, 60_000);
});
