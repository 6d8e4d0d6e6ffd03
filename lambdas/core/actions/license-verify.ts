/**
 * `license.verify`: customs checks a shipment against a partner's license (protocol.md §5).
 * Agreement first (403 before 404; partner-access.ts). Check details never quote the license's own values,
 * so a `verify`-only partner learns match / no match, never the document.
 */
import { trustedPayload } from '../issuer-document.ts';
import { currentJws, readBalance } from '../documents.ts';
import { remainingLines, type LicenseDocument } from '../license-document.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';
import { licenseChecks, nameCheck, type Check } from './checks.ts';
import { partnerDocument } from './partner-access.ts';

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
  const { services } = ctx;
  const { head, balance, canRead } = await partnerDocument(ctx, 'license', body.issuer, body.licenseId, 'verify');

  const jws = await currentJws(services.cipher, head);
  const doc = trustedPayload(jws) as unknown as LicenseDocument;
  const { drawn } = await readBalance(services.cipher, head, balance);
  const lines = remainingLines(doc, drawn);

  const checks: Check[] = [
    ...await licenseChecks(services, head, doc, body.shipment.date, 'shipment date'),
    { name: 'destination', ok: doc.destinationCountry === body.shipment.destinationCountry, ...(doc.destinationCountry === body.shipment.destinationCountry ? {} : { detail: 'destination country differs from the license' }) },
    ...(['exporter', 'consignee', 'endUser'] as const).filter((p) => body.shipment[p]).map((p) => nameCheck(p, doc[p].name, body.shipment[p]!.name)),
    itemsCheck(lines, body.shipment.items),
  ];
  const outcome = checks.every((c) => c.ok) ? 'valid' : 'invalid';
  ctx.target.details = { outcome, version: head.version };
  const result: Record<string, unknown> = { outcome, checks, lines, licenseDigest: head.digest, version: head.version };
  if (canRead) result.document = jws;
  return { status: 200, result, writes: [] };
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

