/**
 * The issuer's per-line view of delivery.list (protocol.md §5): licensed, shipped (Σ drawdowns: the balance record),
 * delivered (Σ confirmations: every confirming agency's totals record), outstanding = max(shipped − delivered, 0),
 * and the flags
 * - `over-delivered`: delivered > shipped;
 * - `consignee-mismatch` / `end-user-mismatch`: some quantity on the line was confirmed for another consignee or end
 *   user than the license names (by name key, against the version current at confirmation);
 * - `not-delivered`: what was shipped on or before today − N days (N = the deployment's deliveryOverdueDays) exceeds
 *   everything delivered on the line — deliveries cover the earliest shipments first.
 * The last flag needs the drawdowns' dates, so the drawdown records are read: at most MAX_DRAWDOWNS_AGED of them (a
 * bounded read per call); `aging.complete` says whether that was all of them.
 */
import { DEFAULT_DELIVERY_OVERDUE_DAYS, DELIVERED_PREFIX, readTotals, type LineDelivered } from '../deliveries.ts';
import { currentJws, decryptAt, docPk, DRAWDOWN_PREFIX, readBalance, type DocumentHead } from '../documents.ts';
import { trustedPayload } from '../issuer-document.ts';
import type { LicenseDocument } from '../license-document.ts';
import type { StoredRecord } from '../ports.ts';
import { today, type ActionContext } from '../services.ts';
import type { StoredDrawdown } from './license-drawdown.ts';

/** Drawdown records one delivery.list reads for the `not-delivered` flag (2 reads of 500). */
export const MAX_DRAWDOWNS_AGED = 1000;
const READ = 500;
const DAY = 86_400_000;

export type LineFlag = 'over-delivered' | 'consignee-mismatch' | 'end-user-mismatch' | 'not-delivered';

export interface LineSummary {
  line: number;
  controlCode?: string;
  licensed?: number;
  shipped: number;
  delivered: number;
  outstanding: number;
  flags: LineFlag[];
}

/** Σ drawn per line of the drawdowns dated on or before `cutoff`, over at most MAX_DRAWDOWNS_AGED records. */
async function shippedBy(ctx: ActionContext, head: DocumentHead, cutoff: string): Promise<{ aged: Map<number, number>; examined: number; complete: boolean }> {
  const { store, cipher } = ctx.services;
  const pk = docPk(head.spec, head.issuer, head.id);
  const aged = new Map<number, number>();
  let examined = 0;
  let after: string | undefined;
  for (;;) {
    const take = Math.min(READ, MAX_DRAWDOWNS_AGED - examined);
    // One more than it takes: whether anything follows is known without another read.
    const recs: StoredRecord[] = await store.queryPage('documents', { pk, skPrefix: DRAWDOWN_PREFIX, ...(after ? { after } : {}), limit: take + 1 });
    for (const r of recs.slice(0, take)) {
      const d = JSON.parse((await decryptAt(cipher, head.spec, head.issuer, head.id, r, 'record'))!) as StoredDrawdown;
      if (d.date <= cutoff) for (const l of d.lines) aged.set(l.line, (aged.get(l.line) ?? 0) + l.drawn);
      examined++;
      after = r.sk;
    }
    if (recs.length <= take) return { aged, examined, complete: true };
    if (examined >= MAX_DRAWDOWNS_AGED) return { aged, examined, complete: false };
  }
}

export async function issuerSummary(ctx: ActionContext, head: DocumentHead, balanceRec: StoredRecord | null): Promise<{ lines: LineSummary[]; aging: Record<string, unknown> }> {
  const { store, cipher } = ctx.services;
  const doc = trustedPayload(await currentJws(cipher, head)) as unknown as LicenseDocument;
  const { drawn } = await readBalance(cipher, head, balanceRec);
  const delivered = new Map<number, LineDelivered>();
  for (const rec of await store.query('documents', docPk(head.spec, head.issuer, head.id), DELIVERED_PREFIX)) {
    const { totals } = await readTotals(cipher, head.issuer, head.id, rec);
    for (const [line, t] of Object.entries(totals)) {
      const sum = delivered.get(Number(line)) ?? { delivered: 0, consigneeMismatch: 0, endUserMismatch: 0 };
      delivered.set(Number(line), { delivered: sum.delivered + t.delivered, consigneeMismatch: sum.consigneeMismatch + t.consigneeMismatch, endUserMismatch: sum.endUserMismatch + t.endUserMismatch });
    }
  }
  const days = ctx.services.deliveryOverdueDays ?? DEFAULT_DELIVERY_OVERDUE_DAYS;
  const cutoff = today(ctx.now - days * DAY);
  const { aged, examined, complete } = await shippedBy(ctx, head, cutoff);

  const licensed = new Map(doc.items.map((i) => [i.line, i]));
  // Every line of the current version, and any line a drawdown or confirmation named that a later version dropped.
  const lineNumbers = [...new Set([...licensed.keys(), ...Object.keys(drawn).map(Number), ...delivered.keys()])].sort((a, b) => a - b);
  const lines = lineNumbers.map((line): LineSummary => {
    const item = licensed.get(line);
    const shipped = drawn[String(line)] ?? 0;
    const d = delivered.get(line) ?? { delivered: 0, consigneeMismatch: 0, endUserMismatch: 0 };
    const flags: LineFlag[] = [];
    if (d.delivered > shipped) flags.push('over-delivered');
    if (d.consigneeMismatch > 0) flags.push('consignee-mismatch');
    if (d.endUserMismatch > 0) flags.push('end-user-mismatch');
    if ((aged.get(line) ?? 0) > d.delivered) flags.push('not-delivered');
    return { line, ...(item ? { controlCode: item.controlCode, licensed: item.quantity } : {}), shipped, delivered: d.delivered, outstanding: Math.max(shipped - d.delivered, 0), flags };
  });
  return { lines, aging: { notDeliveredAfterDays: days, shippedOnOrBefore: cutoff, drawdownsExamined: examined, complete } };
}
