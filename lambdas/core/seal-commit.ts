/**
 * One seal (protocol.md §6): the given events as an RFC 9162 tree ordered by (ts, id), one KMS Sign over its root and
 * the previous seal's hash, and the seal and the `SEALS` head committed in one conditional transaction, so two sealers
 * cannot both append seq n. Both sealing paths end here: the stream sealer (stream-sealer.ts) and the completeness
 * check (seal-check.ts). Events are never rewritten: which seal holds an event is found through the seal index
 * (seal-index.ts), so an event costs its one write.
 *
 * A caller that decided its events were unsealed by reading seals passes the head it saw first (`baseSeq`): before
 * committing, the seals appended since are read and their events dropped, and a lost race on the head repeats that,
 * so the two paths never seal an event twice between them. A stream seal of young events makes no such lookup (it is
 * the usual seal, and costs nothing extra); the only other seals that can hold young events are wide seals made with no
 * margin (`corridor audit seal`), which the head lists for RECENT_WIDE_MS, and a stream seal drops what those hold.
 */
import { eventLeafHash, b64url, merkleRoot, sha256 } from './merkle.ts';
import type { AuditEvent } from './audit.ts';
import { WriteConflict, type SealSigner, type Write } from './ports.ts';
import { sealIndexAttrs } from './seal-index.ts';
import { sealKeyChange } from './seal-key-event.ts';
import { getSeal, getSealHead, LATE_BOUND_SECONDS, sealPk, SEALS_HEAD } from './seals.ts';
import { isoNow, type CoreServices } from './services.ts';

/** Leaves per seal: keeps the seal record (ids + leaf hashes) well under DynamoDB's 400 KB item limit. */
export const MAX_LEAVES = 2000;
/** Appends one sealer may retry after losing the head to another (each retry signs again). */
const ATTEMPTS = 5;
/** How long the head lists a wide seal: longer than any young event stays young (NARROW_SPAN_SECONDS) plus a Lambda timeout. */
export const RECENT_WIDE_MS = 5 * 60_000;

const wideSeq = (entry: string): number => Number(entry.slice(0, entry.indexOf('@')));
const wideAt = (entry: string): number => Date.parse(entry.slice(entry.indexOf('@') + 1));

export interface SealResult { seq: number; count: number; first: string; last: string; lateBeyondBound?: number }

export interface SealInput {
  /** At most MAX_LEAVES events, in any order; a wide seal's all of one UTC day (seal-index.ts). */
  events: readonly AuditEvent[];
  wide: boolean;
  /** The head's `last` (null: no seal yet) read before the caller established that these events were unsealed; absent: no recheck. */
  baseSeq?: number | null;
  /** Ids of the events written more than the late bound after their ts (the stream sealer knows the write time). */
  late?: readonly string[];
  /** Further writes of the same transaction (the stream sealer's batch marker). */
  extra?: readonly Write[];
}

/** Raised when a write of `extra` failed its condition: the caller's, not a race on the head. */
export class ExtraWriteConflict extends Error {
  constructor(readonly extraIndex: number) {
    super(`extra write ${extraIndex} condition failed`);
    this.name = 'ExtraWriteConflict';
  }
}

/** The head's list of recent wide seals, with this one if it is wide (absent when empty). */
function wideList(recent: readonly string[], added: string | undefined): { recentWide?: string[] } {
  const list = added ? [...recent, added] : [...recent];
  return list.length > 0 ? { recentWide: list } : {};
}

const byTsId = (a: AuditEvent, b: AuditEvent): number => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const encoder = new TextEncoder();

