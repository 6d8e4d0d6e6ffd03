/**
 * `notification.list` (protocol.md §5): every notification addressed to the caller in the last 30 days (and a day
 * more, until the table's TTL removes it), whatever became of its delivery, oldest first (newest last), each with the
 * compact JWS exactly as delivered and its delivery state. Paged with a cursor (cursor.ts); `since` starts at a time.
 * Only the caller's own partition is read: another agency's notifications cannot be named.
 */
import { openCursor, PageBudget, sealCursor, type CursorBinding } from '../cursor.ts';
import { decryptJws, NOTIFICATION_PK_PREFIX, NOTIFICATION_SK_PREFIX, recordFrom } from '../notifications/records.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';

export interface NotificationListBody { limit?: number; cursor?: string; since?: string }

interface Position { after: string }

export async function notificationList(ctx: ActionContext, body: NotificationListBody): Promise<ActionOutcome> {
  const me = ctx.caller.agencyId;
  ctx.target.resource = `agency:${me}`;
  ctx.target.owner = me;
  const { services } = ctx;
  const binding: CursorBinding = { act: 'notification.list', caller: me, filters: body.since ? { since: body.since } : {} };
  const start: Partial<Position> = body.cursor
    ? await openCursor<Position>(services.cursorKeys, binding, body.cursor)
    : body.since ? { after: `${NOTIFICATION_SK_PREFIX}${new Date(Date.parse(body.since)).toISOString()}` } : {};
  const limit = body.limit ?? 100;
  const page = new PageBudget(limit);
  // One more than the page holds: a further page is known without a trailing empty one.
  const recs = await services.store.queryPage('notifications', { pk: `${NOTIFICATION_PK_PREFIX}${me}`, skPrefix: NOTIFICATION_SK_PREFIX, ...(start.after ? { after: start.after } : {}), limit: limit + 1 });
  const nowSeconds = Math.floor(ctx.now / 1000);
  const notifications: Record<string, unknown>[] = [];
  let last: string | undefined;
  let more = false;
  for (const r of recs) {
    const rec = recordFrom(r);
    if (rec.expiresAt < nowSeconds) { last = rec.sk; continue; } // past its TTL, not yet removed
    const item = {
      jti: rec.jti,
      evt: rec.evt,
      jws: await decryptJws(services.cipher, rec),
      delivery: { state: rec.state, attempts: rec.attempts, ...(rec.lastAttemptAt !== undefined ? { lastAttemptAt: new Date(rec.lastAttemptAt).toISOString() } : {}), ...(rec.lastResult ? { lastResult: rec.lastResult } : {}) },
    };
    if (!page.admit(item)) { more = true; break; }
    notifications.push(item);
    last = rec.sk;
  }
  if (recs.length > limit) more = true; // the page is full, or ran past expired records: either way more may follow
  const cursor = more && last ? await sealCursor(services.cursorKeys, binding, { after: last }) : null;
  ctx.target.details = { returned: notifications.length };
  return { status: 200, result: { notifications, cursor }, writes: [] };
}
