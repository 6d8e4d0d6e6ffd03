/**
 * Key transparency (protocol.md §6): every key change is in a sealed audit event (`details.keyChanges`, each with the
 * kid, its RFC 7638 thumbprint, the owner and the new status), so the history of an agency's keys — and of the
 * exchange's response keys — is rebuilt offline from verified events alone, without trusting today's JWKS. Only
 * allowed events count: a refused call changed nothing, even if its event names the change it attempted.
 */
import type { AuditEvent } from '../core/audit.ts';

/** A key status as the log records it: an agency key's, or `previous` (a response key kept published after a rotation). */
export type LoggedKeyStatus = 'active' | 'previous' | 'retired' | 'revoked';

export interface KeyChangeEntry {
  at: string;
  eventId: string;
  action: string;
  kid: string;
  owner: string;
  from: LoggedKeyStatus | null;
  to: LoggedKeyStatus;
  thumbprint?: string;
  purpose?: 'response' | 'seal';
}

export interface KeyHistory {
  kid: string;
  owner: string;
  thumbprint?: string;
  purpose?: 'response' | 'seal';
  /** Its changes, oldest first. When the first is not a creation (`from` not null), the key is older than the events read. */
  changes: KeyChangeEntry[];
}

interface LoggedChange { kid?: unknown; from?: unknown; to?: unknown; thumbprint?: unknown; owner?: unknown; purpose?: unknown }

/** Whose key a change is about: its own `owner` (since revision 7), else the event's owner, or the exchange for its own key events. */
function ownerOf(e: AuditEvent, c: LoggedChange): string | undefined {
  if (typeof c.owner === 'string') return c.owner;
  if (e.resource?.startsWith('exchange:')) return e.exchangeId;
  return e.owner;
}

/** Every key change of allowed events, in (ts, id) order. */
export function keyChanges(events: readonly AuditEvent[]): KeyChangeEntry[] {
  const out: KeyChangeEntry[] = [];
  const sorted = [...events].sort((a, b) => (a.ts === b.ts ? (a.id < b.id ? -1 : 1) : a.ts < b.ts ? -1 : 1));
  for (const e of sorted) {
    const list = e.details?.keyChanges;
    if (e.decision !== 'allow' || !Array.isArray(list)) continue;
    for (const c of list as LoggedChange[]) {
      const owner = ownerOf(e, c);
      if (typeof c.kid !== 'string' || typeof c.to !== 'string' || !owner) continue;
      out.push({
        at: e.ts, eventId: e.id, action: e.action ?? '', kid: c.kid, owner,
        from: (c.from ?? null) as LoggedKeyStatus | null, to: c.to as LoggedKeyStatus,
        ...(typeof c.thumbprint === 'string' ? { thumbprint: c.thumbprint } : {}),
        ...(c.purpose === 'response' || c.purpose === 'seal' ? { purpose: c.purpose } : {}),
      });
    }
  }
  return out;
}

/** The history of each key of `owner` (an agency id, or the exchange id), in the order the keys first appear. */
export function keyHistory(events: readonly AuditEvent[], owner: string): KeyHistory[] {
  const byKid = new Map<string, KeyHistory>();
  for (const c of keyChanges(events)) {
    if (c.owner !== owner) continue;
    const h = byKid.get(c.kid) ?? { kid: c.kid, owner, changes: [] };
    if (c.thumbprint) h.thumbprint ??= c.thumbprint;
    if (c.purpose) h.purpose ??= c.purpose;
    h.changes.push(c);
    byKid.set(c.kid, h);
  }
  return [...byKid.values()];
}

/**
 * A key's status at `at`: its status after the last change at or before `at`; before its first logged change, the
 * status that change moved it from (null: it did not exist yet; `undefined` only when nothing is known).
 */
export function statusAt(h: KeyHistory, at: string): LoggedKeyStatus | null {
  let status: LoggedKeyStatus | null = h.changes[0]?.from ?? null;
  for (const c of h.changes) {
    if (Date.parse(c.at) > Date.parse(at)) break;
    status = c.to;
  }
  return status;
}

/** Whether a key in this status may sign: an active key, or a response key still published as `previous`. */
export const maySign = (s: LoggedKeyStatus | null): boolean => s === 'active' || s === 'previous';

/** The keys of `history` that could sign at `at`, with their status then. */
export function keysActiveAt(history: readonly KeyHistory[], at: string): { kid: string; status: LoggedKeyStatus; thumbprint?: string }[] {
  return history.flatMap((h) => {
    const s = statusAt(h, at);
    return s && maySign(s) ? [{ kid: h.kid, status: s, ...(h.thumbprint ? { thumbprint: h.thumbprint } : {}) }] : [];
  });
}

/** What `responseKidProblems` found: problems, and how many signed answers it could and could not check. */
export interface ResponseKidReport { problems: string[]; checked: number; unchecked: number }

/**
 * Every event that records the response key of its answer (`responseKid`, since revision 7) against the exchange's
 * response-key history in the same events: the key must have been created before the call (up to `graceSeconds`
 * after its ts — a process may re-read the ring while the call runs) and not yet retired at its ts. A kid with no
 * change in the events is checked only when the history is complete (the ring's creation, `exchange.keys.create`, is
 * among them): then it is a key the log never created. Otherwise it is counted as unchecked (older than the window).
 */
export function responseKidProblems(events: readonly AuditEvent[], exchangeId: string, graceSeconds: number): ResponseKidReport {
  const history = new Map(keyHistory(events, exchangeId).filter((h) => h.purpose !== 'seal').map((h) => [h.kid, h]));
  const complete = [...history.values()].some((h) => h.changes.some((c) => c.action === 'exchange.keys.create' && c.from === null));
  const report: ResponseKidReport = { problems: [], checked: 0, unchecked: 0 };
  for (const e of events) {
    const kid = e.responseKid;
    if (kid === undefined) continue;
    const h = history.get(kid);
    if (!h) {
      if (complete) report.problems.push(`event ${e.id} (ts ${e.ts}) was answered with response key ${kid}, which no sealed key event created`);
      else report.unchecked++;
      continue;
    }
    report.checked++;
    const created = h.changes.find((c) => c.from === null);
    const ended = h.changes.find((c) => !maySign(c.to));
    if (created && Date.parse(e.ts) + graceSeconds * 1000 < Date.parse(created.at)) {
      report.problems.push(`event ${e.id} (ts ${e.ts}) was answered with response key ${kid}, created only at ${created.at} (event ${created.eventId})`);
    } else if (ended && Date.parse(e.ts) >= Date.parse(ended.at)) {
      report.problems.push(`event ${e.id} (ts ${e.ts}) was answered with response key ${kid}, ${ended.to} at ${ended.at} (event ${ended.eventId})`);
    } else if (!created && !maySign(statusAt(h, e.ts))) {
      report.problems.push(`event ${e.id} (ts ${e.ts}) was answered with response key ${kid}, ${statusAt(h, e.ts) ?? 'unknown'} then`);
    }
  }
  return report;
}