/** Seal the events (less those a recheck finds sealed meanwhile); null when none were left to seal. */
export async function commitSeal(services: CoreServices, signer: SealSigner, input: SealInput): Promise<SealResult | null> {
  const { store } = services;
  let events = [...input.events];
  const lateIds = new Set(input.late ?? []);
  let baseSeq = input.baseSeq;
  for (let attempt = 1; ; attempt++) {
    const sealedAt = isoNow(services.clock.now());
    const head = await getSealHead(store);
    if (baseSeq !== undefined && head) {
      // seals appended since the caller looked: drop what they hold (another sealer got there first)
      for (let seq = baseSeq === null ? 0 : baseSeq + 1; seq <= head.last; seq++) {
        const ids = new Set((await getSeal(store, seq))?.ids ?? []);
        events = events.filter((e) => !ids.has(e.id));
      }
      baseSeq = head.last;
    }
    const now = services.clock.now();
    const recentWide = (head?.recentWide ?? []).filter((w) => wideAt(w) >= now - RECENT_WIDE_MS);
    if (baseSeq === undefined) {
      // a stream seal: drop what a wide seal of the last minutes holds (one made with no margin may hold young events)
      for (const w of recentWide) {
        const ids = new Set((await getSeal(store, wideSeq(w)))?.ids ?? []);
        events = events.filter((e) => !ids.has(e.id));
      }
    }
    if (events.length === 0) return null;
    const batch = events.sort(byTsId);
    const late = batch.filter((e) => lateIds.has(e.id)); // of those still to seal
    // Leaves are recomputed from the stored event, not taken from its `hash` member.
    const leaves = batch.map((e) => eventLeafHash(e as unknown as Record<string, unknown>));
    const seq = head ? head.last + 1 : 0;
    const payload = {
      exchangeId: services.exchangeId,
      seq,
      count: batch.length,
      first: batch[0]!.id,
      last: batch.at(-1)!.id,
      root: b64url(merkleRoot(leaves.map((l) => Buffer.from(l, 'base64url')))),
      prev: head ? head.prevHash : null,
      sealedAt,
      // A seal made from a stream batch or a catch-up claims nothing about events outside it (protocol.md §6).
      backlog: true,
      ...(late.length > 0 ? { lateBeyondBound: late.length } : {}),
    };
    const key = await signer.publicKey();
    // Now, not sealedAt: newer than every event of this seal, so the event is sealed by a later seal.
    const sealKey = await sealKeyChange(services.exchangeId, head, key, isoNow(services.clock.now()));
    const input64 = `${b64url(encoder.encode(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'corridor-seal+jws' })))}.${b64url(encoder.encode(JSON.stringify(payload)))}`;
    const jws = `${input64}.${b64url(await signer.sign(encoder.encode(input64)))}`;
    const index = sealIndexAttrs({ seq, minTs: batch[0]!.ts, maxTs: batch.at(-1)!.ts, wide: input.wide });
    const writes: Write[] = [
      { op: 'put', record: { table: 'audit', pk: sealPk(seq), attrs: { seq, jws, leaves, ids: batch.map((e) => e.id), sealedAt, ...index } }, condition: { kind: 'absent' } },
      { op: 'put', record: { table: 'audit', pk: SEALS_HEAD, attrs: { last: seq, prevHash: b64url(sha256(jws)), ver: head ? head.ver + 1 : 1, ...sealKey.record, ...wideList(recentWide, input.wide ? `${seq}@${sealedAt}` : undefined) } }, condition: head ? { kind: 'version', equals: head.ver } : { kind: 'absent' } },
      ...(sealKey.event ? [sealKey.event] : []), // a new seal key: audited, and sealed like any event
    ];
    const extraFrom = writes.length;
    try {
      await store.commit([...writes, ...(input.extra ?? [])]);
    } catch (e) {
      if (!(e instanceof WriteConflict)) throw e;
      if (e.index >= extraFrom) throw new ExtraWriteConflict(e.index - extraFrom);
      if (attempt >= ATTEMPTS) throw e; // a stream batch is retried by its event source; the check runs again
      if (baseSeq === undefined) baseSeq = head ? head.last : null; // from now on, drop what the winner sealed
      continue;
    }
    if (late.length > 0) {
      // Sealed so nothing is lost, and alarmed: someone wrote into the audit table, or a handler outlived every timeout.
      services.telemetry.integrityFailed({ action: 'seal', dependency: 'audit', errorClass: 'LateBeyondBound', check: `seal ${seq} holds ${late.length} event(s) written more than ${LATE_BOUND_SECONDS} s after their ts, first ${late[0]!.id}` });
    }
    return { seq, count: batch.length, first: payload.first, last: payload.last, ...(late.length > 0 ? { lateBeyondBound: late.length } : {}) };
  }
}
