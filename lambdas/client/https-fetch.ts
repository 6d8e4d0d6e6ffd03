/**
 * A `fetch` over node:https that presents a client certificate, for exchanges deployed behind
 * mutual TLS: Node 20's global fetch cannot take one without undici's Agent. Only what
 * CorridorClient uses: method, headers, a body, an abort signal (its timeout), one answer body.
 */
import { Agent, request } from 'node:https';

export interface ClientTls {
  /** The client certificate chain, PEM (with `key`; without both, no certificate is presented). */
  cert?: string | Buffer;
  /** Its private key, PEM. */
  key?: string | Buffer;
  /** CAs to trust for the exchange's certificate, PEM, instead of Node's bundled roots. */
  ca?: string | Buffer;
}

/** Statuses whose answer has no body; `new Response` refuses one for them. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function headerList(h: RequestInit['headers']): Record<string, string> {
  return Object.fromEntries(new Headers(h).entries());
}

function bodyOf(b: RequestInit['body']): Buffer | undefined {
  if (b === undefined || b === null) return undefined;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof ArrayBuffer) return Buffer.from(b);
  throw new TypeError('https fetch: only string and byte bodies are supported');
}

/**
 * A fetch whose TLS connections present `tls.cert`/`tls.key` and trust `tls.ca`, each when given.
 * Failures reject as the global fetch does: a TypeError whose `cause` is the Node error (its `code`
 * names the reason, e.g. ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED); an abort rejects with the signal's reason.
 */
export function httpsFetch(tls: ClientTls): typeof globalThis.fetch {
  if (!tls.cert !== !tls.key) throw new TypeError('a client certificate needs its private key, and a key its certificate');
  const agent = new Agent({ ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}), ...(tls.ca ? { ca: tls.ca } : {}), keepAlive: true });
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.protocol !== 'https:') return reject(new TypeError(`a client certificate needs an https URL, not ${url.origin}`));
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const body = bodyOf(init.body);
      const fail = (e: Error): void => {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: e }));
      };
      const headers = { ...headerList(init.headers), ...(body ? { 'content-length': String(body.length) } : {}) };
      const req = request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 0;
          const h = new Headers();
          for (const [k, val] of Object.entries(res.headers)) if (val !== undefined) for (const one of [val].flat()) h.append(k, one);
          resolve(new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: h }));
        });
      });
      const onAbort = (): void => void req.destroy(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', fail);
      req.end(body);
    });
}
