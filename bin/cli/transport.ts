/**
 * How the CLI reaches the exchange over TLS: a client certificate for an exchange behind mutual
 * TLS (--cert FILE --cert-key FILE, or CORRIDOR_CLIENT_CERT / CORRIDOR_CLIENT_KEY) and the CAs to
 * trust for its server certificate (--ca FILE or CORRIDOR_CA). Without any, Node's own fetch.
 */
import { readFileSync } from 'node:fs';
import { httpsFetch } from '../../lambdas/client/https-fetch.ts';
import { UsageError, type Values } from './context.ts';

function pem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`${what} ${path}: ${(e as Error).message}`);
  }
}

/** The `fetch` for `url`, or undefined for Node's global one. Flags win over the environment, each on its own. */
export function tlsFetchFor(v: Values, url: string, env: NodeJS.ProcessEnv = process.env): typeof globalThis.fetch | undefined {
  const flag = (n: string): string | undefined => (typeof v[n] === 'string' && v[n] ? (v[n] as string) : undefined);
  const fromFlags = ['cert', 'cert-key', 'ca'].some((n) => flag(n));
  const cert = flag('cert') ?? env.CORRIDOR_CLIENT_CERT;
  const key = flag('cert-key') ?? env.CORRIDOR_CLIENT_KEY;
  const ca = flag('ca') ?? env.CORRIDOR_CA;
  if (!cert && !key && !ca) return undefined;
  if (new URL(url).protocol !== 'https:') {
    // Set in the environment for a deployed exchange, they do not apply to the plain-HTTP local one.
    if (fromFlags) throw new UsageError(`--cert, --cert-key and --ca need an https:// exchange URL, not ${url}`);
    return undefined;
  }
  if (!cert !== !key) throw new UsageError('--cert and --cert-key go together: the client certificate and its private key, PEM (or CORRIDOR_CLIENT_CERT and CORRIDOR_CLIENT_KEY)');
  return httpsFetch({ ...(cert ? { cert: pem(cert, '--cert'), key: pem(key!, '--cert-key') } : {}), ...(ca ? { ca: pem(ca, '--ca') } : {}) });
}
