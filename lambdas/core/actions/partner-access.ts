/**
 * A partner's access to an owner's document: the agreement is checked before existence
 * (403 before 404), so a caller without rights learns nothing about what exists.
 */
import type { Agreement, Permission } from '../agreements.ts';
import { getCurrent, KINDS, type DocumentHead, type DocumentKind } from '../documents.ts';
import { refuse } from '../errors.ts';
import type { StoredRecord } from '../ports.ts';
import { grants } from '../policy.ts';
import { today, type ActionContext } from '../services.ts';

export interface PartnerDocument {
  agreement: Agreement | null;
  head: DocumentHead;
  balance: StoredRecord | null;
  /** The partner may also read the issuer-signed document. */
  canRead: boolean;
}

export async function partnerDocument(ctx: ActionContext, kind: DocumentKind, issuer: string, id: string, need: Permission): Promise<PartnerDocument> {
  const { services, caller } = ctx;
  ctx.target.resource = `${kind}:${issuer}/${id}`;
  ctx.target.owner = issuer;
  const day = today(ctx.now);
  // A cached agreement serves only if it grants: a withdrawal waits at most the directory TTL, a new grant works at once.
  const agreement = await services.directory.agreement(issuer, kind, caller.agencyId, (a) => grants(a, need, day));
  if (!grants(agreement, need, day)) refuse('ERR_NO_AGREEMENT', `${issuer} has not granted ${caller.agencyId} ${need} on its ${kind === 'euc' ? 'end-use certificates' : 'licenses'}`);
  // `verify` only reads (license.verify, euc.query): the document and balance may be as stale as DynamoDB's replication, well
  // within the revocation bound (protocol.md §1), at half the read cost. Every other need guards a write: strongly consistent.
  // A document not found is read again consistently: a refusal is never decided on a stale read, one just published is found.
  const stale = need === 'verify' ? await getCurrent(services.store, KINDS[kind], issuer, id, { consistent: false }) : null;
  const current = stale ?? await getCurrent(services.store, KINDS[kind], issuer, id);
  if (!current) refuse('ERR_NOT_FOUND', `${issuer} has no ${kind} ${id}`);
  return { agreement, head: current.head, balance: current.balance, canRead: grants(agreement, 'read', day) };
}
