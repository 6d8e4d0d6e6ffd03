/**
 * Offline verification of the audit log (protocol.md §6), trusting only the exchange's
 * published seal key: each seal's signature and typ, the chain (`prev` = SHA-256 of the
 * previous seal's JWS, seq contiguous), `count` and `root` rebuilt from the leaf hashes,
 * and each event's leaf recomputed from its content and found in exactly one seal. With
 * `complete` (an `all` auditor holding every event), every leaf must have its event, in
 * order. Every problem is named: changed, removed, inserted, reordered, or seal altered.
 * Against a seal the auditor kept from an earlier run (`kept`), the log must still hold that
 * very seal: seals removed from the end of the chain (a truncated tail) are caught. An event
 * whose `ts` is more than the late bound older than the `sealedAt` of an earlier seal that left
 * nothing pending (no `backlog`) was written long after it claims: backdated. Each answer's response kid
 * (`responseKid`) must have been active when used, by the response-key events among the events (key-history.ts).
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import type { AuditEvent } from '../core/audit.ts';
import { b64url, eventLeafHash, jcs, merkleRoot, rootFromPath, sha256 } from '../core/merkle.ts';
import { EVENT_WRITER_TIMEOUT_SECONDS, LATE_BOUND_SECONDS, SEALING_BOUND_SECONDS } from '../core/seals.ts';
import { responseKidProblems } from './key-history.ts';

/**
 * The signed members of a seal. `sealedAt`, `backlog` and `lateBeyondBound` were added in protocol revision 3
 * (older seals lack them); any other member a newer exchange adds is ignored.
 */
export interface SealPayload {
  exchangeId: string; seq: number; count: number; first: string; last: string; root: string; prev: string | null;
  /** When the sealer began collecting the seal's events (RFC 3339). */
  sealedAt?: string;
  /** True when the seal left pending events for the next one (it was full). */
  backlog?: boolean;
  /** How many of its events the sealer found older than the late bound allows. */
  lateBeyondBound?: number;
}

/** The newest earlier seal that left nothing pending: every event older than its sealedAt minus the late bound is in it or before it. */
interface Drained { seq: number; sealedAt: string }

export interface AuditBundle {
  exchangeId: string;
  jwks: JSONWebKeySet;
  sealKeyIds: string[];
  /** Seals from seq `fromSeq` on, in order, with their leaf hashes. */
  fromSeq: number;
  seals: string[];
  leaves: string[][];
  events: AuditEvent[];
  /** A seal (compact JWS) the auditor kept earlier: the chain must still contain it, unchanged. */
  kept?: string;
}

export interface VerifyReport {
  ok: boolean;
  problems: string[];
  seals: number;
  events: number;
  leaves: number;
  /** Events newer than everything sealed and in no seal yet: the log's unsealed tail, not a fault. */
  pending: string[];
  /** The newest seal checked (compact JWS), to keep for the next run's `kept`; null when there is none. */
  lastSeal: string | null;
  /** Answers whose response kid was checked against the response-key events, and those older than the events read. */
  responseKids: { checked: number; unchecked: number };
}

export async function verifySeal(jws: string, jwks: JSONWebKeySet, sealKeyIds: string[]): Promise<SealPayload> {
  const { kid, typ } = decodeProtectedHeader(jws);
  if (typ !== 'corridor-seal+jws') throw new Error('typ is not corridor-seal+jws');
  if (!kid || !sealKeyIds.includes(kid)) throw new Error(`kid ${kid} is not a published seal key`);
  const { payload } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['ES256'] });
  return JSON.parse(new TextDecoder().decode(payload)) as SealPayload;
}

