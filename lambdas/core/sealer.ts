/**
 * The sealer (protocol.md §6): every event not yet sealed goes into an RFC 9162 tree, ordered
 * by (ts, id), and one seal — one KMS Sign — commits to its root and to the previous seal.
 *
 * No event is skipped, late ones included: each event is written carrying a `pending`
 * shard key (a sparse index), and leaves that index only when a seal covers it. An event
 * written after a seal that covered its `ts` (slow request, clock skew) is still pending,
 * so it lands in the next seal. The index lags the table, so an event enters a seal only
 * when a consistent read of the table shows it still pending (seal-candidates.ts). The seal
 * and the `SEALS` head commit in one conditional transaction, so concurrent sealers cannot
 * both append seq n. Marking events sealed is not atomic with the seal; a crash in between
 * is repaired on the next run from the last seal's id list, so an event is never sealed twice.
 *
 * Each seal says when it was made (`sealedAt`, taken before the index is read) and whether it
 * left pending events for the next one (`backlog`). A seal without backlog covered every event
 * written long enough before its sealedAt, so a later seal holding an event older than that
 * sealedAt minus LATE_BOUND_SECONDS holds one that was backdated: it is still sealed (never
 * lost), counted in the seal's `lateBeyondBound` and reported as an integrity failure.
 */
import { b64url, eventLeafHash, merkleRoot, sha256 } from './merkle.ts';
import { WriteConflict, type SealSigner, type StoredRecord, type Store } from './ports.ts';
import { sealCandidates } from './seal-candidates.ts';
import { sealKeyChange } from './seal-key-event.ts';
import { getSeal, getSealHead, LATE_BOUND_SECONDS, sealPk, SEALS_HEAD } from './seals.ts';
import { isoNow, type CoreServices } from './services.ts';

/** Leaves per seal: keeps the seal record (ids + leaf hashes) well under DynamoDB's 400 KB item limit. */
export const MAX_LEAVES = 2000;

export interface SealResult { seq: number; count: number; first: string; last: string; lateBeyondBound?: number }

/** An event's record rewritten without `pending`, with where it was sealed. The event itself is unchanged. */
function markSealed(r: StoredRecord, seq: number, leafIndex: number): StoredRecord {
  const { pending: _p, ...attrs } = r.attrs;
  return { table: 'audit', pk: r.pk, attrs: { ...attrs, seq, leafIndex } };
}

/**
 * Unconditional batched puts (BatchWriteItem, 25 per request: 80 requests for a full seal instead
 * of 2,000). Not atomic, and need not be: a crash part-way leaves events pending that the
 * next run's repair step marks from the seal's id list.
 */
async function markAll(store: Store, marks: StoredRecord[]): Promise<void> {
  if (marks.length > 0) await store.putMany(marks);
}

const encoder = new TextEncoder();

/** What a sealAll run measured: the first sealOnce of the run fills it in, before anything is signed. */
export interface SealBacklog { lagSeconds?: number }

