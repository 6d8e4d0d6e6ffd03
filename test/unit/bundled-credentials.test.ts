/**
 * A deployed function's SDK clients take their credentials from the environment Lambda sets, and from nothing else
 * (lambdas/adapters/aws/lambda-credentials.ts, aliased in by BUNDLING). A small program bundled with the functions'
 * esbuild options calls DynamoDB on a loopback server in a fresh process: the request is signed with the environment's
 * key and session token; with no credentials in the environment it fails at once, even with a shared credentials file
 * in HOME, which the SDK's full chain (bundled without the alias: the check can fail) would have used.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../lib/constructs/bundle-options.ts';
import { PROJECT_ROOT } from '../../lib/constructs/handler-function.ts';

const run = promisify(execFile);

const PROGRAM = `
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({ region: 'eu-central-1', endpoint: process.env.TEST_ENDPOINT, maxAttempts: 1 });
try {
  const r = await client.send(new ListTablesCommand({}));
  process.stdout.write(JSON.stringify({ tables: r.TableNames }));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: e.name, message: e.message }));
}`;

let dir: string;
let server: Server;
let endpoint: string;
const authorizations: string[] = [];
const sessionTokens: string[] = [];

async function bundleProgram(name: string, aliased: boolean): Promise<string> {
  const outfile = join(dir, name, 'index.mjs');
  await build({
    ...esbuildOptions(join(PROJECT_ROOT, 'unused.ts'), outfile),
    entryPoints: undefined,
    stdin: { contents: PROGRAM, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: `${name}.ts` },
    sourcemap: false,
    ...(aliased ? {} : { alias: {} }),
  });
  return outfile;
}

async function runBundle(file: string, env: Record<string, string>): Promise<{ tables?: string[]; error?: string; message?: string }> {
  const { stdout } = await run(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', TEST_ENDPOINT: endpoint, AWS_EC2_METADATA_DISABLED: 'true', ...env }, timeout: 30_000 });
  return JSON.parse(stdout) as { tables?: string[]; error?: string; message?: string };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'corridor-credentials-'));
  server = createServer((req, res) => {
    authorizations.push(String(req.headers.authorization ?? ''));
    sessionTokens.push(String(req.headers['x-amz-security-token'] ?? ''));
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ TableNames: ['corridor-audit'] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A shared credentials file the SDK's full chain would read from HOME.
  mkdirSync(join(dir, 'home', '.aws'), { recursive: true });
  writeFileSync(join(dir, 'home', '.aws', 'credentials'), '[default]\naws_access_key_id = AKIDFROMSHAREDFILE\naws_secret_access_key = secret-from-file\n');
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('credentials in a bundled function', () => {
  it('signs with the key and session token Lambda puts in the environment', async () => {
    const file = await bundleProgram('aliased', true);
    const out = await runBundle(file, { AWS_ACCESS_KEY_ID: 'AKIDFROMLAMBDAENV', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session-token-from-env' });
    expect(out).toEqual({ tables: ['corridor-audit'] });
    expect(authorizations.at(-1)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMLAMBDAENV\//);
    expect(sessionTokens.at(-1)).toBe('session-token-from-env');
  }, 60_000);

  it('without them it fails at once and reads no shared file; the SDK\'s full chain would have used the file', async () => {
    const before = authorizations.length;
    const aliased = await runBundle(await bundleProgram('aliased', true), { HOME: join(dir, 'home') });
    expect(aliased.error).toBe('CredentialsProviderError');
    expect(aliased.message).toBe('Unable to find environment variable credentials.');
    expect(authorizations.length).toBe(before); // nothing was sent
    const full = await runBundle(await bundleProgram('full-chain', false), { HOME: join(dir, 'home') });
    expect(full).toEqual({ tables: ['corridor-audit'] });
    expect(authorizations.at(-1)).toMatch(/Credential=AKIDFROMSHAREDFILE\//);
  }, 60_000);
});
