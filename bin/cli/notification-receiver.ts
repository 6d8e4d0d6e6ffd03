/**
 * A notification receiver (protocol.md §10) on 127.0.0.1: what `corridor notifications listen` runs, and a reference
 * for partners writing their own. For each POST: content-type application/jose, at most 64 KiB, then every check of
 * verifyNotification (header exactly, kid among responseKeyIds — the exchange's keys fetched again once when a kid
 * is new, as after a rotation — signature, iss, aud = us), webhook-id equal to the jti; answered 204 once handled,
 * duplicates (same jti) included, so the exchange stops retrying. Anything that fails a check is answered 400 and
 * handed to `onRejected`, never to `onNotification`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotificationRejected, verifyNotification, type NotificationClaims, type NotificationTrust } from '../../lambdas/client/notification-check.ts';

const MAX_BODY = 64 * 1024;

export interface ReceiverOptions {
  /** The receiving agency: `aud` must be this. */
  receiver: string;
  /** The exchange's id, responseKeyIds and JWKS; `refresh` fetches them again. */
  trust: () => Promise<NotificationTrust>;
  refresh: () => Promise<NotificationTrust>;
  onNotification: (claims: NotificationClaims, duplicate: boolean) => void;
  onRejected: (reason: string) => void;
}

export interface Receiver { server: Server; port: number; close(): Promise<void> }

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startReceiver(port: number, opts: ReceiverOptions): Promise<Receiver> {
  const seen = new Set<string>();
  const verify = async (jws: string): Promise<NotificationClaims> => {
    try {
      return await verifyNotification(jws, await opts.trust(), opts.receiver);
    } catch (e) {
      if (!(e instanceof NotificationRejected) || !e.message.startsWith('unknown kid')) throw e;
      return verifyNotification(jws, await opts.refresh(), opts.receiver); // a rotated response key: look once more
    }
  };
  const server = createServer(async (req, res) => {
    const refuse = (status: number, reason: string): void => {
      opts.onRejected(reason);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`${reason}\n`);
    };
    if (req.method !== 'POST') return refuse(405, 'only POST');
    if ((req.headers['content-type'] ?? '').split(';')[0]!.trim() !== 'application/jose') return refuse(415, 'content-type must be application/jose');
    const body = await readBody(req);
    if (body === null) return refuse(413, 'body over 64 KiB');
    let claims: NotificationClaims;
    try {
      claims = await verify(body.trim());
    } catch (e) {
      return refuse(400, e instanceof NotificationRejected ? e.message : 'could not check the notification');
    }
    if (req.headers['webhook-id'] !== claims.jti) return refuse(400, 'webhook-id is not the jti');
    const duplicate = seen.has(claims.jti);
    seen.add(claims.jti);
    opts.onNotification(claims, duplicate);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
