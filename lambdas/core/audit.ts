/**
 * Audit events of protocol.md §6. An accepted request's event id is derived from (iss, jti),
 * and the event is written with "must not exist": the audit write is the replay guard,
 * in the same transaction as the mutation. jtis are therefore kept forever, which is
 * stricter than the protocol's "at least until exp + 60". Refusals get random ids and
 * consume nothing.
 */
import { randomFillSync } from 'node:crypto';
import { eventLeafHash, leafHashWithoutHash, sha256b64url } from './merkle.ts';
import type { IntegrityObservation, Write } from './ports.ts';

export interface AuditEvent {
  id: string;
  ts: string;
  exchangeId: string;
  actor?: string;
  claimedIssuer?: string;
  action?: string;
  resource?: string;
  owner?: string;
  decision: 'allow' | 'deny';
  status: number;
  code?: string;
  rqd: string;
  rsd: string;
  /** The kid of the response key that signed the answer (events since protocol revision 7). */
  responseKid?: string;
  /**
   * Whole milliseconds from the start of handling to when the event was built (events since
   * protocol revision 9): request latency is aggregated from the audit stream, not logged per request.
   */
  ms?: number;
  sourceIp: string;
  requestId: string;
  details?: Record<string, unknown>;
  hash: string;
}

export type AuditFields = Omit<AuditEvent, 'hash'>;

/** Event id of an accepted request: one per (iss, jti), so a replay collides with it. */
export function acceptedEventId(iss: string, jti: string): string {
  return `ev-${sha256b64url(`corridor-jti\n${iss}\n${jti}`)}`;
}

/**
 * 32 bytes from the CSPRNG per id, drawn from a pool filled 128 ids at a time (as Node does for randomUUID):
 * one `randomFillSync` per 128 ids instead of one per id. Every byte is used once.
 */
const ID_BYTES = 32;
const pool = Buffer.alloc(ID_BYTES * 128);
let poolAt = pool.length;

export function refusalEventId(): string {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const id = `ev-${pool.toString('base64url', poolAt, poolAt + ID_BYTES)}`;
  poolAt += ID_BYTES;
  return id;
}

/** Drop undefined members (JCS and DynamoDB must see the same object) and add the leaf hash. */
export function sealableEvent(fields: AuditFields): AuditEvent {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && k !== 'hash') clean[k] = v;
  clean.hash = leafHashWithoutHash(clean); // `clean` has no `hash` member: the leaf hash eventLeafHash would give

  return clean as unknown as AuditEvent;
}

/** Shards of the `byTime` index: spreads 1,000 events/s over four partitions. */
export const AUDIT_SHARDS = 4;

export function shardOf(id: string): number {
  return id.charCodeAt(id.length - 1) % AUDIT_SHARDS;
}

/**
 * Day bucket of the byTime index: `T#2026-11-22#<shard>`. Four shards keep each partition
 * at 250 writes/s at 1,000 events/s; a day per bucket keeps a 31-day query at 124 Queries.
 */
export function timeBucket(ts: string, shard: number): string {
  return `T#${ts.slice(0, 10)}#${shard}`;
}

/**
 * The put of an event; it must not exist (for accepted requests this is the jti guard). Its one write: the stream
 * seals it (stream-sealer.ts) and it enters the `byTime` index for audit.query and the completeness check.
 */
export function auditWrite(event: AuditEvent): Write {
  const attrs: Record<string, string | number> = {
    event: JSON.stringify(event),
    tsId: `${event.ts}#${event.id}`,
    tbucket: timeBucket(event.ts, shardOf(event.id)),
  };
  return { op: 'put', record: { table: 'audit', pk: event.id, attrs }, condition: { kind: 'absent' } };
}

/**
 * The event an audit item holds, or null when it holds none: not JSON, not an object, an `id` other than the item's
 * key, a `ts` that is not an instant as the exchange writes it (toISOString), or a `tsId` index key that is not
 * `<ts>#<id>`. Only the exchange writes events, so such an item was written around it (tampering, or a defect):
 * audit.query passes over it and audit.proof answers 404, with an integrity alarm (MalformedEvent); it is in no seal
 * (sealableStoredEvent). Cheap enough for the read path: a parse and string checks (~1 µs).
 */
export function storedEvent(pk: string, attrs: Readonly<Record<string, unknown>>): AuditEvent | null {
  if (typeof attrs.event !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(attrs.event);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { id, ts } = parsed as { id?: unknown; ts?: unknown };
  if (id !== pk || typeof ts !== 'string' || !isInstant(ts)) return null;
  if (attrs.tsId !== undefined && attrs.tsId !== `${ts}#${id}`) return null;
  return parsed as AuditEvent;
}

/**
 * storedEvent, for the sealing paths: also null when JCS cannot hash the event (a number out of range), which would
 * fail every seal holding it. Both sealing paths skip such items with the MalformedEvent alarm rather than stop on
 * them. The seal hashes the leaf again; the sealer pays that (~7 µs an event), the request path does not.
 */
export function sealableStoredEvent(pk: string, attrs: Readonly<Record<string, unknown>>): AuditEvent | null {
  const event = storedEvent(pk, attrs);
  if (!event) return null;
  try {
    eventLeafHash(event as unknown as Record<string, unknown>);
  } catch {
    return null;
  }
  return event;
}

/** An instant exactly as Date#toISOString writes it (what every event's ts is). */
function isInstant(ts: string): boolean {
  const t = Date.parse(ts);
  return !Number.isNaN(t) && new Date(t).toISOString() === ts;
}

/** The integrity observation for an audit item holding no event (storedEvent), passed over by `action`. */
export function malformedItems(action: string, pks: readonly string[]): IntegrityObservation {
  return { action, dependency: 'audit', errorClass: 'MalformedEvent', check: `${pks.length} audit item(s) holding no sealable event, left unsealed, first ${pks[0]}` };
}
