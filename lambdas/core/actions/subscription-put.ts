/**
 * `subscription.put` (protocol.md §5): an agency's one subscription — the endpoint its notifications are POSTed to
 * and the types it wants. A new one replaces it; `events: []` turns notifications off. The endpoint must pass every
 * rule of protocol.md §10 (scheme, user info, link-local and metadata addresses, https and public addresses when
 * deployed), checked on every address its host resolves to now; delivery checks the address it connects to again.
 */
import { DependencyError, refuse, type FieldError } from '../errors.ts';
import { endpointRefusal } from '../notifications/endpoint-rules.ts';
import { subscriptionWrite, type Subscription } from '../notifications/subscriptions.ts';
import { isNotificationType } from '../notifications/types.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';

export interface SubscriptionBody { endpoint: string; events: string[] }

export async function subscriptionPut(ctx: ActionContext, body: SubscriptionBody): Promise<ActionOutcome> {
  const me = ctx.caller.agencyId;
  ctx.target.resource = `agency:${me}`;
  ctx.target.owner = me;
  const unknown: FieldError[] = body.events.flatMap((e, i) => (isNotificationType(e) ? [] : [{ pointer: `/body/events/${i}`, detail: 'is not a notification type (protocol.md §10)' }]));
  if (unknown.length) refuse('ERR_BODY_INVALID', 'events names a type the exchange does not send', unknown);
  const endpoints = ctx.services.endpoints;
  if (!endpoints) throw new Error('endpoint checks are not configured in this process'); // fails closed: 503
  let reason: string | null;
  try {
    reason = await endpointRefusal(body.endpoint, endpoints.policy, endpoints.resolver);
  } catch (e) {
    throw new DependencyError('dns', e);
  }
  if (reason) refuse('ERR_BODY_INVALID', `endpoint ${reason}`, [{ pointer: '/body/endpoint', detail: reason }]);
  const stored: Subscription = { endpoint: new URL(body.endpoint).href, events: body.events.filter(isNotificationType), updatedAt: isoNow(ctx.now) };
  ctx.target.details = { count: stored.events.length };
  return { status: 200, result: { ...stored }, writes: [subscriptionWrite(me, stored)] };
}
