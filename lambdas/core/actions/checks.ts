/** Verification checks shared by document queries (licenses now, end-use certificates later). */
import type { DocumentHead } from '../documents.ts';
import type { LicenseDocument } from '../license-document.ts';
import { namesMatch } from '../names.ts';
import type { CoreServices } from '../services.ts';

export interface Check { name: string; ok: boolean; detail?: string }

/**
 * `signature`: the key that signed the document is valid for it (protocol.md §1): active, or
 * retired after the document's issuedAt; a revoked key verifies nothing.
 */
export async function signatureCheck(services: CoreServices, issuer: string, kid: string, issuedAt: string): Promise<Check> {
  // A cached record without the kid is re-read: a key added since the cache filled is found.
  const agency = await services.directory.get(issuer, false, (a) => a.keys.some((k) => k.kid === kid));
  const key = agency?.keys.find((k) => k.kid === kid);
  if (!key) return { name: 'signature', ok: false, detail: 'signing key is no longer registered' };
  if (key.status === 'active') return { name: 'signature', ok: true };
  if (key.status === 'retired' && key.retiredAt && Date.parse(issuedAt) < Date.parse(key.retiredAt)) return { name: 'signature', ok: true };
  return { name: 'signature', ok: false, detail: key.status === 'revoked' ? 'signing key was revoked' : 'document was issued after its key was retired' };
}

export function statusCheck(kind: string, status: string): Check {
  return { name: 'status', ok: status === 'active', ...(status === 'active' ? {} : { detail: `${kind} is ${status}` }) };
}

/** Names compared by the §5 key; the detail never quotes the document's own name. */
export function nameCheck(name: string, documented: string, given: string): Check {
  const ok = namesMatch(documented, given);
  return { name, ok, ...(ok ? {} : { detail: `${name} name does not match the document` }) };
}

/**
 * The checks about a license itself, in the order `license.verify` reports them. A drawdown
 * needs every one ok, so it can never draw on a license that verification calls invalid.
 * `dateName` says whose date is checked against the validity (shipment, declaration).
 */
export async function licenseChecks(services: CoreServices, head: DocumentHead, doc: LicenseDocument, date: string, dateName: string): Promise<Check[]> {
  const inValidity = doc.validFrom <= date && date <= doc.validUntil;
  return [
    await signatureCheck(services, head.issuer, head.kid, head.issuedAt),
    statusCheck('license', head.status),
    { name: 'validity', ok: inValidity, ...(inValidity ? {} : { detail: `${dateName} is outside the license validity` }) },
  ];
}
