/**
 * What every CLI command shares: option parsing, finding the exchange (flag or
 * local.json), the signing identity (--as with --key FILE, or --kms-key with --kid), the
 * retry policy (--retries), and the usage error that exits 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { JWK } from 'jose';
import { CorridorClient } from '../../lambdas/client/corridor-client.ts';
import { jwkSigner, type RequestSigner, type SignerIdentity } from '../../lambdas/client/signing.ts';
import { readKeyFile } from '../../lambdas/local/key-files.ts';
import { corridorHome, keyFilePath, readLocalFile, type LocalFile } from '../../lambdas/local/local-file.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const COMMON_OPTIONS = {
  url: { type: 'string' },
  as: { type: 'string' },
  key: { type: 'string' },
  'kms-key': { type: 'string' },
  kid: { type: 'string' },
  retries: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export type Values = Record<string, string | boolean | string[] | undefined>;

export function parse(argv: string[], options: ParseArgsConfig['options']): Values {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: false, strict: true }).values as Values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function str(v: Values, name: string, required = true): string | undefined {
  const x = v[name];
  if (typeof x === 'string' && x.length) return x;
  if (required) throw new UsageError(`--${name} is required`);
  return undefined;
}

export function list(v: Values, name: string): string[] {
  const x = v[name];
  if (x === undefined) return [];
  return (Array.isArray(x) ? x : [String(x)]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

export function local(): LocalFile | null {
  return readLocalFile(corridorHome());
}

/** A file the user named: a missing or unparseable one is a usage error (exit 2), not a refusal. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
}

export function keyFile(path: string): JWK {
  try {
    return readKeyFile(path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A KMS key signs (loaded only when asked for, so JWK users never load the AWS SDK). */
async function kmsSignerFor(v: Values): Promise<RequestSigner> {
  const keyId = str(v, 'kms-key')!;
  const kid = str(v, 'kid', false);
  if (!kid) throw new UsageError('--kms-key needs --kid, the kid the key is registered under');
  const [{ KMSClient }, { kmsSigner }] = await Promise.all([import('@aws-sdk/client-kms'), import('../../lambdas/client/kms-signer.ts')]);
  return kmsSigner({ kms: new KMSClient({}), keyId, kid });
}

/**
 * The signing identity: --as AGENCY with --kms-key KEY --kid KID, or with --key FILE (default
 * $CORRIDOR_HOME/keys/AGENCY.private.jwk.json; the agency defaults to the local operator).
 */
export async function identity(v: Values): Promise<SignerIdentity> {
  const lf = local();
  const agencyId = str(v, 'as', false) ?? lf?.operator.agencyId;
  if (!agencyId) throw new UsageError('--as AGENCY is required (no local exchange operator found)');
  if (str(v, 'kms-key', false)) return { agencyId, signer: await kmsSignerFor(v) };
  let file = str(v, 'key', false);
  if (!file) {
    file = lf && agencyId === lf.operator.agencyId ? lf.operator.privateJwkFile : keyFilePath(corridorHome(), agencyId);
    if (!existsSync(file)) throw new UsageError(`--key FILE is required (no ${file})`);
  }
  const jwk = keyFile(file);
  try {
    return { agencyId, signer: jwkSigner(jwk) };
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
}

function retries(v: Values): number {
  const r = str(v, 'retries', false) ?? process.env.CORRIDOR_RETRIES;
  if (r === undefined) return 3;
  if (!/^\d{1,2}$/.test(r)) throw new UsageError('--retries must be a whole number from 0 to 99');
  return Number(r);
}

export async function client(v: Values, signer = true): Promise<CorridorClient> {
  const url = str(v, 'url', false) ?? process.env.CORRIDOR_URL ?? local()?.url;
  if (!url) throw new UsageError('--url is required (or start the local exchange with `npm start`)');
  if (!URL.canParse(url)) throw new UsageError(`--url ${url} is not a URL`);
  return new CorridorClient(url, signer ? await identity(v) : undefined, {
    retry: { maxAttempts: retries(v) + 1 },
    // Waiting is otherwise silent; say why on stderr (stdout stays machine-readable with --json).
    onRetry: (e) => process.stderr.write(`corridor: ${e.act} answered ${e.status}; retrying in ${(e.delayMs / 1000).toFixed(1)} s${e.act.startsWith('GET ') ? '' : ' with a new request id'} (retry ${e.attempt})\n`),
  });
}
