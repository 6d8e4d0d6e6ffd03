/**
 * What every CLI command shares: option parsing (every missing required option told at once),
 * finding the exchange (flag or local.json) and reaching it (client certificate: transport.ts),
 * the signing identity (--as with --key FILE, or --kms-key with --kid), the retry policy
 * (--retries), and the usage error that exits 2.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { JWK } from 'jose';
import { CorridorClient } from '../../lambdas/client/corridor-client.ts';
import { jwkSigner, type RequestSigner, type SignerIdentity } from '../../lambdas/client/signing.ts';
import { readKeyFile } from '../../lambdas/local/key-files.ts';
import { corridorHome, keyFilePath, readLocalFile, type LocalFile } from '../../lambdas/local/local-file.ts';
import { activeKeyFile, candidateKeyFiles, NoActiveKeyError, type PublishedKeyStatus } from './key-choice.ts';
import { tlsFetchFor } from './transport.ts';

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
  cert: { type: 'string' },
  'cert-key': { type: 'string' },
  ca: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export type Values = Record<string, string | boolean | string[] | undefined>;

/** The options a command cannot do without, or a function of the parsed values that says which. `as` means a signer. */
export type Required = readonly string[] | ((v: Values) => readonly string[]);

const absent = (x: Values[string]): boolean => x === undefined || x === '' || (Array.isArray(x) && x.length === 0);

/**
 * Parses argv; every required option that is missing is named in one usage error. `as` is missing
 * only when there is no local operator to default to, and `key` with it when no key file is found.
 */
export function parse(argv: string[], options: ParseArgsConfig['options'], required: Required = []): Values {
  let v: Values;
  try {
    v = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: false, strict: true }).values as Values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const names = typeof required === 'function' ? required(v) : required;
  const missing = names.filter((n) => n !== 'as' && absent(v[n])).map((n) => `--${n}`);
  if (names.includes('as')) missing.push(...signerMissing(v));
  if (missing.length) throw new UsageError(`missing ${missing.join(', ')}`);
  return v;
}

/** What is missing to sign: --as when there is no local operator, --key when no key file of the agency exists. */
function signerMissing(v: Values): string[] {
  const lf = local();
  const agencyId = str(v, 'as', false) ?? lf?.operator.agencyId;
  if (!agencyId) return ['--as AGENCY (no local exchange operator found)'];
  if (str(v, 'key', false) || str(v, 'kms-key', false) || agencyId === lf?.operator.agencyId) return [];
  return candidateKeyFiles(corridorHome(), agencyId).length ? [] : [`--key FILE (no ${keyFilePath(corridorHome(), agencyId)})`];
}

export function str(v: Values, name: string, required = true): string | undefined {
  const x = v[name];
  if (typeof x === 'string' && x.length) return x;
  if (required) throw new UsageError(`missing --${name}`);
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
 * The signing identity: --as AGENCY with --kms-key KEY --kid KID, or with --key FILE (default: the
 * agency's key file in $CORRIDOR_HOME/keys, the active one if there are several; the agency defaults
 * to the local operator).
 */
export function identity(v: Values): Promise<SignerIdentity> {
  // Once per command: `license publish` signs the document and the request with it (and may have asked the JWKS).
  let id = identities.get(v);
  if (!id) identities.set(v, (id = resolveIdentity(v)));
  return id;
}

const identities = new WeakMap<Values, Promise<SignerIdentity>>();

async function resolveIdentity(v: Values): Promise<SignerIdentity> {
  const lf = local();
  const agencyId = str(v, 'as', false) ?? lf?.operator.agencyId;
  if (!agencyId) throw new UsageError('missing --as AGENCY (no local exchange operator found)');
  if (str(v, 'kms-key', false)) return { agencyId, signer: await kmsSignerFor(v) };
  const file = str(v, 'key', false) ?? (lf && agencyId === lf.operator.agencyId ? lf.operator.privateJwkFile : await defaultKeyFile(v, agencyId));
  const jwk = keyFile(file);
  try {
    return { agencyId, signer: jwkSigner(jwk) };
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}${jwk.d ? '' : ' — a public key file; --key needs the private one'}`);
  }
}

/** The agency's key file in $CORRIDOR_HOME/keys; with several, the one the exchange lists as active (key-choice.ts). */
async function defaultKeyFile(v: Values, agencyId: string): Promise<string> {
  const files = candidateKeyFiles(corridorHome(), agencyId);
  if (!files.length) throw new UsageError(`missing --key FILE (no ${keyFilePath(corridorHome(), agencyId)})`);
  const published = async (): Promise<PublishedKeyStatus[]> => ((await (await client(v, false)).agencyJwks(agencyId)).keys as PublishedKeyStatus[] | undefined) ?? [];
  try {
    return await activeKeyFile(agencyId, files, keyFile, published);
  } catch (e) {
    throw e instanceof NoActiveKeyError ? new UsageError(e.message) : e;
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
  if (!url) throw new UsageError('missing --url (or start the local exchange with `npm start`)');
  if (!URL.canParse(url)) throw new UsageError(`--url ${url} is not a URL`);
  const fetch = tlsFetchFor(v, url);
  return new CorridorClient(url, signer ? await identity(v) : undefined, {
    ...(fetch ? { fetch } : {}),
    retry: { maxAttempts: retries(v) + 1 },
    // Waiting is otherwise silent; say why on stderr (stdout stays machine-readable with --json).
    onRetry: (e) => process.stderr.write(`corridor: ${e.act} answered ${e.status}; retrying in ${(e.delayMs / 1000).toFixed(1)} s${e.act.startsWith('GET ') ? '' : ' with a new request id'} (retry ${e.attempt})\n`),
  });
}
