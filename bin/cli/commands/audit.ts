/** `corridor audit seal | query | verify`: seal now, read events in scope, and check the log offline. */
import { readFileSync, writeFileSync } from 'node:fs';
import { keptSealFrom, verifyAuditLog, verifyProof } from '../../../lambdas/client/audit-verify.ts';
import type { CorridorClient, ExchangeAnswer } from '../../../lambdas/client/corridor-client.ts';
import type { AuditQueryRequest, AuditQueryResult, AuditSealsResult } from '../../../lambdas/client/types.generated.ts';
import type { AuditEvent } from '../../../lambdas/core/audit.ts';
import { sealAllReport } from '../../../lambdas/core/sealer.ts';
import { client, parse, str, UsageError } from '../context.ts';
import { err, EXIT, out, show } from '../output.ts';
import { Progress } from '../progress.ts';
import { storageServices } from '../storage.ts';

export const sealHelp = `corridor audit seal [--json]
  Seals every event of the last two days not yet sealed, now (the exchange seals each event within seconds of its write). Operator, with storage access:
  the local exchange through $CORRIDOR_HOME/local.json, or AWS with the handlers' environment variables.
  Example: corridor audit seal --json`;

export const queryHelp = `corridor audit query --as AUDITOR [--from ISO] [--to ISO] [--actor A] [--owner A] [--action ACT] [--decision allow|deny] [--json]
  Events in your audit scope, oldest first (at most 500; narrow the window for more).
  Example: corridor audit query --as EU-OLAF --decision deny`;

export const verifyHelp = `corridor audit verify --as AUDITOR [--from ISO] [--complete] [--since-seal FILE] [--keep-seal FILE] [--event ID] [--json]
  Checks offline, trusting only the exchange's published seal key: every seal's signature, the chain of
  seals, each root rebuilt from its leaf hashes, and every event in your scope in exactly one seal.
  --complete (an "all" auditor): every leaf must have its event, in order. --event: one inclusion proof.
  --keep-seal FILE: after a clean run, save the newest seal; --since-seal FILE: the log must still hold that
  seal unchanged, so seals removed from its end since then (a truncated tail) are caught.
  Each answer's response key (responseKid) must have been active when it signed, by the sealed response-key
  events in your window (an "all" auditor sees them). Progress goes to stderr. Exit 0 when everything verifies,
  1 naming each problem.
  Example: corridor audit verify --as EU-OLAF --complete`;

const FILTERS = ['from', 'to', 'actor', 'owner', 'action', 'decision'] as const;
const DAY = 86_400_000;

export async function seal(argv: string[]): Promise<number> {
  const v = parse(argv, {});
  const services = storageServices();
  const { seals: done, malformed } = await sealAllReport(services, services.sealSigner);
  // An item holding no event is in no seal and never will be: said on stderr, so stdout stays the one line scripts read.
  if (malformed.length > 0) err(`warning: ${malformed.length} audit item(s) hold no event and stay unsealed, first ${malformed[0]} (docs/operating.md: MalformedEvent)`);
  if (v.json) out(JSON.stringify({ seals: done, malformed }));
  // One line whatever the stream sealer left to do: on a running exchange it has usually sealed everything already.
  else out(`every event is sealed: ${done.reduce((n, s) => n + s.count, 0)} sealed now in ${done.length} seal(s)${done.length ? ` (seq ${done[0]!.seq}–${done.at(-1)!.seq})` : ''}`);
  return EXIT.ok;
}

/** Every seal with its leaf hashes, from seq 0; a refusal on any page stops with that answer. */
export async function allSeals(c: CorridorClient, progress: Progress): Promise<{ seals: string[]; leaves: string[][] } | { refusal: ExchangeAnswer<AuditSealsResult> }> {
  const seals: string[] = [];
  const leaves: string[][] = [];
  for (;;) {
    const s: ExchangeAnswer<AuditSealsResult> = await c.call('audit.seals', { fromSeq: seals.length, leaves: true });
    if (!s.result) return { refusal: s };
    seals.push(...s.result.seals);
    leaves.push(...(s.result.leaves ?? []));
    progress.update(`downloaded ${seals.length} seal(s)`);
    // `next`: the first seq the answer left out (at most 100 seals, fewer past the byte cap); null when none is left
    if (s.result.next === null || s.result.seals.length === 0 || (s.result.next === undefined && s.result.seals.length < 100)) break;
  }
  return { seals, leaves };
}

