/** Helpers for audit tests: seal now, and gather everything an auditor downloads for offline verification. */
import type { JSONWebKeySet } from 'jose';
import type { AuditBundle } from '../../lambdas/client/audit-verify.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import { configuration, exchangeJwks } from '../../lambdas/core/discovery.ts';
import { sealAll } from '../../lambdas/core/sealer.ts';
import type { ExchangeDriver, TestAgency } from './memory-exchange.ts';

export const sealNow = (x: ExchangeDriver) => sealAll(x.services, x.services.sealSigner);

export async function allEvents(x: ExchangeDriver, auditor: TestAgency, body: Record<string, unknown> = {}): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const a = await x.call(auditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 500, ...body, ...(cursor ? { cursor } : {}) });
    if (a.status !== 200) throw new Error(`audit.query ${a.status} ${JSON.stringify(a.problem)}`);
    events.push(...(a.result.events as AuditEvent[]));
    cursor = a.result.cursor as string | null;
  } while (cursor);
  return events;
}

export async function bundle(x: ExchangeDriver, auditor: TestAgency, events?: AuditEvent[]): Promise<AuditBundle> {
  const seals: string[] = [];
  const leaves: string[][] = [];
  for (let fromSeq: number | null = 0; fromSeq !== null;) {
    const s = await x.call(auditor, 'audit.seals', { fromSeq, leaves: true });
    if (s.status !== 200) throw new Error(`audit.seals ${s.status} ${JSON.stringify(s.problem)}`);
    seals.push(...(s.result.seals as string[]));
    leaves.push(...(s.result.leaves as string[][]));
    fromSeq = s.result.next as number | null; // the answer stops at 100 seals or the byte cap
  }
  const cfg = await configuration(x.services, 'http://local');
  return {
    exchangeId: x.services.exchangeId,
    jwks: (await exchangeJwks(x.services)) as unknown as JSONWebKeySet,
    sealKeyIds: cfg.sealKeyIds as string[],
    fromSeq: 0,
    seals,
    leaves,
    events: events ?? (await allEvents(x, auditor)),
  };
}
