/** Runs `corridor serve` as a real child process in its own process group, and the CLI against it. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LocalFile } from '../../lambdas/local/local-file.ts';
import { freePort } from '../../lambdas/local/emulator.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'bin/corridor.ts');

export interface LocalExchange { home: string; child: ChildProcess; file: LocalFile; output: () => string; stop: () => Promise<number | null> }

/**
 * The local exchange's own sealing timer is pushed out to an hour unless a test asks otherwise: tests
 * that seal through the CLI and count seals must not race a timer that fires under load.
 */
export async function startLocal(
  args: string[] = ['--demo'],
  home = mkdtempSync(join(tmpdir(), 'corridor-e2e-')),
  extraEnv: Record<string, string> = {},
): Promise<LocalExchange> {
  const port = await freePort();
  const env = { ...process.env, CORRIDOR_SEAL_INTERVAL_MS: '3600000', ...extraEnv, CORRIDOR_HOME: home, CORRIDOR_PORT: String(port), NODE_NO_WARNINGS: '1' };
  // One node process with tsx's loader, not the tsx CLI: the CLI relays a group SIGINT to its child and, when the
  // child's acknowledgement takes over 30 ms (a loaded machine), kills it and exits 130 — a race, not a stop.
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const until = Date.now() + 60_000;
  while (!out.includes('Ctrl-C stops')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const file = JSON.parse(readFileSync(join(home, 'local.json'), 'utf8')) as LocalFile;
  const stop = (): Promise<number | null> =>
    new Promise((done) => {
      if (child.exitCode !== null) return done(child.exitCode);
      child.once('exit', (code) => done(code));
      process.kill(-child.pid!, 'SIGINT'); // as Ctrl-C does: the whole group we started
    });
  return { home, child, file, output: () => out, stop };
}

export interface CliResult { code: number; stdout: string; stderr: string }

/** Run the corridor CLI with CORRIDOR_HOME pointing at a local exchange. */
export function cli(home: string, args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(TSX, [CLI, ...args], { cwd: ROOT, env: { ...process.env, CORRIDOR_HOME: home, NODE_NO_WARNINGS: '1' } }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export const keyFile = (home: string, agencyId: string): string => join(home, 'keys', `${agencyId}.private.jwk.json`);
export { existsSync };
