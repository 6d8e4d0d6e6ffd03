/**
 * `license.verify`: customs checks a shipment against a partner's license (PROTOCOL §5).
 * Agreement first (403 before 404). Check details never quote the license's own values,
 * so a `verify`-only partner learns match / no match, never the document.
 */
import { getAgreement } from '../agreements.ts';
import { refuse } from '../errors.ts';
import { trustedPayload } from '../issuer-document.ts';
import { decryptField, drawnPerLine, getLicenseHead, type LicenseDocument } from '../licenses.ts';
import { namesMatch } from '../names.ts';
import { grants } from '../policy.ts';
import { today, type ActionContext, type ActionOutcome } from '../services.ts';
import { signatureCheck, type Check } from './checks.ts';

interface Shipment {
  date: string;
  destinationCountry: string;
  exporter?: { name: string };
  consignee?: { name: string };
  endUser?: { name: string };
  items: { controlCode: string; quantity: number }[];
}

export interface VerifyBody { issuer: string; licenseId: string; shipment: Shipment }

export async function licenseVerify(ctx: ActionContext, body: VerifyBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  ctx.target.resource = `license:${body.issuer}/${body.licenseId}`;
  ctx.target.owner = body.issuer;
  const agreement = await getAgreement(services.store, body.issuer, 'license', caller.agencyId);
  if (!grants(agreement, 'verify', today(ctx.now))) refuse('ERR_NO_AGREEMENT', `${body.issuer} has not granted ${caller.agencyId} verify on its licenses`);
  const head = await getLicenseHead(services.store, body.issuer, body.licenseId);
  if (!head) refuse('ERR_NOT_FOUND', `${body.issuer} has no license ${body.licenseId}`);

  const jws = (await decryptField(services.cipher, head, 'doc'))!;
  const doc = trustedPayload(jws) as unknown as LicenseDocument;
  const drawn = await drawnPerLine(services.cipher, head);
  const lines = doc.items.map((i) => ({ line: i.line, controlCode: i.controlCode, remaining: i.quantity - (drawn[String(i.line)] ?? 0) }));

  const checks: Check[] = [
    await signatureCheck(services, body.issuer, head.kid, head.issuedAt),
    { name: 'status', ok: head.status === 'active', ...(head.status === 'active' ? {} : { detail: `license is ${head.status}` }) },
    validity(doc, body.shipment.date),
    { name: 'destination', ok: doc.destinationCountry === body.shipment.destinationCountry, ...(doc.destinationCountry === body.shipment.destinationCountry ? {} : { detail: 'destination country differs from the license' }) },
    ...(['exporter', 'consignee', 'endUser'] as const).filter((p) => body.shipment[p]).map((p) => nameCheck(p, doc[p].name, body.shipment[p]!.name)),
    itemsCheck(lines, body.shipment.items),
  ];
  const outcome = checks.every((c) => c.ok) ? 'valid' : 'invalid';
  ctx.target.details = { outcome, version: head.version };
  const result: Record<string, unknown> = { outcome, checks, lines, licenseDigest: head.digest, version: head.version };
  if (grants(agreement, 'read', today(ctx.now))) result.document = jws;
  return { status: 200, result, writes: [] };
}

function validity(doc: LicenseDocument, date: string): Check {
  const ok = doc.validFrom <= date && date <= doc.validUntil;
  return { name: 'validity', ok, ...(ok ? {} : { detail: 'shipment date is outside the license validity' }) };
}

function nameCheck(name: string, licensed: string, given: string): Check {
  const ok = namesMatch(licensed, given);
  return { name, ok, ...(ok ? {} : { detail: `${name} name does not match the license` }) };
}

/** For each control code in the shipment, the lines with that code together cover the quantity. */
function itemsCheck(lines: { controlCode: string; remaining: number }[], items: Shipment['items']): Check {
  const wanted = new Map<string, number>();
  for (const i of items) wanted.set(i.controlCode, (wanted.get(i.controlCode) ?? 0) + i.quantity);
  const short: string[] = [];
  for (const [code, qty] of wanted) {
    const remaining = lines.filter((l) => l.controlCode === code).reduce((s, l) => s + l.remaining, 0);
    if (remaining < qty) short.push(`${code}: requested ${qty}, remaining ${remaining}`);
  }
  return { name: 'items', ok: short.length === 0, ...(short.length ? { detail: short.join('; ') } : {}) };
}

