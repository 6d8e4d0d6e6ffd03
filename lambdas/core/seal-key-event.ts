/**
 * Key transparency for the seal key (protocol.md §6): the sealer keeps the kid and RFC 7638 thumbprint of the key
 * that signed the last seal on the `SEALS` head; when a seal is signed by another key (the operator replaced the KMS
 * key), that seal's transaction also writes `exchange.keys.seal` — the new key active, the old one retired — which the
 * next seal covers like any other event. The first seal names its key in its own signed header, so it needs no event;
 * a head from before the head recorded its key gets the key's creation, so its thumbprint is sealed too.
 */
import { calculateJwkThumbprint, type JWK } from 'jose';
import { auditWrite, refusalEventId, sealableEvent } from './audit.ts';
import { b64url, sha256 } from './merkle.ts';
import type { Write } from './ports.ts';
import type { SealHead } from './seals.ts';

export interface SealKeyRecord { sealKid: string; sealThumbprint: string }

/** The head's record of the signing key, and the audit write of a change of seal key (none when unchanged or at seq 0). */
export async function sealKeyChange(exchangeId: string, head: SealHead | null, key: { kid: string; jwk: Record<string, unknown> }, ts: string): Promise<{ record: SealKeyRecord; event?: Write }> {
  const record = { sealKid: key.kid, sealThumbprint: await calculateJwkThumbprint(key.jwk as JWK) };
  if (!head || head.sealKid === key.kid) return { record };
  const owner = exchangeId;
  const changes = [
    { kid: key.kid, from: null, to: 'active', thumbprint: record.sealThumbprint, owner, purpose: 'seal' },
    ...(head.sealKid ? [{ kid: head.sealKid, from: 'active', to: 'retired', ...(head.sealThumbprint ? { thumbprint: head.sealThumbprint } : {}), owner, purpose: 'seal' }] : []),
  ];
  const digest = b64url(sha256(JSON.stringify({ kid: key.kid, previousKid: head.sealKid ?? null })));
  const event = sealableEvent({
    id: refusalEventId(), ts, exchangeId, action: 'exchange.keys.seal', resource: 'exchange:seal-keys', // no owner: only `all` auditors
    decision: 'allow', status: 201, rqd: digest, rsd: digest, sourceIp: 'local', requestId: 'exchange.keys.seal', details: { keyChanges: changes },
  });
  return { record, event: auditWrite(event) };
}
