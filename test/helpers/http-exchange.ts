/**
 * The real exchange core on memory adapters behind a loopback HTTP server, on the real clock:
 * what the CLI and the client talk to in tests that need real signed answers but not moto.
 * `override` lets a test answer a POST itself (an unsigned 503, garbage) to reach the
 * client's other paths.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configuration, exchangeJwks, publicAgencyJwks } from '../../lambdas/core/discovery.ts';
import { actionForPath } from '../../lambdas/core/routes.ts';
import { TestExchange } from './memory-exchange.ts';

export interface Canned { status: number; contentType: string; body: string }

export interface HttpExchange { x: TestExchange; url: string; override: ((path: string) => Canned | undefined) | null; close: () => Promise<void> }

export async function startHttpExchange(): Promise<HttpExchange> {
  // Requests are signed with iat = now: the exchange's clock must be the real one here, from the bootstrap on (its
  // event, like every other, has to be in the sealer's window).
  const x = new TestExchange();
  Object.defineProperty(x, 'time', { get: () => Date.now(), set: () => {} });
  await x.bootstrap();
  const state: HttpExchange = { x, url: '', override: null, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = new URL(req.url ?? '/', 'http://local').pathname;
        const send = (status: number, contentType: string, body: string): void => void res.writeHead(status, { 'content-type': contentType }).end(body);
        const route = actionForPath(path);
        const canned = req.method === 'POST' ? state.override?.(path) : undefined;
        if (canned) return send(canned.status, canned.contentType, canned.body);
        if (req.method === 'POST' && route) {
          const a = await x.exchange.handle({ act: route.act, contentType: req.headers['content-type'], body: Buffer.concat(chunks), sourceIp: '127.0.0.1', requestId: `req-${Date.now()}` });
          return send(a.status, a.contentType, a.body);
        }
        if (path === '/.well-known/corridor-configuration') return send(200, 'application/json', JSON.stringify(await configuration(x.services, state.url)));
        if (path === '/.well-known/jwks.json') return send(200, 'application/json', JSON.stringify(await exchangeJwks(x.services)));
        const m = /^\/v1\/agencies\/([^/]+)\/jwks\.json$/.exec(path);
        const jwks = m ? await publicAgencyJwks(x.services, decodeURIComponent(m[1]!)) : null;
        return jwks ? send(200, 'application/json', JSON.stringify(jwks)) : send(404, 'application/json', '{"title":"Not Found"}');
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((r) => server.close(() => r()));
  return state;
}
