/**
 * `corridor audit keys`: an agency's key history — or the exchange's response keys — rebuilt offline from sealed
 * audit events (key transparency, protocol.md §6). The events and the seals are checked as `audit verify` checks
 * them before a single change is believed; only sealed events count (the unsealed tail is named, not used).
 */
import { verifyAuditLog } from '../../../lambdas/client/audit-verify.ts';
import { keyHistory, keysActiveAt, statusAt, type KeyHistory } from '../../../lambdas/client/key-history.ts';
import type { AuditEvent } from '../../../lambdas/core/audit.ts';
import { client, parse, str, UsageError, type Values } from '../context.ts';
import { EXIT, out, show } from '../output.ts';
import { Progress } from '../progress.ts';
import { allEvents, allSeals } from './audit.ts';

export const keysHelp = `corridor audit keys --as AUDITOR --agency AGENCY|exchange [--at ISO] [--from ISO] [--json]
  The key history of AGENCY rebuilt from sealed audit events: each key by kid and RFC 7638 thumbprint, with
  every change (created, retired, revoked; for the exchange's response keys: created, previous, retired) and
  the event that recorded it. --at: which keys could sign at that time. --agency exchange: the exchange's own
  response and seal keys (an "all" auditor). Seals, chain and events are verified first, as audit verify does; a
  problem stops with exit 1. Events from --from (default: a year before now) on, read 31 days per window.
  Example: corridor audit keys --as EU-OLAF --agency DE-BAFA --at 2026-11-22T10:00:00Z`;

const DAY = 86_400_000;
const WINDOW = 31 * DAY;

function isoOption(v: Values, name: string): string | undefined {
  const x = str(v, name, false);
  if (x !== undefined && Number.isNaN(Date.parse(x))) throw new UsageError(`--${name} ${x}: not a date-time (ISO 8601, e.g. 2026-11-22T10:00:00Z)`);
  return x === undefined ? undefined : new Date(x).toISOString();
}

export async function keys(argv: string[]): Promise<number> {
  const v = parse(argv, { agency: { type: 'string' }, at: { type: 'string' }, from: { type: 'string' } }, ['as', 'agency']);
  const agency = str(v, 'agency')!;
  const at = isoOption(v, 'at');
  const nowMs = Date.now();
  const from = isoOption(v, 'from') ?? new Date(nowMs - 365 * DAY).toISOString();
  const c = await client(v);
  const d = await c.discover(true);
  const exchange = agency === 'exchange' || agency === d.exchangeId;
  const owner = exchange ? d.exchangeId : agency;
  const resources = exchange ? ['exchange:response-keys', 'exchange:seal-keys'] : [`agency:${agency}`];

  const progress = new Progress();
  const chain = await allSeals(c, progress);
  if ('refusal' in chain) return progress.done(), show(chain.refusal, !!v.json, () => []);
  const events: AuditEvent[] = [];
  for (let start = Date.parse(from); start < nowMs; start += WINDOW) for (const resource of resources) {
    const got = await allEvents(c, { from: new Date(start).toISOString(), to: new Date(Math.min(start + WINDOW, nowMs)).toISOString(), resource }, progress);
    if (!Array.isArray(got)) return progress.done(), show(got.refusal, !!v.json, () => []);
    // windows share their boundary instant: an event exactly on it comes back twice
    for (const e of got) if (!events.some((x) => x.id === e.id)) events.push(e);
  }
  const report = await verifyAuditLog({ exchangeId: d.exchangeId, jwks: d.jwks, sealKeyIds: d.sealKeyIds, fromSeq: 0, seals: chain.seals, leaves: chain.leaves, events }, { complete: false });
  progress.done(`verified ${report.seals} seal(s) and ${report.events} event(s)`);
  if (!report.ok) {
    if (v.json) out(JSON.stringify({ ok: false, problems: report.problems }, null, 2));
    else for (const p of report.problems) out(`✗ ${p}`);
    return EXIT.refused;
  }
  const pending = new Set(report.pending);
  const history = keyHistory(events.filter((e) => !pending.has(e.id)), owner);
  const active = at ? keysActiveAt(history, at) : undefined;
  if (v.json) {
    out(JSON.stringify({ ok: true, owner, from, sealedEvents: events.length - pending.size, unsealed: report.pending, keys: history, ...(at ? { at, activeAt: active } : {}) }, null, 2));
    return EXIT.ok;
  }
  for (const line of readable(owner, from, history, at, active ?? [])) out(line);
  if (pending.size) out(`(${pending.size} newer event(s) not sealed yet, not used: run again after the next seal)`);
  return EXIT.ok;
}

function readable(owner: string, from: string, history: readonly KeyHistory[], at: string | undefined, active: readonly { kid: string; status: string }[]): string[] {
  const lines = [`key history of ${owner} from sealed events since ${from} (seals, chain and events verified): ${history.length} key(s)`];
  for (const h of history) {
    lines.push(`  ${h.kid}${h.purpose ? ` (${h.purpose})` : ''}  thumbprint ${h.thumbprint ?? '(not recorded: an event from before revision 7)'}${at ? `  — at ${at}: ${statusAt(h, at) ?? 'not yet created'}` : ''}`);
    if (h.changes[0]?.from) lines.push(`    (already ${h.changes[0].from} before the first event read)`);
    for (const c of h.changes) lines.push(`    ${c.at}  ${(c.from ?? 'new').padEnd(8)} → ${c.to.padEnd(8)}  ${c.action} ${c.eventId}`);
  }
  if (at) lines.push(active.length ? `could sign at ${at}: ${active.map((k) => `${k.kid} (${k.status})`).join(', ')}` : `no key of ${owner} could sign at ${at}`);
  return lines;
}
