/**
 * `euc.query`: customs or a licensing authority with `verify` confirms a partner's end-use
 * certificate — authenticity, status, validity, and optionally the end user and items —
 * and gets the digest; with `read` also the issuer-signed document.
 */
import { currentJws } from '../documents.ts';
import { trustedPayload } from '../issuer-document.ts';
import { today, type ActionContext, type ActionOutcome } from '../services.ts';
import { nameCheck, signatureCheck, statusCheck, type Check } from './checks.ts';
import { partnerDocument } from './partner-access.ts';

interface EucDocument {
  issuedAt: string;
  validUntil: string;
  endUser: { name: string };
  items: { controlCode?: string; quantity: number }[];
}

export interface EucQueryBody {
  issuer: string;
  eucId: string;
  check?: { endUser?: { name: string }; items?: { controlCode?: string; quantity: number }[] };
}

export async function eucQuery(ctx: ActionContext, body: EucQueryBody): Promise<ActionOutcome> {
  const { services } = ctx;
  const { head, canRead } = await partnerDocument(ctx, 'euc', body.issuer, body.eucId, 'verify');
  const jws = await currentJws(services.cipher, head);
  const doc = trustedPayload(jws) as unknown as EucDocument;
  const day = today(ctx.now);
  const valid = doc.issuedAt.slice(0, 10) <= day && day <= doc.validUntil;
  const checks: Check[] = [
    await signatureCheck(services, body.issuer, head.kid, head.issuedAt),
    statusCheck('certificate', head.status),
    { name: 'validity', ok: valid, ...(valid ? {} : { detail: 'certificate is not valid today' }) },
  ];
  if (body.check?.endUser) checks.push(nameCheck('endUser', doc.endUser.name, body.check.endUser.name));
  if (body.check?.items) checks.push(itemsCheck(doc.items, body.check.items));
  const outcome = checks.every((c) => c.ok) ? 'valid' : 'invalid';
  ctx.target.details = { outcome, version: head.version };
  const result: Record<string, unknown> = { outcome, checks, eucDigest: head.digest, version: head.version };
  if (canRead) result.document = jws;
  return { status: 200, result, writes: [] };
}

/**
 * Each asked item is covered by the certificate: with a control code, the certificate's
 * items of that code together; without one, all its items together. Asked items of the
 * same code are added up first.
 */
function itemsCheck(certified: EucDocument['items'], asked: { controlCode?: string; quantity: number }[]): Check {
  const wanted = new Map<string | undefined, number>();
  for (const a of asked) wanted.set(a.controlCode, (wanted.get(a.controlCode) ?? 0) + a.quantity);
  const short: string[] = [];
  for (const [code, qty] of wanted) {
    const covered = certified.filter((c) => code === undefined || c.controlCode === code).reduce((s, c) => s + c.quantity, 0);
    if (covered < qty) short.push(`${code ?? 'all items'}: asked ${qty}, more than the certificate covers`);
  }
  return { name: 'items', ok: short.length === 0, ...(short.length ? { detail: short.join('; ') } : {}) };
}
