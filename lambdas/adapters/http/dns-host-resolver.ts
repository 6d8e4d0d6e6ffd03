/** DnsHostResolver implements HostResolver with the system resolver (getaddrinfo), as node:https itself resolves. */
import { lookup } from 'node:dns/promises';
import { HostNotFound, type HostResolver } from '../../core/notifications/endpoint-rules.ts';

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

export class DnsHostResolver implements HostResolver {
  async lookup(hostname: string): Promise<string[]> {
    try {
      return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
    } catch (e) {
      if (NOT_FOUND.has((e as NodeJS.ErrnoException).code ?? '')) throw new HostNotFound(hostname);
      throw e;
    }
  }
}
