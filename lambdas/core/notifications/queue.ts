/**
 * The delivery queue's messages and the ports delivery needs (adapters: SQS, node:https). A message names a
 * notification record and which attempt it is for; it never carries the notification itself.
 */
import type { EndpointPolicy } from './endpoint-rules.ts';

export interface DeliveryMessage {
  v: 1;
  /** The receiving agency. */
  r: string;
  /** The record's sort key. */
  s: string;
  /** Which attempt this message is for (1 = the first). Processed only when the record shows n − 1 attempts made. */
  n: number;
  /** Milliseconds: not before. */
  d: number;
}

/** SQS caps one message's delay at 15 minutes: longer waits are several hops (delivery.ts). */
export const MAX_DELAY_SECONDS = 900;

export interface NotificationQueue {
  send(messages: readonly { body: DeliveryMessage; delaySeconds: number }[]): Promise<void>;
}

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What one POST came to. `address` is the IP connected to, when a connection was made. */
export type PostResult =
  | { readonly kind: 'answered'; readonly status: number; readonly answerDigest: string; readonly address: string }
  | { readonly kind: 'timeout' | 'unreachable' | 'address-refused'; readonly address?: string };

export interface WebhookPoster {
  /** POST without following redirects, reading at most 1 KB of the answer, giving up after the timeout. */
  post(req: WebhookRequest, policy: EndpointPolicy): Promise<PostResult>;
}

export function isDeliveryMessage(x: unknown): x is DeliveryMessage {
  const m = x as Partial<DeliveryMessage> | null;
  return !!m && m.v === 1 && typeof m.r === 'string' && typeof m.s === 'string' && Number.isSafeInteger(m.n) && m.n! >= 1 && typeof m.d === 'number';
}
