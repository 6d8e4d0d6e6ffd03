/**
 * Starts moto_server (a real AWS emulator: DynamoDB transactions, KMS contexts) on a
 * free loopback port for local mode and tests, and stops exactly the process it started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class EmulatorMissingError extends Error {
  override name = 'EmulatorMissingError';
}

export const MOTO_MISSING =
  'moto_server not found: install it with `pip install "moto[server]"`, or set CORRIDOR_AWS_ENDPOINT to another AWS endpoint (e.g. http://127.0.0.1:5000) to use that instead.';

export interface Emulator {
  endpoint: string;
  port: number;
  /** False when only a plain moto_server was found: concurrent transactions are then not isolated. */
  serialized: boolean;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const SERIALIZED = fileURLToPath(new URL('./moto_serialized.py', import.meta.url));

/**
 * The command that runs moto: our launcher that serializes requests (moto's threaded server
 * does not isolate concurrent DynamoDB transactions; see moto_serialized.py) when python3 can
 * import moto, else `moto_server` from PATH as it is.
 */
export function findMoto(env: NodeJS.ProcessEnv = process.env): { cmd: string[]; serialized: boolean } | null {
  const probe = spawnSync('python3', ['-c', 'import moto.server, werkzeug'], { stdio: 'ignore', env });
  if (probe.status === 0) return { cmd: ['python3', SERIALIZED], serialized: true };
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, 'moto_server'), constants.X_OK);
      return { cmd: [join(dir, 'moto_server')], serialized: false };
    } catch {
      /* not in this directory */
    }
  }
  return null;
}

async function waitUntilServing(endpoint: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto_server did not start in time');
}

export async function startMoto(opts: { deadlineMs?: number } = {}): Promise<Emulator> {
  const found = findMoto();
  if (!found) throw new EmulatorMissingError(MOTO_MISSING);
  const { cmd } = found;
  const port = await freePort();
  const child = spawn(cmd[0]!, [...cmd.slice(1), '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  try {
    await waitUntilServing(endpoint, child, opts.deadlineMs ?? 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, port, serialized: found.serialized, stop };
}
