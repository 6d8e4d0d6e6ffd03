/**
 * An agency's one subscription (protocol.md §5 subscription.put): where its notifications are POSTed and which
 * types it wants. Stored in the agency's registry partition; a new one replaces it, `events: []` turns it off.
 */
import { agencyPk } from '../agencies.ts';
import type { Store, Write } from '../ports.ts';
import type { NotificationType } from './types.ts';

export const SUBSCRIPTION_SK = 'SUBSCRIPTION';

export interface Subscription {
  endpoint: string;
  events: NotificationType[];
  updatedAt: string;
}

export async function getSubscription(store: Pick<Store, 'get'>, agencyId: string): Promise<Subscription | null> {
  const rec = await store.get('registry', agencyPk(agencyId), SUBSCRIPTION_SK);
  if (!rec) return null;
  return { endpoint: String(rec.attrs.endpoint), events: rec.attrs.events as NotificationType[], updatedAt: String(rec.attrs.updatedAt) };
}

export function subscriptionWrite(agencyId: string, s: Subscription): Write {
  return {
    op: 'put',
    record: { table: 'registry', pk: agencyPk(agencyId), sk: SUBSCRIPTION_SK, attrs: { endpoint: s.endpoint, events: s.events, updatedAt: s.updatedAt } },
    condition: { kind: 'none' },
  };
}

/** Whether `s` asks for notifications of `evt`. */
export function wants(s: Subscription | null, evt: string): s is Subscription {
  return !!s && (s.events as string[]).includes(evt);
}
