/**
 * NodeWebhookPoster implements WebhookPoster with node:http / node:https (protocol.md §10, "Delivery"): one POST on a
 * fresh connection (no pooled socket from an earlier address), no redirects followed (Node never follows them),
 * at most 1 KB of the answer read, 5 s for the whole exchange. The address rules are applied twice: in the DNS
 * lookup the connection uses (every address the name has must be allowed), and on the socket's remote address once
 * connected — the address actually connected to, so a rebinding name or an IP-literal URL cannot slip through.
 */
import { createHash } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { addressRefusal, type EndpointPolicy } from '../../core/notifications/endpoint-rules.ts';
import type { PostResult, WebhookPoster, WebhookRequest } from '../../core/notifications/queue.ts';

/** No answer within this many milliseconds is a failed attempt (retried). */
export const POST_TIMEOUT_MS = 5000;
/** The most of an answer that is read: its status decides, its body is only hashed for the audit event. */
export const MAX_ANSWER_BYTES = 1024;

class AddressRefused extends Error {
  override name = 'AddressRefused';
}
class Timeout extends Error {
  override name = 'Timeout';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A lookup for net.connect that refuses a name with any disallowed address. */
function checkedLookup(policy: EndpointPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => addressRefusal(a.address, policy));
      if (refused || addresses.length === 0) return callback(new AddressRefused('address refused'), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export class NodeWebhookPoster implements WebhookPoster {
  constructor(private readonly timeoutMs = POST_TIMEOUT_MS) {}

  post(req: WebhookRequest, policy: EndpointPolicy): Promise<PostResult> {
    const url = new URL(req.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = Buffer.from(req.body, 'utf8');
    return new Promise<PostResult>((resolve) => {
      let address: string | undefined;
      let done = false;
      const finish = (r: PostResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(r);
      };
      const fail = (e: unknown): void => {
        const kind = e instanceof AddressRefused ? 'address-refused' : e instanceof Timeout ? 'timeout' : 'unreachable';
        finish({ kind, ...(address ? { address } : {}) });
      };
      const request: ClientRequest = send(url, {
        method: 'POST',
        agent: false,
        lookup: checkedLookup(policy) as never,
        headers: { ...req.headers, 'content-length': String(body.length), 'user-agent': 'corridor-notifier/1' },
      });
      const timer = setTimeout(() => request.destroy(new Timeout('no answer in time')), this.timeoutMs);
      request.on('socket', (socket: Socket) => {
        socket.once('connect', () => {
          address = socket.remoteAddress;
          if (!address || addressRefusal(address, policy)) request.destroy(new AddressRefused('connected address refused'));
        });
      });
      request.on('error', fail);
      request.on('response', (res: IncomingMessage) => {
        const hash = createHash('sha256');
        let read = 0;
        const settle = (): void => {
          finish({ kind: 'answered', status: res.statusCode ?? 0, answerDigest: hash.digest('base64url'), address: address ?? '' });
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          const take = chunk.subarray(0, Math.max(0, MAX_ANSWER_BYTES - read));
          hash.update(take);
          read += take.length;
          if (read >= MAX_ANSWER_BYTES) settle();
        });
        res.on('end', settle);
        res.on('error', settle); // the status is known; a broken body changes nothing
      });
      request.end(body);
    });
  }
}
