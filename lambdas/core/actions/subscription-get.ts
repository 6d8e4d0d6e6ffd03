/** `subscription.get` (protocol.md §5): the caller's subscription as stored, or null when it has none. */
import { getSubscription } from '../notifications/subscriptions.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';

export async function subscriptionGet(ctx: ActionContext, _body: Record<string, never>): Promise<ActionOutcome> {
  const me = ctx.caller.agencyId;
  ctx.target.resource = `agency:${me}`;
  ctx.target.owner = me;
  const subscription = await getSubscription(ctx.services.store, me);
  return { status: 200, result: { subscription: subscription ? { ...subscription } : null }, writes: [] };
}
