// The client as an integrator gets it: `import { CorridorClient } from 'corridor'` in plain Node
// (the ESM bundle in dist/, no tsx) makes a verified call, and a TypeScript consumer compiles
// against the declarations — a body the schema does not allow is a compile error.
// dist/ is built by `npm run generate` (prepare, pretest).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let ex: HttpExchange;

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/client/index.js'))) throw new Error('dist/client is missing: run `npm run generate`');
  ex = await startHttpExchange();
});

afterAll(async () => {
  await ex?.close();
});

describe('the client package', () => {
  it('plain Node imports corridor and corridor/kms and gets a verified, typed answer', async () => {
    const script = `
      import { CorridorClient, UntrustedResponseError } from 'corridor';
      import { kmsSigner } from 'corridor/kms';
      const c = new CorridorClient(process.env.URL, { agencyId: 'XX-OPERATOR', privateJwk: JSON.parse(process.env.JWK) });
      const a = await c.call('agreement.put', { partner: 'XX-OPERATOR', documentType: 'license', permissions: [] });
      console.log(JSON.stringify({ status: a.status, type: a.problem?.type, attempts: a.attempts, kms: typeof kmsSigner, err: typeof UntrustedResponseError }));`;
    const r = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { URL: ex.url, JWK: JSON.stringify(ex.x.operator.privateJwk), NODE_NO_WARNINGS: '1' } });
    expect(r.stderr).toBe('');
    // The operator owns no documents: a signed 403, verified like any answer.
    expect(JSON.parse(r.stdout)).toEqual({ status: 403, type: 'urn:corridor:problem:role-forbidden', attempts: 1, kms: 'function', err: 'function' });
  });

  it('a TypeScript consumer compiles against the declarations; a wrong body does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corridor-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/corridor'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] }, files: ['consumer.ts'] }));
    writeFileSync(join(dir, 'consumer.ts'), `
      import { CorridorClient, type LicenseVerifyResult, type RequestSigner } from 'corridor';
      import { kmsSigner } from 'corridor/kms';
      declare const signer: RequestSigner;
      const c = new CorridorClient('https://exchange.example', { agencyId: 'NL-DOUANE', signer }, { retry: { maxAttempts: 5 } });
      export async function verify(): Promise<LicenseVerifyResult['outcome'] | undefined> {
        const a = await c.call('license.verify', { issuer: 'DE-BAFA', licenseId: 'L-1', shipment: { date: '2026-11-22', destinationCountry: 'SG', items: [{ controlCode: '6A003.b.4', quantity: 5 }] } });
        // @ts-expect-error licenseId and shipment are required by schemas/license.verify.request.schema.json
        await c.call('license.verify', { issuer: 'DE-BAFA' });
        return a.result?.outcome;
      }
      export const k = kmsSigner;
    `);
    const r = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});