/** Seal up to MAX_LEAVES pending events; null when there was nothing to seal (or another sealer won). */
export async function sealOnce(services: CoreServices, signer: SealSigner, backlog?: SealBacklog): Promise<SealResult | null> {
  const { store } = services;
  // Before the index is read: every event the index held by then is in this seal or left as its backlog.
  const sealedAt = isoNow(services.clock.now());
  const head = await getSealHead(store);
  const last = head ? await getSeal(store, head.last) : null;
  const index = new Map((last?.ids ?? []).map((id, i) => [id, i]));
  const { batch, unmarked, backlog: left } = await sealCandidates(store, new Set(index.keys()), MAX_LEAVES);
  // repair: events of the last seal that were not yet marked are marked now, never sealed again
  await markAll(store, unmarked.map((r) => markSealed(r, head!.last, index.get(r.pk)!)));
  if (batch.length === 0) {
    if (backlog) backlog.lagSeconds ??= 0;
    return null;
  }
  if (backlog) backlog.lagSeconds ??= Math.max(0, (services.clock.now() - Date.parse(batch[0]!.e.ts)) / 1000);
  // Leaves are recomputed from the stored event, not taken from its `hash` member.
  const leaves = batch.map(({ e }) => eventLeafHash(e as unknown as Record<string, unknown>));
  const seq = head ? head.last + 1 : 0;
  const horizon = head?.drainedAt === undefined ? undefined : isoNow(Date.parse(head.drainedAt) - LATE_BOUND_SECONDS * 1000);
  // A ts that is no date is as suspect as an old one.
  const late = horizon === undefined ? [] : batch.filter(({ e }) => !(Date.parse(e.ts) >= Date.parse(horizon)));
  const payload = {
    exchangeId: services.exchangeId,
    seq,
    count: batch.length,
    first: batch[0]!.e.id,
    last: batch.at(-1)!.e.id,
    root: b64url(merkleRoot(leaves.map((l) => Buffer.from(l, 'base64url')))),
    prev: head ? head.prevHash : null,
    sealedAt,
    ...(left ? { backlog: true } : {}),
    ...(late.length > 0 ? { lateBeyondBound: late.length } : {}),
  };
  const drainedAt = left ? head?.drainedAt : sealedAt;
  const key = await signer.publicKey();
  const { kid } = key;
  // Now, not sealedAt: newer than every event of this seal, so the event is the unsealed tail until the next seal.
  const sealKey = await sealKeyChange(services.exchangeId, head, key, isoNow(services.clock.now()));
  const input = `${b64url(encoder.encode(JSON.stringify({ alg: 'ES256', kid, typ: 'corridor-seal+jws' })))}.${b64url(encoder.encode(JSON.stringify(payload)))}`;
  const jws = `${input}.${b64url(await signer.sign(encoder.encode(input)))}`;

  try {
    await store.commit([
      { op: 'put', record: { table: 'audit', pk: sealPk(seq), attrs: { seq, jws, leaves, ids: batch.map(({ e }) => e.id), sealedAt } }, condition: { kind: 'absent' } },
      { op: 'put', record: { table: 'audit', pk: SEALS_HEAD, attrs: { last: seq, prevHash: b64url(sha256(jws)), ver: head ? head.ver + 1 : 1, ...(drainedAt ? { drainedAt } : {}), ...sealKey.record } }, condition: head ? { kind: 'version', equals: head.ver } : { kind: 'absent' } },
      ...(sealKey.event ? [sealKey.event] : []), // a new seal key: audited, and covered by the next seal
    ]);
  } catch (e) {
    if (e instanceof WriteConflict) return null; // another sealer appended first; its run marks its events
    throw e;
  }
  if (late.length > 0) {
    // Sealed so nothing is lost, and alarmed: someone wrote into the audit table, or a handler outlived every timeout.
    services.telemetry.integrityFailed({ action: 'seal', dependency: 'audit', errorClass: 'LateBeyondBound', check: `seal ${seq} holds ${late.length} event(s) whose ts is older than ${horizon}, first ${late[0]!.e.id}` });
  }
  await markAll(store, batch.map(({ r }, i) => markSealed(r, seq, i)));
  return { seq, count: batch.length, first: payload.first, last: payload.last, ...(late.length > 0 ? { lateBeyondBound: late.length } : {}) };
}

/** Seal until nothing is pending (one seal per MAX_LEAVES events). */
export async function sealAll(services: CoreServices, signer: SealSigner): Promise<SealResult[]> {
  const out: SealResult[] = [];
  const backlog: SealBacklog = {};
  try {
    for (let r = await sealOnce(services, signer, backlog); r; r = await sealOnce(services, signer, backlog)) out.push(r);
  } finally {
    // Reported even when a later step failed: a KMS outage must show as growing lag, not as silence.
    if (backlog.lagSeconds !== undefined) services.telemetry.sealRun({ lagSeconds: backlog.lagSeconds, seals: out.length, events: out.reduce((n, r) => n + r.count, 0) });
  }
  return out;
}

