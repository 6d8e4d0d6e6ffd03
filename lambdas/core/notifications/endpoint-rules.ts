/**
 * Which webhook endpoints the exchange will POST to (protocol.md §10, "Endpoints"). Checked at subscription.put
 * (static rules, then every address the host resolves to) and again at every delivery on the address actually
 * connected to, so a name that resolves to a public address at subscription time and to 10.0.0.1 or
 * 169.254.169.254 later (DNS rebinding) is refused there too.
 */
import { isIP } from 'node:net';
import { classifyAddress, METADATA_HOSTS, type AddressClass } from './addresses.ts';

export interface EndpointPolicy {
  /**
   * Local mode (`npm start`): `http://127.0.0.1` and `http://[::1]` (any port) are allowed as well. Never set by the
   * deployed stack, where only https to public addresses is.
   */
  readonly allowLoopback: boolean;
}

export const DEPLOYED_ENDPOINTS: EndpointPolicy = { allowLoopback: false };
export const LOCAL_ENDPOINTS: EndpointPolicy = { allowLoopback: true };

/** Resolves a host name to every address it has (the adapter: node:dns). */
export interface HostResolver {
  /** Every address of `hostname`; throws HostNotFound when the name does not exist, anything else when DNS failed. */
  lookup(hostname: string): Promise<string[]>;
}

/** The name has no address (NXDOMAIN / no data): the endpoint is refused, not the request failed. */
export class HostNotFound extends Error {
  override name = 'HostNotFound';
}

const CLASS_REASON: Record<Exclude<AddressClass, 'public'>, string> = {
  loopback: 'is a loopback address',
  private: 'is a private or unique-local address',
  'link-local': 'is a link-local address',
  metadata: 'is a cloud metadata address',
  reserved: 'is not a public unicast address',
};

/** Why a connection to `address` is refused under `policy`, or null when it is allowed. */
export function addressRefusal(address: string, policy: EndpointPolicy): string | null {
  const cls = classifyAddress(address);
  if (cls === 'public') return null;
  if (cls === 'loopback' && policy.allowLoopback) return null;
  return CLASS_REASON[cls];
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** WHATWG URL parsing already turned every numeric IPv4 spelling (0x7f.1, 2130706433) into dotted form. */
function isLiteral(host: string): boolean {
  return isIP(host) !== 0;
}

/**
 * The rules that need no DNS, in every mode: an absolute http(s) URL without user info, not naming a link-local or
 * metadata address or host; https unless it is a loopback literal in local mode; an IP literal must be allowed by
 * addressRefusal. Returns the parsed URL, or why it is refused (never quoting the URL).
 */
export function staticCheck(raw: string, policy: EndpointPolicy): { url: URL } | { refused: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refused: 'is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { refused: 'must use https (http only to a loopback address in local mode)' };
  if (url.username !== '' || url.password !== '') return { refused: 'must not contain user info' };
  if (url.hash !== '') return { refused: 'must not contain a fragment' };
  const host = hostOf(url);
  if (METADATA_HOSTS.has(host.toLowerCase().replace(/\.$/, ''))) return { refused: CLASS_REASON.metadata };
  if (isLiteral(host)) {
    const cls = classifyAddress(host);
    if (cls === 'link-local' || cls === 'metadata') return { refused: CLASS_REASON[cls] };
    const reason = addressRefusal(host, policy);
    if (reason) return { refused: reason };
    if (url.protocol === 'http:' && cls !== 'loopback') return { refused: 'must use https' };
    return { url };
  }
  if (url.protocol === 'http:') return { refused: 'must use https' };
  return { url };
}

/**
 * Every rule: the static ones, then each address the host resolves to must be allowed. Null when the endpoint is
 * acceptable; a reason when it is refused. A DNS failure other than "no such name" is thrown (the caller answers 503).
 */
export async function endpointRefusal(raw: string, policy: EndpointPolicy, resolver: HostResolver): Promise<string | null> {
  const checked = staticCheck(raw, policy);
  if ('refused' in checked) return checked.refused;
  const host = hostOf(checked.url);
  if (isLiteral(host)) return null;
  let addresses: string[];
  try {
    addresses = await resolver.lookup(host);
  } catch (e) {
    if (e instanceof HostNotFound) return 'has a host name that does not resolve';
    throw e;
  }
  if (addresses.length === 0) return 'has a host name that does not resolve';
  for (const a of addresses) {
    const reason = addressRefusal(a, policy);
    if (reason) return `resolves to an address that ${reason}`;
  }
  return null;
}
