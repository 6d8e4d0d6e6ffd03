/**
 * `license.publish`: a licensing authority publishes a license it signed. The document's
 * signature, header and schema are checked, the issuer must be the caller, a new version
 * must be higher than the stored one, and a revoked license stays revoked (409). Status
 * carries over to a new version: superseding never silently reactivates a suspension.
 */
import { CorridorError, refuse } from '../errors.ts';
import { trustedPayload, verifyIssuerDocument } from '../issuer-document.ts';
import { fieldAad, getLicenseHead, headWrite, HEAD_SK, licensePk, licenseScope, versionSk, type LicenseDocument } from '../licenses.ts';
import { b64url, sha256 } from '../merkle.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';
import { validateLicenseDocument } from '../validation.ts';

const POINTER = '/body/document';
const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function licensePublish(ctx: ActionContext, body: { document: string }): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const peek = trustedPayloadOrNull(body.document);
  // Unverified at this point: used only to name the audit resource, and only if it has an id's shape.
  const licenseId = typeof peek?.licenseId === 'string' && DOCUMENT_ID.test(peek.licenseId) ? peek.licenseId : undefined;
  ctx.target.owner = caller.agencyId;
  if (licenseId) ctx.target.resource = `license:${caller.agencyId}/${licenseId}`;

  const { payload, kid } = await verifyIssuerDocument(body.document, 'corridor-license+jws', caller, services.directory, POINTER);
  const valid = validateLicenseDocument(payload, `${POINTER}/payload`);
  if (!valid.ok) refuse('ERR_DOCUMENT_INVALID', 'license document does not match the license schema', valid.errors);
  const doc = payload as unknown as LicenseDocument;
  if (doc.issuer !== caller.agencyId) refuse('ERR_FORBIDDEN', `document issuer ${doc.issuer} is not the caller ${caller.agencyId}`);
  const lines = doc.items.map((i) => i.line);
  if (new Set(lines).size !== lines.length) refuse('ERR_DOCUMENT_INVALID', 'license line numbers must be unique', [{ pointer: `${POINTER}/payload/items`, detail: 'duplicate line' }]);
  if (doc.validFrom > doc.validUntil) refuse('ERR_DOCUMENT_INVALID', 'validFrom is after validUntil', [{ pointer: `${POINTER}/payload/validUntil`, detail: 'before validFrom' }]);
  if (Date.parse(doc.issuedAt) > ctx.now + 60_000) refuse('ERR_DOCUMENT_INVALID', 'issuedAt is in the future', [{ pointer: `${POINTER}/payload/issuedAt`, detail: 'in the future' }]);

  const head = await getLicenseHead(services.store, caller.agencyId, doc.licenseId);
  if (head?.status === 'revoked') refuse('ERR_CONFLICT', `license ${doc.licenseId} is revoked; a revoked license cannot be superseded`);
  if (head && doc.version <= head.version) refuse('ERR_CONFLICT', `version ${doc.version} is not newer than the current version ${head.version}`);

  const nowIso = isoNow(ctx.now);
  const pk = licensePk(caller.agencyId, doc.licenseId);
  const digest = b64url(sha256(body.document));
  const scope = licenseScope(caller.agencyId);
  const vsk = versionSk(doc.version);
  const clear = { licenseId: doc.licenseId, issuer: caller.agencyId, version: doc.version, digest, kid, issuedAt: doc.issuedAt };
  const headAttrs = {
    ...(head?.attrs ?? { status: 'active', changedAt: nowIso }),
    ...clear,
    doc: await services.cipher.encrypt(body.document, scope, fieldAad(pk, HEAD_SK, 'doc')),
  };
  ctx.target.details = { version: doc.version };
  return {
    status: 201,
    result: { licenseId: doc.licenseId, version: doc.version, digest },
    writes: [
      { op: 'put', record: { table: 'documents', pk, sk: vsk, attrs: { ...clear, publishedAt: nowIso, doc: await services.cipher.encrypt(body.document, scope, fieldAad(pk, vsk, 'doc')) } }, condition: { kind: 'absent' } },
      headWrite(caller.agencyId, doc.licenseId, headAttrs, head ? head.ver : null),
    ],
    onConflict: () => new CorridorError('ERR_CONFLICT', `license ${doc.licenseId} changed while publishing; version ${doc.version} may already exist`),
  };
}

function trustedPayloadOrNull(jws: string): Record<string, unknown> | null {
  try {
    return trustedPayload(jws); // only to name the resource in the audit event, before verification
  } catch {
    return null;
  }
}
