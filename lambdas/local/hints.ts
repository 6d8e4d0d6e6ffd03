/**
 * The commands `npm start` prints for the reader to paste into another terminal, written for where
 * the state really is: key files under $CORRIDOR_HOME (not `.corridor` whatever it is), and an
 * `export CORRIDOR_HOME=…` first when it is not the default, so the CLI there finds local.json.
 */
import { isAbsolute, relative, resolve } from 'node:path';

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** `path` as the reader types it: relative to the working directory when inside it, else absolute; quoted for sh. */
export function shellPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return quote(rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path);
}

/** The line that points the other terminal's CLI at this home, when it is not the default `.corridor` of cwd. */
export function homeExport(home: string, cwd = process.cwd()): string[] {
  return resolve(cwd, '.corridor') === resolve(home) ? [] : [`export CORRIDOR_HOME=${quote(resolve(home))}`];
}

/** What to try next against an empty local exchange. */
export function startHints(home: string, url: string, cwd = process.cwd()): string[] {
  const key = shellPath(resolve(home, 'keys', 'DE-BAFA.private.jwk.json'), cwd);
  const pub = shellPath(resolve(home, 'keys', 'DE-BAFA.public.jwk.json'), cwd);
  return [
    ...homeExport(home, cwd),
    `curl -s ${url}/.well-known/corridor-configuration`,
    `npx corridor keygen --kid de-bafa-1 --out ${key}`,
    `npx corridor agency register --id DE-BAFA --name "Export control office" --roles licensing --key-file ${pub}`,
  ];
}
