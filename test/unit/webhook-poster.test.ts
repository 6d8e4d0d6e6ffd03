// NodeWebhookPoster against real loopback servers: the address rules hold on the connection itself (a name that
// resolves to loopback, or a loopback literal, is refused under the deployed policy before anything is sent),
// redirects are not followed, at most 1 KB of an answer is read, and no answer in time is a timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWebhookPoster } from '../../lambdas/adapters/http/node-webhook-poster.ts';
import { sha256b64url } from '../../lambdas/core/merkle.ts';
import { DEPLOYED_ENDPOINTS, LOCAL_ENDPOINTS } from '../../lambdas/core/notifications/endpoint-rules.ts';

let server: Server;
let port: number;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/redirect') return res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
    if (req.url === '/big') return res.writeHead(200).end('x'.repeat(100_000));
    if (req.url === '/slow') return; // never answers
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const post = (path: string, policy = LOCAL_ENDPOINTS, host = '127.0.0.1', poster = new NodeWebhookPoster()) =>
  poster.post({ url: `http://${host}:${port}${path}`, headers: { 'content-type': 'application/jose', 'webhook-id': 'ntf-x' }, body: 'a.b.c' }, policy);

describe('NodeWebhookPoster', () => {
  it('local policy: a loopback endpoint is posted to, the address connected to reported', async () => {
    expect(await post('/ok')).toEqual({ kind: 'answered', status: 204, answerDigest: sha256b64url(''), address: '127.0.0.1' });
  });

  it('deployed policy: a name resolving to loopback and a loopback literal are refused; nothing reaches the server', async () => {
    seen.length = 0;
    expect(await post('/rebind', DEPLOYED_ENDPOINTS, 'localhost')).toMatchObject({ kind: 'address-refused' });
    expect(await post('/literal', DEPLOYED_ENDPOINTS)).toMatchObject({ kind: 'address-refused', address: '127.0.0.1' });
    expect(seen).toEqual([]);
  });

  it('a redirect is an answer like any non-2xx (not followed); a long answer is read only to 1 KB', async () => {
    seen.length = 0;
    expect(await post('/redirect')).toMatchObject({ kind: 'answered', status: 302 });
    expect(seen).toEqual(['/redirect']);
    expect(await post('/big')).toEqual({ kind: 'answered', status: 200, answerDigest: sha256b64url('x'.repeat(1024)), address: '127.0.0.1' });
  });

  it('no answer in time is a timeout; a closed port is unreachable', async () => {
    expect(await post('/slow', LOCAL_ENDPOINTS, '127.0.0.1', new NodeWebhookPoster(200))).toMatchObject({ kind: 'timeout' });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await new NodeWebhookPoster().post({ url: `http://127.0.0.1:${free}/`, headers: {}, body: '' }, LOCAL_ENDPOINTS);
    expect(r.kind).toBe('unreachable');
  });
});
