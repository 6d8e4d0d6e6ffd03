/**
 * The notification a receiver gets (protocol.md §10): a compact JWS signed with the exchange's response key, header
 * exactly {alg, kid, typ: "corridor-notification+jws"}, claims {iss, aud, iat, jti, evt, sub, data}. The jti is the
 * same on every retry: receivers deduplicate by it.
 */
import { CompactSign } from 'jose';
import { sha256b64url } from '../merkle.ts';
import type { SigningKey } from '../response-keys.ts';
import type { NotificationType, Subject } from './types.ts';

export const NOTIFICATION_TYP = 'corridor-notification+jws';

export interface NotificationClaims {
  /** The exchange id. */
  iss: string;
  /** The receiving agency. */
  aud: string;
  /** Seconds: when the change that caused it committed. */
  iat: number;
  jti: string;
  evt: NotificationType;
  sub: Subject;
  data: Record<string, unknown>;
}

/**
 * The notification id: derived from the outbox item, the notice's place in it and the receiver, so fanning the
 * same stream record out again (a retried batch) yields the same ids and records, never a second notification.
 */
export function notificationJti(outboxId: string, index: number, receiver: string): string {
  return `ntf-${sha256b64url(`corridor-notification\n${outboxId}\n${index}\n${receiver}`)}`;
}

const encoder = new TextEncoder();

export async function signNotification(key: SigningKey, claims: NotificationClaims): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: NOTIFICATION_TYP })
    .sign(key.key);
}
