/** `$CORRIDOR_HOME/local.json` (protocol.md §8): how the CLI finds the running local exchange. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LocalFile {
  url: string;
  exchangeId: string;
  awsEndpoint: string;
  region: string;
  operator: { agencyId: string; kid: string; privateJwkFile: string };
  /** Beyond §8: what `corridor keys rotate` needs to reach storage directly. */
  tables: Record<string, string>;
  payloadKeyId: string;
  sealKeyId: string;
  /** The delivery queue, for `corridor notifications refan` (fan-out straight on storage). */
  notifyQueueUrl?: string;
  /** How often the local handlers re-read the response key ring, so `keys rotate` can say when the new key signs everywhere. */
  responseKeyRefreshMs?: number;
}

export function corridorHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CORRIDOR_HOME || '.corridor');
}

export const localFilePath = (home: string): string => join(home, 'local.json');
export const keyFilePath = (home: string, agencyId: string): string => join(home, 'keys', `${agencyId}.private.jwk.json`);

export function writeLocalFile(home: string, f: LocalFile): void {
  writeFileSync(localFilePath(home), `${JSON.stringify(f, null, 2)}\n`, { mode: 0o600 });
}

export function readLocalFile(home: string): LocalFile | null {
  try {
    return JSON.parse(readFileSync(localFilePath(home), 'utf8')) as LocalFile;
  } catch {
    return null;
  }
}
