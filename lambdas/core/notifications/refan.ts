/**
 * Fanning out again the outbox items the notifier never processed (protocol.md §10): when the audit stream's
 * records outlive the notifier's retries (a day), their positions go to the StreamFailures queue and their
 * notifications are never made, while the items themselves stay in the audit table for OUTBOX_TTL_DAYS. The operator
 * command `corridor notifications refan` reads them back (an adapter scans the audit table: the Lambda roles have no
 * Scan) and hands each to fanOut, which is idempotent, so an item the notifier did process only re-queues what
 * was never attempted (a duplicate message the deliverer drops by attempt number) and makes no second notification.
 */
import { failureOf } from '../errors.ts';
import { fanOut, type FanOutDeps } from './fan-out.ts';

/** An outbox item as stored: its key and attributes (owner, ts, the encrypted notices). */
export interface OutboxItem {
  readonly pk: string;
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** The outbox items committed in [since, until): ISO times compared with each item's `ts`. */
export interface OutboxSource {
  items(range: RefanRange): AsyncIterable<OutboxItem>;
}

export interface RefanRange {
  readonly since: string;
  readonly until: string;
}

/** What became of one item: its counts, or why it failed (a dependency and an error class, never a message). */
export type RefanItem =
  | { readonly id: string; readonly queued: number; readonly skipped: number }
  | { readonly id: string; readonly failed: { readonly dependency: string; readonly errorClass: string } };

export interface RefanTotal {
  items: number;
  queued: number;
  skipped: number;
  failed: number;
}

/**
 * Fans out every item of the range, one after the other; a failed item is reported and the next one tried (running
 * again retries it harmlessly). A failure to read the items themselves is thrown.
 */
export async function refan(deps: FanOutDeps, source: OutboxSource, range: RefanRange, onItem: (r: RefanItem) => void = () => {}): Promise<RefanTotal> {
  const total: RefanTotal = { items: 0, queued: 0, skipped: 0, failed: 0 };
  for await (const item of source.items(range)) {
    total.items++;
    let r: RefanItem;
    try {
      r = { id: item.pk, ...(await fanOut(deps, item)) };
      total.queued += r.queued;
      total.skipped += r.skipped;
    } catch (e) {
      r = { id: item.pk, failed: failureOf(e) };
      total.failed++;
    }
    onItem(r);
  }
  return total;
}
