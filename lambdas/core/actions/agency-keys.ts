/**
 * `agency.keys`: an agency adds, retires and revokes its own keys. A kid is never reused
 * for another JWK, a public key is never registered twice (its revocation would be
 * bypassed), and the agency keeps at least one active key so it can still sign.
 */
import type { JWK } from 'jose';
import { agencyView, agencyWrite, type Agency } from '../agencies.ts';
import { refuse } from '../errors.ts';
import { keyNotices } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { acceptPublicKey } from '../jwk.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';
import { addedKey, assertDistinctKids, transitionKey, type KeyChange } from './key-changes.ts';

export interface KeysBody {
  add?: { kid: string; jwk: JWK }[];
  retire?: string[];
  revoke?: string[];
}

export async function agencyKeys(ctx: ActionContext, body: KeysBody): Promise<ActionOutcome> {
  const self = ctx.caller.agencyId;
  ctx.target.resource = `agency:${self}`;
  ctx.target.owner = self;
  const nowIso = isoNow(ctx.now);
  const existing = await ctx.services.directory.get(self, true);
  if (!existing) refuse('ERR_UNKNOWN_ISSUER', `${self} is no longer registered`);
  assertDistinctKids([body.add?.map((k) => k.kid), body.retire, body.revoke]);

  const next: Agency = { ...existing, keys: existing.keys.map((k) => ({ ...k })) };
  const changes: KeyChange[] = [];
  for (const [i, entry] of (body.add ?? []).entries()) {
    const key = await acceptPublicKey(entry.kid, entry.jwk, `/body/add/${i}/jwk`, nowIso);
    const sameKid = next.keys.find((k) => k.kid === key.kid);
    if (sameKid) refuse('ERR_KID_REUSED', `kid '${key.kid}' is already used${sameKid.thumbprint === key.thumbprint ? ' for this key' : ' for another key'}; choose a new kid`);
    const sameKey = next.keys.find((k) => k.thumbprint === key.thumbprint);
    if (sameKey) refuse('ERR_KID_REUSED', `this public key is already registered as kid '${sameKey.kid}'`);
    next.keys.push(key);
    changes.push(addedKey(self, key));
  }
  for (const kid of body.retire ?? []) transitionKey(self, next.keys, kid, 'retired', nowIso, changes);
  for (const kid of body.revoke ?? []) transitionKey(self, next.keys, kid, 'revoked', nowIso, changes);
  if (!next.keys.some((k) => k.status === 'active')) refuse('ERR_CONFLICT', 'this change would leave no active key; add a new key in the same request');

  ctx.target.details = { keyChanges: changes };
  return {
    status: 200,
    result: agencyView(next),
    writes: [agencyWrite(next, existing.ver), ...await outboxWrites(ctx, keyNotices(self, changes, nowIso))],
    afterCommit: () => ctx.services.directory.invalidate(self),
  };
}
