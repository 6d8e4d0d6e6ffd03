// Notifications against the local exchange as a real process (npm start --demo, moto's stream and queue polled by
// the same handlers Lambda runs) with real HTTP receivers on loopback: the CLI's verifying receiver, one that refuses
// twice, one that is down for a while, every refused endpoint, and an agency without an agreement.
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lambdas/local/emulator.ts';
import { cli, ROOT, startLocal, type LocalExchange } from '../helpers/local-process.ts';

let ex: LocalExchange;
const run = (...args: string[]) => cli(ex.home, args);
const suspend = (status: string) => run('license', 'status', '--as', 'DE-BAFA', '--license', 'DE-2026-000123', '--status', status, '--reason', `e2e ${status}`);

interface Receiver { server: Server; port: number; hits: { id: string; body: string; at: number }[]; answers: number[] }

/** A plain receiver on loopback: records each POST, answers the scripted statuses, then 204. */
async function receiver(port = 0): Promise<Receiver> {
  const r: Receiver = { server: createServer(), port, hits: [], answers: [] };
  r.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      r.hits.push({ id: String(req.headers['webhook-id']), body, at: Date.now() });
      res.writeHead(r.answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((ok) => r.server.listen(port, '127.0.0.1', ok));
  r.port = (r.server.address() as AddressInfo).port;
  return r;
}

async function until<T>(what: string, f: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  // retries 50× faster than deployed (first after 0.1 s, second 0.6 s, …): the same schedule, shorter waits
  ex = await startLocal(['--demo'], undefined, { CORRIDOR_NOTIFY_RETRY_SCALE: '0.02' });
  expect((await run('keygen', '--kid', 'fr-dgddi-1', '--out', join(ex.home, 'keys', 'FR-DGDDI.private.jwk.json'))).code).toBe(0);
  expect((await run('agency', 'register', '--id', 'FR-DGDDI', '--name', 'Douane', '--roles', 'customs', '--key-file', join(ex.home, 'keys', 'FR-DGDDI.public.jwk.json'))).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await ex?.stop();
});

describe('delivery to real receivers', () => {
  it('a suspension arrives at `notifications listen` within 5 s and verifies; an outsider gets nothing and lists nothing', async () => {
    const outsider = await receiver();
    expect((await run('subscribe', '--as', 'FR-DGDDI', '--endpoint', `http://127.0.0.1:${outsider.port}/`, '--events', 'license.status')).code).toBe(0);
    const port = await freePort();
    const listen = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/corridor.ts'), 'notifications', 'listen', '--as', 'NL-DOUANE', '--port', String(port), '--events', 'license.status', '--count', '1', '--json'],
      { cwd: ROOT, env: { ...process.env, CORRIDOR_HOME: ex.home, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errOut = '';
    let arrivedAt = 0;
    listen.stdout.on('data', (d: Buffer) => { arrivedAt ||= Date.now(); out += d.toString(); });
    listen.stderr.on('data', (d: Buffer) => (errOut += d.toString()));
    const exited = new Promise<number | null>((r) => listen.once('exit', r));
    await until('the receiver to subscribe', () => (errOut.includes('listening on') ? true : undefined), 30_000);

    expect((await suspend('suspended')).code).toBe(0);
    expect(await exited).toBe(0); // --count 1: it verified one notification and stopped
    const got = JSON.parse(out.trim()) as Record<string, unknown>;
    // Within 5 s of the commit: `iat` is the commit time rounded down to the second, so this is stricter than that,
    // and it leaves out the start of the CLI process that asked for the suspension (seconds on a loaded machine).
    expect(arrivedAt - Number(got.iat) * 1000).toBeLessThan(5000);
    expect(got).toMatchObject({ aud: 'NL-DOUANE', evt: 'license.status', sub: { documentType: 'license', issuer: 'DE-BAFA', documentId: 'DE-2026-000123' }, data: { status: 'suspended', previous: 'active', reason: 'e2e suspended' }, duplicate: false });

    await new Promise((r) => setTimeout(r, 1000)); // anything for the outsider would have come by now
    expect(outsider.hits).toEqual([]);
    const listed = await run('notifications', 'list', '--as', 'FR-DGDDI', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).result.notifications).toEqual([]);
    const mine = await run('notifications', 'list', '--as', 'NL-DOUANE');
    expect(mine.code).toBe(0);
    expect(mine.stdout).toMatch(/✓ .* license\.status license DE-BAFA\/DE-2026-000123 .*\[delivered, 1 attempt\(s\), last http-204\]/);
    outsider.server.close();
  }, 60_000);

  it('a receiver that refuses twice still gets it: three POSTs of the same notification', async () => {
    const r = await receiver();
    r.answers.push(500, 502);
    expect((await run('subscribe', '--as', 'NL-DOUANE', '--endpoint', `http://127.0.0.1:${r.port}/hook`, '--events', 'license.status')).code).toBe(0);
    expect((await suspend('active')).code).toBe(0);
    await until('three POSTs', () => (r.hits.length >= 3 ? true : undefined));
    expect(new Set(r.hits.map((h) => h.id)).size).toBe(1);
    expect(new Set(r.hits.map((h) => h.body)).size).toBe(1);
    r.server.close();
  }, 60_000);

  it('a receiver that is down for a while gets it once it is back', async () => {
    const port = await freePort(); // nothing listens there yet
    expect((await run('subscribe', '--as', 'NL-DOUANE', '--endpoint', `http://127.0.0.1:${port}/`, '--events', 'license.status')).code).toBe(0);
    expect((await suspend('suspended')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2500)); // several attempts fail: connection refused
    const pending = JSON.parse((await run('notifications', 'list', '--as', 'NL-DOUANE', '--json')).stdout).result.notifications.at(-1);
    expect(pending.delivery).toMatchObject({ state: 'pending', lastResult: 'unreachable' });
    expect(pending.delivery.attempts).toBeGreaterThanOrEqual(2);
    const r = await receiver(port);
    const hit = await until('the delivery after coming back', () => r.hits[0], 30_000);
    expect(hit.id).toBe(JSON.parse(Buffer.from(pending.jws.split('.')[1], 'base64url').toString()).jti);
    r.server.close();
  }, 60_000);
});

describe('refused endpoints (400 at /body/endpoint, exit 1, nothing stored)', () => {
  const stored = `http://127.0.0.1:9/sg-mti`;
  beforeAll(async () => {
    expect((await run('subscribe', '--as', 'SG-MTI', '--endpoint', stored, '--events', 'euc.status')).code).toBe(0);
  }, 30_000);

  it.each([
    ['ftp://127.0.0.1/hook', 'must use https (http only to a loopback address in local mode)'],
    ['http://user:secret@127.0.0.1:9/hook', 'must not contain user info'],
    ['http://169.254.10.10/hook', 'is a link-local address'],
    ['http://[fe80::1]/hook', 'is a link-local address'],
    ['http://169.254.169.254/latest/meta-data/', 'is a cloud metadata address'],
    ['http://metadata.google.internal/', 'is a cloud metadata address'],
    ['http://10.0.0.1/hook', 'is a private or unique-local address'],
    ['https://[fd00::1]/hook', 'is a private or unique-local address'],
    ['http://example.org/hook', 'must use https'],
  ])('%s', async (endpoint, reason) => {
    const a = await run('subscribe', '--as', 'SG-MTI', '--endpoint', endpoint, '--events', 'euc.status');
    expect(a.code).toBe(1);
    expect(a.stdout).toContain('✗ 400 Request body does not match the action schema: endpoint ' + reason);
    expect(a.stdout).toContain(`/body/endpoint: ${reason}`);
    const after = await run('subscribe', '--as', 'SG-MTI', '--json');
    expect(JSON.parse(after.stdout).result.subscription).toMatchObject({ endpoint: stored, events: ['euc.status'] });
  });
});
