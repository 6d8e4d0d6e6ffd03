// The CLI with a key that lives in KMS (moto): `keygen --kms-key` gives the public JWK to
// register, and `--kms-key --kid` signs requests and documents the exchange accepts.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import { startMoto, type Emulator } from '../../lambdas/local/emulator.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';
import { licenseDoc } from '../helpers/licenses.ts';

let moto: Emulator;
let ex: HttpExchange;
let keyId: string;
let home: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
  moto = await startMoto();
  // What an operator's shell would hold; the CLI's KMS client reads nothing else.
  Object.assign(process.env, { AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_KMS: moto.endpoint, CORRIDOR_HOME: mkdtempSync(join(tmpdir(), 'corridor-kms-')) });
  home = process.env.CORRIDOR_HOME!;
  const kms = new KMSClient({});
  keyId = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
  kms.destroy();
  ex = await startHttpExchange();
});

afterAll(async () => {
  await ex?.close();
  await moto?.stop();
});

describe('corridor CLI with --kms-key', () => {
  it('registers a KMS key, then signs requests and a license with it', async () => {
    const pubFile = join(home, 'DE-BAFA.kms.public.jwk.json');
    const gen = await cli('keygen', '--kid', 'de-bafa-kms-1', '--kms-key', keyId, '--out', pubFile, '--json');
    expect(gen.code).toBe(0);
    expect(JSON.parse(gen.stdout)).toMatchObject({ kid: 'de-bafa-kms-1', jwk: { kty: 'EC', crv: 'P-256', alg: 'ES256' } });
    expect(JSON.parse(readFileSync(pubFile, 'utf8'))).not.toHaveProperty('d');

    const opKey = join(home, 'op.jwk.json');
    writeFileSync(opKey, JSON.stringify(ex.x.operator.privateJwk));
    const reg = await cli('agency', 'register', '--url', ex.url, '--as', 'XX-OPERATOR', '--key', opKey, '--id', 'DE-BAFA', '--name', 'BAFA', '--roles', 'licensing', '--key-file', pubFile, '--json');
    expect(JSON.parse(reg.stdout)).toMatchObject({ status: 201 });

    const signed = ['--url', ex.url, '--as', 'DE-BAFA', '--kms-key', keyId, '--kid', 'de-bafa-kms-1', '--json'];
    const put = await cli('agreement', 'put', ...signed, '--partner', 'XX-OPERATOR', '--permissions', 'verify');
    expect([put.code, JSON.parse(put.stdout).status]).toEqual([0, 201]);
    const file = join(home, 'license.json');
    writeFileSync(file, JSON.stringify(licenseDoc({ issuedAt: new Date().toISOString() })));
    const pub = await cli('license', 'publish', ...signed, '--file', file);
    expect(JSON.parse(pub.stdout)).toMatchObject({ status: 201, result: { licenseId: 'DE-2026-000123', version: 1 } });
  });

  it('--kms-key without --kid is a usage error', async () => {
    const r = await cli('license', 'drawdowns', '--url', ex.url, '--as', 'DE-BAFA', '--kms-key', keyId, '--license', 'X');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--kms-key needs --kid');
  });
});