/** Every event of the window, page by page; a refusal on any page stops with that answer. */
export async function allEvents(c: CorridorClient, body: AuditQueryRequest, progress: Progress): Promise<AuditEvent[] | { refusal: ExchangeAnswer<AuditQueryResult> }> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const a: ExchangeAnswer<AuditQueryResult> = await c.call('audit.query', { ...body, limit: 500, ...(cursor ? { cursor } : {}) });
    if (!a.result) return { refusal: a };
    events.push(...(a.result.events as AuditEvent[]));
    cursor = a.result.cursor;
    progress.update(`downloaded ${events.length} event(s)`);
  } while (cursor);
  return events;
}

export async function query(argv: string[]): Promise<number> {
  const v = parse(argv, Object.fromEntries(FILTERS.map((f) => [f, { type: 'string' }])), ['as']);
  const body = Object.fromEntries(FILTERS.filter((f) => v[f]).map((f) => [f, v[f]])) as AuditQueryRequest;
  const c = await client(v);
  return show(await c.call('audit.query', { ...body, limit: 500 }), !!v.json, (r) => [
    `${r.events.length} event(s)${r.cursor ? ' (more: narrow the window)' : ''}`,
    ...r.events.map((e) => `  ${e.ts} ${e.decision.padEnd(5)} ${String(e.status)} ${(e.actor ?? `(${e.claimedIssuer ?? '?'})`).padEnd(12)} ${e.action ?? ''} ${e.resource ?? ''} ${e.id}`),
  ]);
}

export async function verify(argv: string[]): Promise<number> {
  const v = parse(argv, { from: { type: 'string' }, complete: { type: 'boolean', default: false }, event: { type: 'string' }, 'since-seal': { type: 'string' }, 'keep-seal': { type: 'string' } }, ['as']);
  const kept = keptSeal(str(v, 'since-seal', false));
  const c = await client(v);
  const d = await c.discover(true);
  if (v.event) {
    const p = await c.call('audit.proof', { eventId: String(v.event) });
    if (!p.result) return show(p, !!v.json, () => []);
    const problems = await verifyProof({ ...p.result, event: p.result.event as AuditEvent }, d.jwks, d.sealKeyIds, { eventId: String(v.event), exchangeId: d.exchangeId });
    out(v.json ? JSON.stringify({ ok: problems.length === 0, problems, leafIndex: p.result.leafIndex }) : problems.length ? problems.map((x) => `✗ ${x}`).join('\n') : `✓ event ${String(v.event)} is at leaf ${p.result.leafIndex} of a seal signed by the exchange's seal key`);
    return problems.length ? EXIT.refused : EXIT.ok;
  }
  const progress = new Progress();
  const chain = await allSeals(c, progress);
  if ('refusal' in chain) return progress.done(), show(chain.refusal, !!v.json, () => []);
  const { seals, leaves } = chain;
  const from = str(v, 'from', false) ?? new Date(Date.now() - 30 * DAY).toISOString();
  const events = await allEvents(c, { from }, progress);
  if (!Array.isArray(events)) return progress.done(), show(events.refusal, !!v.json, () => []);
  const report = await verifyAuditLog({ exchangeId: d.exchangeId, jwks: d.jwks, sealKeyIds: d.sealKeyIds, fromSeq: 0, seals, leaves, events, ...(kept ? { kept } : {}) }, {
    complete: !!v.complete,
    onProgress: (n, total) => progress.update(`verified ${n}/${total} seal(s)`),
  });
  progress.done(`verified ${report.seals} seal(s) and ${report.events} event(s)`);
  const keep = str(v, 'keep-seal', false);
  if (keep && report.ok && report.lastSeal) writeFileSync(keep, `${report.lastSeal}\n`);
  if (v.json) out(JSON.stringify(report, null, 2));
  else if (report.ok) out(`✓ ${report.seals} seal(s): signatures, chain and roots verify; ${report.events} event(s) each in exactly one seal${report.pending.length ? `; ${report.pending.length} newer event(s) not sealed yet` : ''}${kidLine(report.responseKids)}`);
  else for (const p of report.problems) out(`✗ ${p}`);
  return report.ok ? EXIT.ok : EXIT.refused;
}

/** What the response-kid check covered: answers checked against the sealed key history, and those it could not. */
function kidLine(k: { checked: number; unchecked: number }): string {
  if (k.checked + k.unchecked === 0) return '';
  return `; ${k.checked} answer(s) signed by a response key active then${k.unchecked ? ` (${k.unchecked} by a key whose history is older than the window, unchecked)` : ''}`;
}

/** The seal kept from an earlier run (--since-seal), or a usage error naming the file. */
function keptSeal(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return keptSealFrom(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--since-seal ${file}: ${(e as Error).message}`);
  }
}
