/**
 * Seal records in the audit table: `SEAL#<seq>` (the JWS, its leaf hashes and event ids) and the `SEALS` head; and
 * the late bound, which the sealer and the offline verifier apply alike.
 */
import type { Store, StoredRecord } from './ports.ts';

export const SEALS_HEAD = 'SEALS';

/**
 * The longest Lambda timeout of a function that may write to the audit table (the sealer's and the notifier's 60 s;
 * API functions have 10 s, the deliverer 30 s), held by test/infra/late-bound.test.ts. An event's `ts` is the
 * exchange's clock when its handler started, and the event is written before the handler returns, so within this.
 */
export const EVENT_WRITER_TIMEOUT_SECONDS = 60;
/** For what no timeout bounds: a write sent just before the timeout landing, the stream's creation time (whole seconds), two hosts' clocks. */
export const LATE_MARGIN_SECONDS = 60;
/**
 * The late bound (protocol.md §6, docs/audit.md): an event DynamoDB wrote more than this after its `ts` was backdated
 * (or held far beyond any timeout); the stream sealer flags it (`lateBeyondBound`). Seals of the scheduled sealer
 * before protocol revision 11 used it against the `sealedAt` of a seal that drained its pending index (no `backlog`),
 * which the verifier still applies to them. The caller's `iat`/`exp` (300 s + 60 s skew) do not enter: `ts` is the
 * exchange's time, not the caller's.
 */
export const LATE_BOUND_SECONDS = EVENT_WRITER_TIMEOUT_SECONDS + LATE_MARGIN_SECONDS;
/**
 * How long after its ts an event may still be unsealed without anything being wrong: the stream sealer seals it within
 * seconds, and failing that the completeness check (5 min margin, every minute, a 60 s run) does. A verifier calls an
 * unsealed event this much older than the newest sealed one a problem, a younger one pending.
 */
export const SEALING_BOUND_SECONDS = 300 + 60 + 60;
export const sealPk = (seq: number): string => `SEAL#${String(seq).padStart(12, '0')}`;

/** `drainedAt`: on heads of the scheduled sealer (before revision 11), the sealedAt of its newest seal that left nothing pending. */
/** `sealKid` / `sealThumbprint`: the seal key that signed the last seal, so a change of seal key is audited (sealer.ts). */
/** `recentWide`: the wide seals of the last minutes, `<seq>@<sealedAt>` (seal-commit.ts: a stream seal drops what they hold). */
export interface SealHead { last: number; prevHash: string; ver: number; drainedAt?: string; sealKid?: string; sealThumbprint?: string; recentWide?: string[] }

export interface StoredSeal { seq: number; jws: string; leaves: string[]; ids: string[] }

export async function getSealHead(store: Store): Promise<SealHead | null> {
  const r = await store.get('audit', SEALS_HEAD);
  if (!r) return null;
  return {
    last: Number(r.attrs.last), prevHash: String(r.attrs.prevHash), ver: Number(r.attrs.ver),
    ...(typeof r.attrs.drainedAt === 'string' ? { drainedAt: r.attrs.drainedAt } : {}),
    ...(typeof r.attrs.sealKid === 'string' ? { sealKid: r.attrs.sealKid } : {}),
    ...(typeof r.attrs.sealThumbprint === 'string' ? { sealThumbprint: r.attrs.sealThumbprint } : {}),
    ...(Array.isArray(r.attrs.recentWide) ? { recentWide: r.attrs.recentWide } : {}),
  };
}

export function sealFrom(r: StoredRecord): StoredSeal {
  return { seq: Number(r.attrs.seq), jws: String(r.attrs.jws), leaves: r.attrs.leaves as string[], ids: r.attrs.ids as string[] };
}

export async function getSeal(store: Store, seq: number): Promise<StoredSeal | null> {
  const r = await store.get('audit', sealPk(seq));
  return r ? sealFrom(r) : null;
}