export async function verifyAuditLog(b: AuditBundle, opts: { complete: boolean; onProgress?: (done: number, total: number) => void }): Promise<VerifyReport> {
  const problems: string[] = [];
  const leafOwner = new Map<string, { seq: number; index: number }[]>();
  const drainedBefore = new Map<number, Drained>();
  let drained: Drained | undefined;
  let prevJws: string | null = null;
  for (const [i, jws] of b.seals.entries()) {
    const seq = b.fromSeq + i;
    let p: SealPayload;
    try {
      p = await verifySeal(jws, b.jwks, b.sealKeyIds);
    } catch (e) {
      problems.push(`seal ${seq} altered: ${(e as Error).message}`);
      prevJws = jws;
      continue;
    }
    const leaves = b.leaves[i] ?? [];
    if (p.exchangeId !== b.exchangeId) problems.push(`seal ${seq} is of exchange ${p.exchangeId}`);
    if (p.seq !== seq) problems.push(`seal at position ${seq} says seq ${p.seq} (seals removed or reordered)`);
    const expectedPrev = prevJws === null ? (seq === 0 ? null : undefined) : b64url(sha256(prevJws));
    if (expectedPrev !== undefined && p.prev !== expectedPrev) problems.push(`seal ${seq} does not chain to seal ${seq - 1} (prev mismatch)`);
    if (p.count !== leaves.length) problems.push(`seal ${seq} counts ${p.count} events but ${leaves.length} leaf hashes were served`);
    if (b64url(merkleRoot(leaves.map((l) => Buffer.from(l, 'base64url')))) !== p.root) problems.push(`seal ${seq}: the leaf hashes do not rebuild its signed root (a leaf was changed, removed, inserted or reordered)`);
    leaves.forEach((l, index) => leafOwner.set(l, [...(leafOwner.get(l) ?? []), { seq, index }]));
    if (drained) drainedBefore.set(seq, drained);
    if (p.lateBeyondBound !== undefined) problems.push(`seal ${seq}: the sealer found ${p.lateBeyondBound} event(s) written more than ${LATE_BOUND_SECONDS} s after their ts (lateBeyondBound)`);
    if (p.sealedAt !== undefined && Number.isNaN(Date.parse(p.sealedAt))) problems.push(`seal ${seq}: sealedAt is not a date-time`);
    else if (p.sealedAt !== undefined && p.backlog !== true) drained = { seq, sealedAt: p.sealedAt };
    prevJws = jws;
    opts.onProgress?.(i + 1, b.seals.length);
  }

  const seen = new Map<string, AuditEvent>();
  const unsealed: AuditEvent[] = [];
  let newestSealed = '';
  for (const e of b.events) {
    const leaf = eventLeafHash(e as unknown as Record<string, unknown>);
    if (e.hash !== leaf) problems.push(`event ${e.id} changed: its content no longer matches its hash`);
    const where = leafOwner.get(leaf);
    if (!where) unsealed.push(e);
    else {
      if (where.length > 1) problems.push(`event ${e.id} appears in ${where.length} seals`);
      if (e.ts > newestSealed) newestSealed = e.ts;
      const late = lateProblem(e, where[0]!.seq, drainedBefore.get(where[0]!.seq));
      if (late) problems.push(late);
    }
    seen.set(leaf, e);
  }
  // An unsealed event more than the sealing bound older than the newest sealed one was inserted (or altered) after
  // sealing; younger ones are the tail the stream sealer (seconds) or the completeness check (minutes) will cover —
  // seals of different parts of the stream interleave in time.
  const pending: string[] = [];
  const horizon = newestSealed === '' ? '' : new Date(Date.parse(newestSealed) - SEALING_BOUND_SECONDS * 1000).toISOString();
  for (const e of unsealed) {
    if (e.ts >= horizon && e.hash === eventLeafHash(e as unknown as Record<string, unknown>)) pending.push(e.id);
    else if (e.hash === eventLeafHash(e as unknown as Record<string, unknown>)) problems.push(`event ${e.id} is in no seal (inserted after sealing)`);
    else problems.push(`event ${e.id} is in no seal (altered after sealing)`);
  }
  if (opts.complete) {
    for (const [i, leaves] of b.leaves.entries()) {
      let prev: AuditEvent | undefined;
      for (const [index, leaf] of leaves.entries()) {
        const e = seen.get(leaf);
        if (!e) {
          problems.push(`seal ${b.fromSeq + i} leaf ${index} has no event (removed or hidden)`);
          continue;
        }
        if (prev && (prev.ts > e.ts || (prev.ts === e.ts && prev.id > e.id))) problems.push(`seal ${b.fromSeq + i} leaf ${index}: events out of (ts, id) order (reordered)`);
        prev = e;
      }
    }
  }
  if (b.kept !== undefined) problems.push(...(await keptSealProblems(b, b.kept)));
  // The call's ts is when it started; its answer may be signed with a key the process re-read while it ran.
  const kids = responseKidProblems(b.events, b.exchangeId, EVENT_WRITER_TIMEOUT_SECONDS);
  problems.push(...kids.problems);
  return {
    ok: problems.length === 0, problems, seals: b.seals.length, events: b.events.length, leaves: [...leafOwner.keys()].length, pending, lastSeal: b.seals.at(-1) ?? null,
    responseKids: { checked: kids.checked, unchecked: kids.unchecked },
  };
}

