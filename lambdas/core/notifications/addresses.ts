/**
 * What kind of address an IP is, for the endpoint rules of notifications (protocol.md §10): a webhook may only
 * reach the public internet, never the exchange's own network, a link-local service or a cloud metadata endpoint.
 * Pure functions over textual addresses as Node reports them (dotted IPv4, IPv6 in any valid spelling).
 */
import { isIP } from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';

/**
 * Metadata services reachable from inside clouds. AWS IMDS (169.254.169.254, fd00:ec2::254), Alibaba
 * (100.100.100.200), Oracle (192.0.0.192), and the AWS ECS task metadata address (169.254.170.2).
 */
const METADATA_IPS = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192', 'fd00:ec2:0:0:0:0:0:254']);

/** Host names of metadata services; refused whatever they resolve to. */
export const METADATA_HOSTS: ReadonlySet<string> = new Set([
  'metadata', 'metadata.google.internal', 'metadata.goog', 'metadata.azure.com', 'instance-data', 'instance-data.ec2.internal',
]);

/** IPv4 ranges that are not the public internet, CIDR → class. */
const V4_RANGES: readonly [number, number, AddressClass][] = [
  [ip4('0.0.0.0'), 8, 'reserved'], // "this network"
  [ip4('10.0.0.0'), 8, 'private'],
  [ip4('100.64.0.0'), 10, 'private'], // carrier-grade NAT
  [ip4('127.0.0.0'), 8, 'loopback'],
  [ip4('169.254.0.0'), 16, 'link-local'],
  [ip4('172.16.0.0'), 12, 'private'],
  [ip4('192.0.0.0'), 24, 'reserved'], // IETF protocol assignments
  [ip4('192.0.2.0'), 24, 'reserved'], // documentation
  [ip4('192.88.99.0'), 24, 'reserved'], // 6to4 relay anycast
  [ip4('192.168.0.0'), 16, 'private'],
  [ip4('198.18.0.0'), 15, 'reserved'], // benchmarking
  [ip4('198.51.100.0'), 24, 'reserved'],
  [ip4('203.0.113.0'), 24, 'reserved'],
  [ip4('224.0.0.0'), 4, 'reserved'], // multicast
  [ip4('240.0.0.0'), 4, 'reserved'], // future use and broadcast
];

function ip4(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function classifyV4(text: string): AddressClass {
  if (METADATA_IPS.has(text)) return 'metadata';
  const n = ip4(text);
  for (const [base, bits, cls] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    if (n >= base && n < base + size) return cls;
  }
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail converted), or null when malformed. */
function groupsOf(text: string): number[] | null {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const v4 = ip4(tail[1]!);
    s = `${s.slice(0, -tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const parts = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...rest];
  if (parts.length !== 8) return null;
  const groups = parts.map((p) => parseInt(p, 16));
  return groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff) ? null : groups;
}

function classifyV6(text: string): AddressClass {
  const g = groupsOf(text);
  if (!g) return 'reserved';
  const canonical = g.map((x) => x.toString(16)).join(':');
  if (METADATA_IPS.has(canonical)) return 'metadata';
  const zeroHead = g.slice(0, 5).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address: judge that one.
  if ((zeroHead && g[5] === 0xffff) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))) {
    return classifyV4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.'));
  }
  if (g.every((x) => x === 0)) return 'reserved'; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback'; // ::1
  if (zeroHead && g[5] === 0) return 'reserved'; // IPv4-compatible (deprecated)
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // site-local (deprecated)
  if ((g[0]! & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (g[0] === 0x2001 && g[1] === 0xdb8) return 'reserved'; // documentation
  if (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)) return 'reserved'; // discard-only
  return 'public';
}

/** The class of an IP address in text form; anything that is not an IP address is `reserved`. */
export function classifyAddress(text: string): AddressClass {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = isIP(bare.split('%')[0]!);
  if (family === 4) return classifyV4(bare);
  if (family === 6) return classifyV6(bare);
  return 'reserved';
}
