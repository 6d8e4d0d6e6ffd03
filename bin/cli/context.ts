/**
 * What every CLI command shares: option parsing, finding the exchange (flag or
 * local.json), the signing identity (--as, --key), and the usage error that exits 2.
 */
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CorridorClient } from '../../lambdas/client/corridor-client.ts';
import type { SigningIdentity } from '../../lambdas/client/signing.ts';
import { readKeyFile } from '../../lambdas/local/key-files.ts';
import { corridorHome, keyFilePath, readLocalFile, type LocalFile } from '../../lambdas/local/local-file.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const COMMON_OPTIONS = {
  url: { type: 'string' },
  as: { type: 'string' },
  key: { type: 'string' },
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

/** The signing identity: --as AGENCY and --key FILE; the key defaults to $CORRIDOR_HOME/keys/AGENCY.private.jwk.json, the agency to the local operator. */
export function identity(v: Values): SigningIdentity {
  const lf = local();
  const agencyId = str(v, 'as', false) ?? lf?.operator.agencyId;
  if (!agencyId) throw new UsageError('--as AGENCY is required (no local exchange operator found)');
  let keyFile = str(v, 'key', false);
  if (!keyFile) {
    keyFile = lf && agencyId === lf.operator.agencyId ? lf.operator.privateJwkFile : keyFilePath(corridorHome(), agencyId);
    if (!existsSync(keyFile)) throw new UsageError(`--key FILE is required (no ${keyFile})`);
  }
  return { agencyId, privateJwk: readKeyFile(keyFile) };
}

export function client(v: Values, signer = true): CorridorClient {
  const url = str(v, 'url', false) ?? process.env.CORRIDOR_URL ?? local()?.url;
  if (!url) throw new UsageError('--url is required (or start the local exchange with `npm start`)');
  return new CorridorClient(url, signer ? identity(v) : undefined);
}
