/**
 * Which denials a caller may screen against (protocol.md §5 "Roles and agreements"): its own, and those of every
 * authority whose `denial` agreement grants it `screen` (matches only) or `read` (matches and the document),
 * unexpired. The grants are found through the registry's `inverted` index (partition `GRANT#denial#<caller>`),
 * which is eventually consistent: a grant or a withdrawal takes effect once the index has it (typically within a
 * second; docs/performance.md).
 */
import { agreementFromRecord, GRANT_PREFIX } from '../agreements.ts';
import { grants } from '../policy.ts';
import { today, type ActionContext } from '../services.ts';

export type Access = 'own' | 'read' | 'screen';

export async function denialAccess(ctx: ActionContext): Promise<Map<string, Access>> {
  const me = ctx.caller.agencyId;
  const day = today(ctx.now);
  const access = new Map<string, Access>([[me, 'own']]);
  let next: string | undefined;
  // One entry per authority that granted the caller anything on its denials: a page or two, whatever the traffic.
  do {
    const page = await ctx.services.store.queryIndex('registry', { index: 'inverted', partition: `${GRANT_PREFIX}denial#${me}`, limit: 100, ...(next ? { next } : {}) });
    for (const rec of page.records) {
      const a = agreementFromRecord(rec);
      if (grants(a, 'read', day)) access.set(a.owner, 'read');
      else if (grants(a, 'screen', day)) access.set(a.owner, 'screen');
    }
    next = page.next;
  } while (next);
  return access;
}
