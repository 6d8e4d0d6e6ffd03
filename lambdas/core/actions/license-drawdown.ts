/**
 * `license.drawdown`: customs with `drawdown` records a declaration's quantities against
 * license lines (protocol.md §5). Refused (409) on a license that verification calls invalid
 * (signature, status, validity) or that has expired. All lines or none; no line below zero; idempotent per
 * (issuer, licenseId, caller, declarationId) by the JCS of the body with items sorted by
 * line. Balances are encrypted, so this is read–decrypt–write: the balance is written
 * under its version, proven current against the drawdown markers (balance-binding.ts), the
 * license head is checked unchanged, and the drawdown record, its marker and the audit
 * event commit in the same transaction. The pipeline retries conflicts with
 * jitter until its deadline (outcome.retryOnConflict); exhausted retries answer 503.
 */
import { BALANCE_SK, currentJws, decryptAt, docPk, drawdownSk, encryptAt, HEAD_SK, KINDS } from '../documents.ts';
import { refuse } from '../errors.ts';
import { drawdownNotices } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { trustedPayload } from '../issuer-document.ts';
import type { LicenseDocument } from '../license-document.ts';
import { jcs } from '../merkle.ts';
import { isoNow, today, type ActionContext, type ActionOutcome } from '../services.ts';
import { balanceWrites, currentBalance, nextBalancePlaintext } from './balance-binding.ts';
import { licenseChecks } from './checks.ts';
import { partnerDocument } from './partner-access.ts';

export interface DrawdownBody { issuer: string; licenseId: string; declarationId: string; date: string; items: { line: number; quantity: number }[] }

export interface StoredDrawdown {
  declarationId: string;
  agency: string;
  date: string;
  lines: { line: number; drawn: number }[];
  recordedAt: string;
  /** JCS of the request body, items sorted by line: the idempotency comparison. */
  canonical: string;
  result: { declarationId: string; lines: { line: number; drawn: number; remaining: number }[] };
}

const spec = KINDS.license;

export async function licenseDrawdown(ctx: ActionContext, body: DrawdownBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const { head, balance } = await partnerDocument(ctx, 'license', body.issuer, body.licenseId, 'drawdown');
  const items = [...body.items].sort((a, b) => a.line - b.line);
  if (new Set(items.map((i) => i.line)).size !== items.length) refuse('ERR_BODY_INVALID', 'each line may appear once per declaration', [{ pointer: '/body/items', detail: 'duplicate line' }]);
  const canonical = jcs({ ...body, items });
  const pk = docPk(spec, body.issuer, body.licenseId);
  const sk = drawdownSk(caller.agencyId, body.declarationId);
  ctx.target.details = { declarationId: body.declarationId };

  const prior = await services.store.get('documents', pk, sk);
  if (prior) {
    const stored = JSON.parse((await decryptAt(services.cipher, spec, body.issuer, body.licenseId, prior, 'record'))!) as StoredDrawdown;
    if (stored.canonical !== canonical) refuse('ERR_CONFLICT', `declaration ${body.declarationId} was already recorded with other content`);
    ctx.target.details = { declarationId: body.declarationId, replayed: true };
    return { status: 200, result: { ...stored.result, replayed: true }, writes: [] };
  }

  // Whatever license.verify would call invalid about the license itself (a revoked issuer key,
  // its status, the declaration date) refuses the drawdown, naming the first failed check.
  const doc = trustedPayload(await currentJws(services.cipher, head)) as unknown as LicenseDocument;
  const checks = await licenseChecks(services, head, doc, body.date, 'declaration date');
  if (today(ctx.now) > doc.validUntil) checks.push({ name: 'validity', ok: false, detail: 'license has expired' });
  const failed = checks.find((c) => !c.ok);
  if (failed) refuse('ERR_CONFLICT', `license ${body.licenseId} fails the ${failed.name} check: ${failed.detail}; nothing was drawn`);

  const current = await currentBalance(ctx, head, pk, balance);
  const { drawn } = current;
  const quantities = new Map(doc.items.map((i) => [i.line, i.quantity]));
  const next = { ...drawn };
  const lines: StoredDrawdown['result']['lines'] = [];
  for (const it of items) {
    const quantity = quantities.get(it.line);
    if (quantity === undefined) refuse('ERR_CONFLICT', `line ${it.line} is not on license ${body.licenseId} version ${head.version}`);
    const remaining = quantity - (drawn[String(it.line)] ?? 0);
    if (it.quantity > remaining) refuse('ERR_CONFLICT', `line ${it.line}: ${it.quantity} requested but only ${Math.max(remaining, 0)} remaining; nothing was drawn`);
    next[String(it.line)] = (drawn[String(it.line)] ?? 0) + it.quantity;
    lines.push({ line: it.line, drawn: it.quantity, remaining: remaining - it.quantity });
  }

  const recordedAt = isoNow(ctx.now);
  const result = { declarationId: body.declarationId, lines };
  const stored: StoredDrawdown = { declarationId: body.declarationId, agency: caller.agencyId, date: body.date, lines: lines.map(({ line, drawn: d }) => ({ line, drawn: d })), recordedAt, canonical, result };
  const enc = (recSk: string, field: string, text: string): Promise<Uint8Array> => encryptAt(services.cipher, spec, body.issuer, body.licenseId, recSk, field, text);
  return {
    status: 201,
    result: { ...result, replayed: false },
    writes: [
      { op: 'check', table: 'documents', pk, sk: HEAD_SK, condition: { kind: 'version', equals: head.ver } },
      ...balanceWrites(pk, current, await enc(BALANCE_SK, 'drawn', nextBalancePlaintext(current, next))),
      { op: 'put', record: { table: 'documents', pk, sk, attrs: { declarationId: body.declarationId, agency: caller.agencyId, recordedAt, record: await enc(sk, 'record', JSON.stringify(stored)) } }, condition: { kind: 'absent' } },
      ...await outboxWrites(ctx, drawdownNotices(body.issuer, body.licenseId, caller.agencyId, body.declarationId, body.date, lines, quantities)),
    ],
    retryOnConflict: true,
  };
}
