/**
 * `denial.notify`: a licensing authority shares a denial it signed (protocol.md §5). Checked like a license
 * (issuer-document.ts: header, active key, signature; schema; issuer = caller; issuedAt not in the future), plus
 * its validity: `validUntil` (default date + 3 years) not before the date and at most 5 years after it. A higher
 * version amends the denial; a revoked denial stays revoked (409). Stored encrypted, with its screening feed entry
 * in the same transaction, so every process screens against it from its next call.
 */
import { addYears, DENIAL_TYP, denialHeadWrite, denialPk, denialResource, effectiveValidUntil, encryptDenialField, getDenial, HEAD_SK, MAX_VALIDITY_YEARS, type DenialDocument } from '../denials.ts';
import { versionSk } from '../documents.ts';
import { refuse } from '../errors.ts';
import { trustedPayload, verifyIssuerDocument } from '../issuer-document.ts';
import { b64url, sha256 } from '../merkle.ts';
import { denialNotice } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { feedWrites, readFeedHead } from '../screening/denial-feed.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';
import { validateDocument } from '../validation.ts';

const POINTER = '/body/document';
const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function peekId(jws: string): string | undefined {
  try {
    const id = trustedPayload(jws).denialId;
    return typeof id === 'string' && DOCUMENT_ID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export async function denialNotify(ctx: ActionContext, body: { document: string }): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const me = caller.agencyId;
  ctx.target.owner = me;
  // Unverified here: names the audit resource only, and only when it has an id's shape.
  const peeked = peekId(body.document);
  if (peeked) ctx.target.resource = denialResource(me, peeked);

  const { payload, kid } = await verifyIssuerDocument(body.document, DENIAL_TYP, caller, services.directory, POINTER);
  const valid = validateDocument('denial', payload);
  if (!valid.ok) refuse('ERR_DOCUMENT_INVALID', 'document does not match the denial schema', valid.errors);
  const doc = payload as unknown as DenialDocument;
  if (doc.issuer !== me) refuse('ERR_FORBIDDEN', `document issuer ${doc.issuer} is not the caller ${me}`);
  if (Date.parse(doc.issuedAt) > ctx.now + 60_000) refuse('ERR_DOCUMENT_INVALID', 'issuedAt is in the future', [{ pointer: `${POINTER}/payload/issuedAt`, detail: 'in the future' }]);
  const validUntil = effectiveValidUntil(doc);
  if (validUntil < doc.date) refuse('ERR_DOCUMENT_INVALID', 'validUntil is before the date of the denial', [{ pointer: `${POINTER}/payload/validUntil`, detail: 'before date' }]);
  if (validUntil > addYears(doc.date, MAX_VALIDITY_YEARS)) refuse('ERR_DOCUMENT_INVALID', `a denial applies for at most ${MAX_VALIDITY_YEARS} years from its date; renew it by an amendment`, [{ pointer: `${POINTER}/payload/validUntil`, detail: `more than ${MAX_VALIDITY_YEARS} years after date` }]);

  const id = doc.denialId;
  const head = await getDenial(services.store, me, id);
  if (head?.status === 'revoked') refuse('ERR_CONFLICT', `denial ${id} is revoked; a revoked denial cannot be amended`);
  if (head && doc.version <= head.version) refuse('ERR_CONFLICT', `version ${doc.version} is not newer than the current version ${head.version}`);

  const nowIso = isoNow(ctx.now);
  const digest = b64url(sha256(body.document));
  const vsk = versionSk(doc.version);
  const clear = { denialId: id, issuer: me, version: doc.version, digest, kid, issuedAt: doc.issuedAt, date: doc.date, validUntil };
  const headAttrs = { ...(head?.attrs ?? { status: 'active', changedAt: nowIso }), ...clear, doc: await encryptDenialField(services.cipher, me, id, HEAD_SK, 'doc', body.document) };
  const versionAttrs = { ...clear, publishedAt: nowIso, doc: await encryptDenialField(services.cipher, me, id, vsk, 'doc', body.document) };
  const feed = await feedWrites(services.cipher, await readFeedHead(services.store), {
    issuer: me, denialId: id, version: doc.version, digest, validUntil, status: 'active',
    parties: doc.parties, items: doc.items.map((i) => i.controlCode),
  }, nowIso);
  ctx.target.details = { version: doc.version, parties: doc.parties.length, items: doc.items.length };
  return {
    status: 201,
    result: { denialId: id, version: doc.version, digest, validUntil, status: 'active' },
    writes: [
      { op: 'put', record: { table: 'documents', pk: denialPk(me, id), sk: vsk, attrs: versionAttrs }, condition: { kind: 'absent' } },
      denialHeadWrite(me, id, headAttrs, head ? head.ver : null),
      ...feed,
      ...await outboxWrites(ctx, [denialNotice(me, id, { status: 'active', version: doc.version, validUntil, digest })]),
    ],
    // Another change to this denial or to the feed came first: re-read, and a version published meanwhile answers 409.
    retryOnConflict: true,
  };
}
