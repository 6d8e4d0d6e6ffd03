// Client certificates for an exchange behind mutual TLS: a loopback TLS listener that requires a certificate from
// its own CA (made here with the openssl CLI) in front of the scripted exchange. Without a certificate the CLI
// exits 3 and says what to give; with one (flags or environment) the answer is verified as always.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli/output.ts';
import { httpsFetch } from '../../lambdas/client/https-fetch.ts';
import { runCli as cli } from '../helpers/cli-run.ts';
import { fakeExchange } from '../helpers/fake-exchange.ts';

let dir: string;
let server: Server;
let url: string;
let fake: Awaited<ReturnType<typeof fakeExchange>>;
const peers: string[] = [];
/** Requests to this path get no answer, for the abort test. */
const HANG = '/hang';
let hung: () => void = () => {};

const f = (name: string): string => join(dir, name);
const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A P-256 key and a certificate for `cn` signed by the CA `ca` (or self-signed without one). */
function issue(name: string, cn: string, ca?: string, ext?: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  if (!ca) return openssl('x509', '-req', '-in', `${name}.csr`, '-signkey', `${name}.key`, '-out', `${name}.pem`, '-days', '1');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...(ext ? ['-extfile', ext] : []));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'corridor-mtls-'));
  process.env.CORRIDOR_HOME = dir;
  process.env.CORRIDOR_RETRIES = '0';
  for (const ca of ['ca', 'other-ca']) openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '1', '-subj', `/CN=${ca}`);
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  issue('server', '127.0.0.1', 'ca', 'san.ext');
  issue('client', 'NL-DOUANE', 'ca');
  issue('stranger', 'NL-DOUANE', 'other-ca');
  fake = await fakeExchange(() => ({ status: 200 }));
  server = createServer({ key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')), ca: readFileSync(f('ca.pem')), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    peers.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
    if (req.url === HANG) return void hung();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const a = await fake.fetch(new URL(req.url ?? '/', 'https://127.0.0.1'), { method: req.method ?? 'GET', ...(body.length ? { body } : {}) });
        res.writeHead(a.status, Object.fromEntries(a.headers.entries())).end(Buffer.from(await a.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const k = await cli('keygen', '--kid', 'nl-douane-1', '--out', f('douane.jwk.json'));
  expect(k.code).toBe(EXIT.ok);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const status = (...extra: string[]) => cli('license', 'status', '--url', url, '--as', 'NL-DOUANE', '--key', f('douane.jwk.json'), '--license', 'DE-1', '--status', 'suspended', '--reason', 'r', ...extra);

describe('an exchange behind mutual TLS', () => {
  it('without a client certificate: exit 3, nothing reaches the exchange, and the message says to give one', async () => {
    const before = fake.sent.length;
    const r = await status('--ca', f('ca.pem'), '--json');
    expect(r.code).toBe(EXIT.unavailable);
    expect(JSON.parse(r.stdout).error.kind).toBe('unavailable');
    // The server's alert (what one sees unless the connection reset overtakes it on a loaded machine).
    expect(r.stderr).toMatch(new RegExp(`exchange unavailable — cannot reach the exchange at ${url}: (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET) — `));
    expect(r.stderr).toMatch(/the exchange wants a client certificate it trusts \(mutual TLS\): give --cert FILE --cert-key FILE, or set CORRIDOR_CLIENT_CERT and CORRIDOR_CLIENT_KEY|it did not accept the client certificate \(or none was given: --cert FILE --cert-key FILE\)/);
    expect(fake.sent.length).toBe(before);
  });

  it("without --ca the exchange's certificate is not trusted: exit 3, and the message names --ca", async () => {
    const r = await status('--cert', f('client.pem'), '--cert-key', f('client.key'));
    expect(r.code).toBe(EXIT.unavailable);
    expect(r.stderr).toContain("the exchange's server certificate is not from a CA this machine trusts: give --ca FILE, or set CORRIDOR_CA");
  });

  it('a certificate from a CA the exchange does not trust: exit 3', async () => {
    const r = await status('--ca', f('ca.pem'), '--cert', f('stranger.pem'), '--cert-key', f('stranger.key'));
    expect(r.code).toBe(EXIT.unavailable);
    // The server's alert, or (TLS 1.3, when the reset arrives first) a closed connection: either way the message points at the certificate.
    expect(r.stderr).toMatch(/: (ERR_SSL_TLSV1\d_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN) — the exchange wants a client certificate it trusts|ECONNRESET — if the exchange requires mutual TLS, it did not accept the client certificate)/);
  });

  it('with --cert, --cert-key and --ca: the request goes through with the certificate and the answer verifies', async () => {
    const before = fake.sent.length;
    peers.length = 0;
    const r = await status('--ca', f('ca.pem'), '--cert', f('client.pem'), '--cert-key', f('client.key'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('license DE-1 is now suspended');
    expect(r.stdout).toContain('✓ response signature verified · audit event ev-');
    expect(fake.sent.length).toBe(before + 1);
    expect(fake.sent.at(-1)!.claims).toMatchObject({ iss: 'NL-DOUANE', act: 'license.status' });
    expect(peers.length).toBeGreaterThanOrEqual(3); // configuration, JWKS, the action
    expect(new Set(peers)).toEqual(new Set(['NL-DOUANE']));
  });

  it('the same from CORRIDOR_CLIENT_CERT, CORRIDOR_CLIENT_KEY and CORRIDOR_CA', async () => {
    Object.assign(process.env, { CORRIDOR_CLIENT_CERT: f('client.pem'), CORRIDOR_CLIENT_KEY: f('client.key'), CORRIDOR_CA: f('ca.pem') });
    try {
      const r = await status('--json');
      expect(r.code).toBe(EXIT.ok);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 200, result: { licenseId: 'DE-1', status: 'suspended' } });
    } finally {
      for (const k of ['CORRIDOR_CLIENT_CERT', 'CORRIDOR_CLIENT_KEY', 'CORRIDOR_CA']) delete process.env[k];
    }
  });

  it('usage errors, nothing sent: a certificate without its key, an unreadable file, a plain-HTTP URL', async () => {
    const half = await status('--cert', f('client.pem'));
    expect([half.code, half.stderr.split('\n')[0]]).toEqual([EXIT.usage, 'corridor license status: --cert and --cert-key go together: the client certificate and its private key, PEM (or CORRIDOR_CLIENT_CERT and CORRIDOR_CLIENT_KEY)']);
    const missing = await status('--cert', f('nope.pem'), '--cert-key', f('client.key'));
    expect([missing.code, missing.stderr]).toEqual([EXIT.usage, expect.stringContaining(`--cert ${f('nope.pem')}: ENOENT`)]);
    const plain = await cli('license', 'status', '--url', 'http://127.0.0.1:9', '--as', 'NL-DOUANE', '--key', f('douane.jwk.json'), '--license', 'DE-1', '--status', 'active', '--reason', 'r', '--ca', f('ca.pem'));
    expect([plain.code, plain.stderr.split('\n')[0]]).toEqual([EXIT.usage, 'corridor license status: --cert, --cert-key and --ca need an https:// exchange URL, not http://127.0.0.1:9']);
  });
});

describe('httpsFetch', () => {
  const tls = () => ({ cert: readFileSync(f('client.pem')), key: readFileSync(f('client.key')), ca: readFileSync(f('ca.pem')) });

  it('an abort rejects with the signal’s reason, also when the exchange never answers', async () => {
    const reached = new Promise<void>((r) => (hung = r));
    const ac = new AbortController();
    const pending = httpsFetch(tls())(`${url}${HANG}`, { signal: ac.signal });
    await reached;
    ac.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    const already = new AbortController();
    already.abort(new Error('before'));
    await expect(httpsFetch(tls())(`${url}/x`, { signal: already.signal })).rejects.toThrow('before');
  });

  it('answers as fetch does: status, headers, one body; and refuses a plain-HTTP URL', async () => {
    const res = await httpsFetch(tls())(`${url}/.well-known/corridor-configuration`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json']);
    expect((await res.json()) as unknown).toMatchObject({ exchangeId: 'corridor:test' });
    await expect(httpsFetch(tls())('http://127.0.0.1:9/')).rejects.toThrow('a client certificate needs an https URL, not http://127.0.0.1:9');
    expect(() => httpsFetch({ cert: tls().cert })).toThrow('a client certificate needs its private key');
  });
});
