/**
 * `delivery.confirm`: customs of the destination country, with `confirm` from the issuer, records that goods shipped
 * under a license arrived: import declaration id, date, lines received, and the consignee and end user declared on
 * import (protocol.md §5). Idempotent per (issuer, licenseId, caller, importDeclarationId) exactly like
 * license.drawdown: the JCS of the body with items sorted by line; the same content answers the stored original
 * (200, replayed), other content 409. A confirmation is a fact reported, so it is recorded whatever the license's
 * status and even beyond what was shipped (delivery.list flags that); only lines the license does not have are
 * refused. The caller's totals record is rewritten under its version, committed with the confirmation and the audit
 * event; a concurrent change re-runs the action (outcome.retryOnConflict).
 */
import { deliveredSk, deliverySk, encryptDeliveryField, readDelivery, readTotals, type DeliveryFlag, type StoredDelivery } from '../deliveries.ts';
import { currentJws, docPk } from '../documents.ts';
import { refuse } from '../errors.ts';
import { trustedPayload } from '../issuer-document.ts';
import type { LicenseDocument } from '../license-document.ts';
import { jcs } from '../merkle.ts';
import { namesMatch } from '../names.ts';
import { deliveryNotice } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { isoNow, today, type ActionContext, type ActionOutcome } from '../services.ts';
import { partnerDocument } from './partner-access.ts';

export interface DeliveryConfirmBody {
  issuer: string;
  licenseId: string;
  importDeclarationId: string;
  date: string;
  items: { line: number; quantity: number }[];
  consignee: { name: string };
  endUser: { name: string };
  eucRef?: { issuer: string; eucId: string };
}

const resultOf = (s: StoredDelivery, issuer: string, licenseId: string): Record<string, unknown> => ({
  issuer, licenseId, importDeclarationId: s.importDeclarationId, lines: s.lines, recordedAt: s.recordedAt,
});

export async function deliveryConfirm(ctx: ActionContext, body: DeliveryConfirmBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const { head } = await partnerDocument(ctx, 'license', body.issuer, body.licenseId, 'confirm');
  const items = [...body.items].sort((a, b) => a.line - b.line);
  if (new Set(items.map((i) => i.line)).size !== items.length) refuse('ERR_BODY_INVALID', 'each line may appear once per import declaration', [{ pointer: '/body/items', detail: 'duplicate line' }]);
  if (body.date > today(ctx.now)) refuse('ERR_BODY_INVALID', 'the import date is in the future', [{ pointer: '/body/date', detail: 'after today (UTC)' }]);
  const canonical = jcs({ ...body, items });
  const pk = docPk(head.spec, body.issuer, body.licenseId);
  const sk = deliverySk(caller.agencyId, body.importDeclarationId);
  ctx.target.details = { importDeclarationId: body.importDeclarationId };

  const prior = await services.store.get('documents', pk, sk);
  if (prior) {
    const stored = await readDelivery(services.cipher, body.issuer, body.licenseId, prior);
    if (stored.canonical !== canonical) refuse('ERR_CONFLICT', `import declaration ${body.importDeclarationId} was already confirmed with other content`);
    ctx.target.details = { importDeclarationId: body.importDeclarationId, replayed: true };
    return { status: 200, result: { ...resultOf(stored, body.issuer, body.licenseId), replayed: true }, writes: [] };
  }

  const doc = trustedPayload(await currentJws(services.cipher, head)) as unknown as LicenseDocument;
  const onLicense = new Set(doc.items.map((i) => i.line));
  const missing = items.find((i) => !onLicense.has(i.line));
  if (missing) refuse('ERR_CONFLICT', `line ${missing.line} is not on license ${body.licenseId} version ${head.version}; nothing was confirmed`);
  const flags: DeliveryFlag[] = [];
  if (!namesMatch(doc.consignee.name, body.consignee.name)) flags.push('consignee-mismatch');
  if (!namesMatch(doc.endUser.name, body.endUser.name)) flags.push('end-user-mismatch');

  const totalsSk = deliveredSk(caller.agencyId);
  const { totals, ver } = await readTotals(services.cipher, body.issuer, body.licenseId, await services.store.get('documents', pk, totalsSk));
  for (const it of items) {
    const t = totals[String(it.line)] ?? { delivered: 0, consigneeMismatch: 0, endUserMismatch: 0 };
    totals[String(it.line)] = {
      delivered: t.delivered + it.quantity,
      consigneeMismatch: t.consigneeMismatch + (flags.includes('consignee-mismatch') ? it.quantity : 0),
      endUserMismatch: t.endUserMismatch + (flags.includes('end-user-mismatch') ? it.quantity : 0),
    };
  }

  const recordedAt = isoNow(ctx.now);
  const stored: StoredDelivery = {
    importDeclarationId: body.importDeclarationId, agency: caller.agencyId, date: body.date, lines: items,
    consignee: { name: body.consignee.name }, endUser: { name: body.endUser.name }, ...(body.eucRef ? { eucRef: body.eucRef } : {}),
    version: head.version, flags, recordedAt, canonical,
  };
  const enc = (recSk: string, field: string, value: unknown): Promise<Uint8Array> => encryptDeliveryField(services.cipher, body.issuer, body.licenseId, recSk, field, value);
  return {
    status: 201,
    result: { ...resultOf(stored, body.issuer, body.licenseId), replayed: false },
    writes: [
      { op: 'put', record: { table: 'documents', pk, sk: totalsSk, attrs: { agency: caller.agencyId, totals: await enc(totalsSk, 'totals', totals), ver: (ver ?? 0) + 1 } }, condition: ver === null ? { kind: 'absent' } : { kind: 'version', equals: ver } },
      { op: 'put', record: { table: 'documents', pk, sk, attrs: { importDeclarationId: body.importDeclarationId, agency: caller.agencyId, recordedAt, record: await enc(sk, 'record', stored) } }, condition: { kind: 'absent' } },
      ...await outboxWrites(ctx, [deliveryNotice(body.issuer, body.licenseId, { agency: caller.agencyId, importDeclarationId: body.importDeclarationId, date: body.date, lines: items, flags })]),
    ],
    retryOnConflict: true,
  };
}
