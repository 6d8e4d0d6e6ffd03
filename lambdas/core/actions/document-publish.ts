/**
 * `license.publish` / `euc.publish`: an agency publishes a document it signed. Signature,
 * header and schema are checked, the issuer must be the caller, a new version must be
 * higher than the stored one, and a revoked document stays revoked (409). Status carries
 * over to a new version: superseding never silently reactivates a suspension.
 */
import { docPk, encryptAt, getCurrent, headWrite, HEAD_SK, KINDS, versionSk, type DocumentKind } from '../documents.ts';
import { refuse } from '../errors.ts';
import { versionNotices } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { trustedPayload, verifyIssuerDocument } from '../issuer-document.ts';
import { b64url, sha256 } from '../merkle.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';
import { validateDocument } from '../validation.ts';

const POINTER = '/body/document';
const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

interface Published { version: number; issuedAt: string; issuer: string; [k: string]: unknown }

/** Checks beyond the schema, per kind. */
function assertConsistent(kind: DocumentKind, doc: Published): void {
  if (kind !== 'license') return;
  const lines = (doc.items as { line: number }[]).map((i) => i.line);
  if (new Set(lines).size !== lines.length) refuse('ERR_DOCUMENT_INVALID', 'license line numbers must be unique', [{ pointer: `${POINTER}/payload/items`, detail: 'duplicate line' }]);
  if (String(doc.validFrom) > String(doc.validUntil)) refuse('ERR_DOCUMENT_INVALID', 'validFrom is after validUntil', [{ pointer: `${POINTER}/payload/validUntil`, detail: 'before validFrom' }]);
}

export function publishDocument(kind: DocumentKind) {
  const spec = KINDS[kind];
  return async (ctx: ActionContext, body: { document: string }): Promise<ActionOutcome> => {
    const { services, caller } = ctx;
    const peek = peekPayload(body.document);
    // Unverified at this point: used only to name the audit resource, and only if it has an id's shape.
    const peekId = typeof peek?.[spec.idField] === 'string' && DOCUMENT_ID.test(peek[spec.idField] as string) ? (peek[spec.idField] as string) : undefined;
    ctx.target.owner = caller.agencyId;
    if (peekId) ctx.target.resource = `${kind}:${caller.agencyId}/${peekId}`;

    const { payload, kid } = await verifyIssuerDocument(body.document, spec.typ, caller, services.directory, POINTER);
    const valid = validateDocument(kind, payload);
    if (!valid.ok) refuse('ERR_DOCUMENT_INVALID', `document does not match the ${kind} schema`, valid.errors);
    const doc = payload as Published;
    if (doc.issuer !== caller.agencyId) refuse('ERR_FORBIDDEN', `document issuer ${doc.issuer} is not the caller ${caller.agencyId}`);
    assertConsistent(kind, doc);
    // issuedAt parses: the date-time format refuses what Date cannot hold (formats.ts).
    if (Date.parse(doc.issuedAt) > ctx.now + 60_000) refuse('ERR_DOCUMENT_INVALID', 'issuedAt is in the future', [{ pointer: `${POINTER}/payload/issuedAt`, detail: 'in the future' }]);
    const id = doc[spec.idField] as string;

    const current = await getCurrent(services.store, spec, caller.agencyId, id);
    const head = current?.head;
    if (head?.status === 'revoked') refuse('ERR_CONFLICT', `${kind} ${id} is revoked; a revoked document cannot be superseded`);
    if (head && doc.version <= head.version) refuse('ERR_CONFLICT', `version ${doc.version} is not newer than the current version ${head.version}`);

    const nowIso = isoNow(ctx.now);
    const digest = b64url(sha256(body.document));
    const vsk = versionSk(doc.version);
    const clear = { [spec.idField]: id, issuer: caller.agencyId, version: doc.version, digest, kid, issuedAt: doc.issuedAt };
    const headAttrs = { ...(head?.attrs ?? { status: 'active', changedAt: nowIso }), ...clear, doc: await encryptAt(services.cipher, spec, caller.agencyId, id, HEAD_SK, 'doc', body.document) };
    const versionAttrs = { ...clear, publishedAt: nowIso, doc: await encryptAt(services.cipher, spec, caller.agencyId, id, vsk, 'doc', body.document) };
    ctx.target.details = { version: doc.version };
    return {
      status: 201,
      result: { [spec.idField]: id, version: doc.version, digest },
      writes: [
        { op: 'put', record: { table: 'documents', pk: docPk(spec, caller.agencyId, id), sk: vsk, attrs: versionAttrs }, condition: { kind: 'absent' } },
        headWrite(spec, caller.agencyId, id, headAttrs, head ? head.ver : null),
        ...await outboxWrites(ctx, versionNotices(kind, caller.agencyId, id, !!head, { version: doc.version, digest })),
      ],
      // a concurrent change: re-read; a version published meanwhile then answers 409 by state
      retryOnConflict: true,
    };
  };
}

function peekPayload(jws: string): Record<string, unknown> | null {
  try {
    return trustedPayload(jws);
  } catch {
    return null;
  }
}
