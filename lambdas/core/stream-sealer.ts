/**
 * The stream sealer (protocol.md §6): the audit table's DynamoDB stream hands every new event to this, a batch at a
 * time, in write order per shard, and each batch becomes one seal (several beyond MAX_LEAVES). Reading the stream costs
 * no read units, and nothing is written per event: the event's own write is its only one.
 *
 * Exactly once, though the event source retries a failed batch from its first record until it succeeds:
 * - each seal of a batch commits, in its own transaction, a marker `SEALBATCH#<first event id>` holding the stream
 *   sequence number it sealed through; a retried batch finds the marker and skips what it covers (a sealer that crashed
 *   after committing loses nothing and seals nothing twice);
 * - events older than NARROW_SPAN_SECONDS (a batch retried for minutes, a backdated write) may have been sealed by the
 *   completeness check meanwhile: they are looked up in the seals first and sealed in wide seals, one per UTC day.
 * The late bound is checked against DynamoDB's own write time of the record (ApproximateCreationDateTime), which no
 * writer of the table chooses: an event written more than LATE_BOUND_SECONDS after its ts is sealed, counted in the
 * seal's `lateBeyondBound` and alarmed.
 */
import type { AuditEvent } from './audit.ts';
import { commitSeal, ExtraWriteConflict, MAX_LEAVES, type SealResult } from './seal-commit.ts';
import { dayOf, NARROW_SPAN_SECONDS } from './seal-index.ts';
import { baseBeforeRecent, sealedIdsOverlapping } from './sealed-ids.ts';
import { getSealHead, LATE_BOUND_SECONDS } from './seals.ts';
import type { CoreServices } from './services.ts';
import { WriteConflict, type SealSigner, type Write } from './ports.ts';

export interface StreamedEvent {
  event: AuditEvent;
  /** The stream record's sequence number (decimal digits, increasing within a shard). */
  seq: string;
  /** When DynamoDB wrote the item (ms since the epoch; the stream gives whole seconds). */
  writtenAt?: number;
}

/** Markers outlive the stream's 24 h retention: no retry can come after. */
const MARKER_TTL_SECONDS = 2 * 86_400;
/** A ts this far ahead of the sealer's clock still counts as now (clocks of two functions). */
const FUTURE_SKEW_MS = 60_000;

export const batchMarkerPk = (firstEventId: string): string => `SEALBATCH#${firstEventId}`;

const after = (a: string, b: string): boolean => BigInt(a) > BigInt(b);

function marker(services: CoreServices, chunk: readonly StreamedEvent[]): Write {
  const now = services.clock.now();
  return {
    op: 'put',
    record: { table: 'audit', pk: batchMarkerPk(chunk[0]!.event.id), attrs: { through: chunk.at(-1)!.seq, expiresAt: Math.floor(now / 1000) + MARKER_TTL_SECONDS } },
    condition: { kind: 'absent' },
  };
}

async function commitMarker(services: CoreServices, chunk: readonly StreamedEvent[]): Promise<void> {
  try {
    await services.store.commit([marker(services, chunk)]);
  } catch (e) {
    if (!(e instanceof WriteConflict)) throw e; // already there: a concurrent run of the same records
  }
}

/** Events DynamoDB wrote more than the late bound after their ts (its creation time is rounded down: never early). */
function lateIds(chunk: readonly StreamedEvent[]): string[] {
  return chunk.filter((r) => r.writtenAt !== undefined && r.writtenAt - Date.parse(r.event.ts) > LATE_BOUND_SECONDS * 1000).map((r) => r.event.id);
}

/** Seal one chunk (≤ MAX_LEAVES records) and commit its marker with its last seal. */
async function sealChunk(services: CoreServices, signer: SealSigner, chunk: readonly StreamedEvent[]): Promise<SealResult[]> {
  const now = services.clock.now();
  const young = chunk.every(({ event }) => Date.parse(event.ts) >= now - NARROW_SPAN_SECONDS * 1000 && Date.parse(event.ts) <= now + FUTURE_SKEW_MS);
  if (young) {
    const r = await commitSeal(services, signer, { events: chunk.map((c) => c.event), wide: false, late: lateIds(chunk), extra: [marker(services, chunk)] });
    return r ? [r] : [];
  }
  // Old events: whatever the completeness check sealed meanwhile is dropped; the rest in one wide seal per day.
  const days = new Map<string, StreamedEvent[]>();
  for (const c of chunk) {
    const day = dayOf(c.event.ts);
    if (!days.has(day)) days.set(day, []);
    days.get(day)!.push(c);
  }
  const out: SealResult[] = [];
  const groups = [...days.values()];
  for (const [i, group] of groups.entries()) {
    const head = await getSealHead(services.store);
    const ts = group.map((g) => g.event.ts).sort();
    const { sealed } = await sealedIdsOverlapping(services.store, ts[0]!, ts.at(-1)!);
    const left = group.filter((g) => !sealed.has(g.event.id));
    const last = i === groups.length - 1;
    const baseSeq = left.length > 0 ? await baseBeforeRecent(services.store, head?.last, now) : head?.last ?? null;
    const r = await commitSeal(services, signer, { events: left.map((g) => g.event), wide: true, baseSeq, late: lateIds(left), ...(last ? { extra: [marker(services, chunk)] } : {}) });
    if (r) out.push(r);
    else if (last) await commitMarker(services, chunk); // all sealed already: record the progress anyway
  }
  return out;
}

/** Seal a stream batch (event inserts, in stream order); safe to call again with the same batch. */
export async function sealStreamBatch(services: CoreServices, signer: SealSigner, batch: readonly StreamedEvent[]): Promise<SealResult[]> {
  const out: SealResult[] = [];
  let i = 0;
  while (i < batch.length) {
    const done = await services.store.get('audit', batchMarkerPk(batch[i]!.event.id));
    if (done) {
      // a retry: skip what that seal covered (the rest of the retried batch, if longer, is sealed below)
      const through = String(done.attrs.through);
      while (i < batch.length && !after(batch[i]!.seq, through)) i++;
      continue;
    }
    const chunk = batch.slice(i, i + MAX_LEAVES);
    try {
      out.push(...(await sealChunk(services, signer, chunk)));
    } catch (e) {
      // a concurrent run of the same records committed the marker first: read it on the next turn
      if (!(e instanceof ExtraWriteConflict)) throw e;
      continue;
    }
    i += chunk.length;
  }
  return out;
}
