/**
 * Which key file signs for `--as AGENCY` when no --key is given. Key files live in
 * $CORRIDOR_HOME/keys as AGENCY.private.jwk.json and, after a rotation, AGENCY-<n>.private.jwk.json
 * (README step 9). One file is used as it is; among several, the one whose key the exchange
 * publishes as active — so retiring the first key does not break every later `--as AGENCY`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { JWK } from 'jose';
import { keyFilePath } from '../../lambdas/local/local-file.ts';

/** The agency's private key files: AGENCY.private.jwk.json first, then AGENCY-<suffix>.private.jwk.json, newest suffix first. */
export function candidateKeyFiles(home: string, agencyId: string): string[] {
  const dir = join(home, 'keys');
  if (!existsSync(dir)) return [];
  // An agency id has no hyphen after its country part, so AGENCY-<suffix> is never another agency's file.
  const suffixed = new RegExp(`^${agencyId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-([A-Za-z0-9._]+)\\.private\\.jwk\\.json$`);
  const others = readdirSync(dir).map((f) => suffixed.exec(f)?.[1]).filter((s): s is string => s !== undefined);
  others.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  const base = keyFilePath(home, agencyId);
  return [...(existsSync(base) ? [base] : []), ...others.map((s) => join(dir, `${agencyId}-${s}.private.jwk.json`))];
}

/** Several key files, none with a key the exchange lists as active: the user has to say which (a usage error). */
export class NoActiveKeyError extends Error {
  override name = 'NoActiveKeyError';
}

export interface PublishedKeyStatus { kid?: unknown; status?: unknown }

/**
 * The file to sign with among `files` (as candidateKeyFiles gives them): the only one, or the first whose kid
 * `published()` (the agency's JWKS, fetched only when there is a choice) lists as active. Throws
 * NoActiveKeyError, naming each file's key and status, when none is.
 */
export async function activeKeyFile(agencyId: string, files: string[], read: (file: string) => JWK, published: () => Promise<PublishedKeyStatus[]>): Promise<string> {
  if (files.length === 1) return files[0]!;
  const status = new Map((await published()).map((k) => [k.kid, k.status]));
  const kids = files.map((f) => read(f).kid);
  const i = kids.findIndex((kid) => status.get(kid) === 'active');
  if (i >= 0) return files[i]!;
  const seen = files.map((f, j) => `${basename(f)}: ${kids[j]} ${typeof status.get(kids[j]) === 'string' ? String(status.get(kids[j])) : 'not registered'}`);
  throw new NoActiveKeyError(`no key file of ${agencyId} holds an active key (${seen.join('; ')}); give --key FILE`);
}