/** The event's ts against the newest earlier seal that drained the pending events: more than the late bound older is backdated. */
function lateProblem(e: AuditEvent, seq: number, drained: Drained | undefined): string | undefined {
  if (!drained) return undefined;
  const horizon = Date.parse(drained.sealedAt) - LATE_BOUND_SECONDS * 1000;
  if (Date.parse(e.ts) >= horizon) return undefined;
  return `event ${e.id} (ts ${e.ts}) is in seal ${seq}, but seal ${drained.seq} (sealedAt ${drained.sealedAt}) had sealed every event older than ${new Date(horizon).toISOString()}: written more than ${LATE_BOUND_SECONDS} s after its ts (backdated)`;
}

/**
 * The served chain still holds the seal kept earlier, byte for byte. With the chain verified,
 * that fixes every seal up to it; a log that now ends before it lost its tail. Seals newer than
 * the kept one are covered only by the next seal kept.
 */
async function keptSealProblems(b: AuditBundle, kept: string): Promise<string[]> {
  let k: SealPayload;
  try {
    k = await verifySeal(kept, b.jwks, b.sealKeyIds);
  } catch (e) {
    return [`the seal kept earlier does not verify: ${(e as Error).message}`];
  }
  if (k.exchangeId !== b.exchangeId) return [`the seal kept earlier is of exchange ${k.exchangeId}`];
  const at = k.seq - b.fromSeq;
  const end = b.seals.length ? `ends at seal ${b.fromSeq + b.seals.length - 1}` : 'has no seal';
  if (at < 0) return [`the seal kept earlier (seq ${k.seq}) is older than the first seal checked (${b.fromSeq})`];
  if (at >= b.seals.length) return [`seal ${k.seq} was kept earlier but the log now ${end}: seals were removed from its end (truncated)`];
  if (b.seals[at] !== kept) return [`seal ${k.seq} differs from the copy kept earlier (history rewritten)`];
  return [];
}

/** A kept seal as saved: the compact JWS itself, or an `audit verify --json` report (its `lastSeal`). */
export function keptSealFrom(text: string): string {
  const t = text.trim();
  const jws = t.startsWith('{') ? (JSON.parse(t) as { lastSeal?: unknown }).lastSeal : t;
  if (typeof jws !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jws)) throw new Error('not a seal: expected a compact JWS or an audit verify --json report with lastSeal');
  return jws;
}

/** What a proof must be about: the event asked for, in the exchange asked. */
export interface ProofExpectation {
  eventId: string;
  /** The exchange's id, from its configuration. */
  exchangeId: string;
  /** The event as the caller already holds it (e.g. from audit.query): the proof must be of exactly this content. */
  event?: AuditEvent;
}

/**
 * An inclusion proof from `audit.proof`: the event is the one asked about (id, exchange, and its
 * whole content when the caller holds it), its leaf is recomputed from that content, and the path
 * rebuilds the signed root of a seal of the expected exchange. A genuine proof of another event
 * is a problem, not a pass.
 */
export async function verifyProof(proof: { event: AuditEvent; seal: string; leafIndex: number; path: string[] }, jwks: JSONWebKeySet, sealKeyIds: string[], expected: ProofExpectation): Promise<string[]> {
  if (typeof expected?.eventId !== 'string' || typeof expected.exchangeId !== 'string') throw new TypeError('verifyProof needs the expected event id and exchange id');
  const problems: string[] = [];
  const e = proof.event;
  if (e.id !== expected.eventId) problems.push(`the proof is for event ${e.id}, not ${expected.eventId}`);
  if (e.exchangeId !== expected.exchangeId) problems.push(`event ${e.id} is of exchange ${e.exchangeId}, not ${expected.exchangeId}`);
  if (expected.event && jcs(e) !== jcs(expected.event)) problems.push(`event ${e.id} differs from the event asked about`);
  const leaf = eventLeafHash(e as unknown as Record<string, unknown>);
  if (e.hash !== leaf) problems.push(`event ${e.id} changed: its content no longer matches its hash`);
  let seal: SealPayload;
  try {
    seal = await verifySeal(proof.seal, jwks, sealKeyIds);
  } catch (err) {
    return [...problems, `seal altered: ${(err as Error).message}`];
  }
  if (seal.exchangeId !== expected.exchangeId) problems.push(`the seal is of exchange ${seal.exchangeId}, not ${expected.exchangeId}`);
  const root = rootFromPath(Buffer.from(leaf, 'base64url'), proof.leafIndex, seal.count, proof.path.map((p) => Buffer.from(p, 'base64url')));
  if (!root || b64url(root) !== seal.root) problems.push(`event ${e.id}: the inclusion path does not lead to seal ${seal.seq}'s root`);
  return problems;
}
