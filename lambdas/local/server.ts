/**
 * The local HTTP front door: turns each request into the API Gateway HTTP API (2.0) event
 * the deployed handlers receive, and calls the very same handler modules.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { actionForPath, PUBLIC_ROUTES, type HandlerGroup } from '../core/routes.ts';
import type { HttpEvent, HttpResult } from '../handlers/http-edge.ts';

export type Handler = (event: HttpEvent) => Promise<HttpResult>;
export type Handlers = Record<HandlerGroup, Handler> & { console: Handler };

/** API Gateway's own payload limit; larger bodies never reach a handler there either. */
const GATEWAY_LIMIT = 6 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_LIMIT) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, body: Buffer): HttpEvent {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  headers['x-forwarded-proto'] = 'http';
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

export function createLocalServer(handlers: Handlers): Server {
  return createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      if (!body) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ title: 'Payload Too Large', status: 413 }));
        return;
      }
      const event = toEvent(req, body);
      const route = actionForPath(event.rawPath);
      const isConsole = event.rawPath === PUBLIC_ROUTES.console || event.rawPath.startsWith(`${PUBLIC_ROUTES.console}/`);
      const handler = req.method === 'POST' && route ? handlers[route.group] : isConsole ? handlers.console : handlers.discovery;
      const out = await handler(event);
      res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>).end(out.body ?? '');
    } catch {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ title: 'Service Unavailable', status: 503 }));
    }
  });
}
