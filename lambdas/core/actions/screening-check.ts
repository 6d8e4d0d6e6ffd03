/**
 * `screening.check`: a licensing authority or customs screens up to 100 parties, and optionally the items, against
 * every active denial it may see (protocol.md §5; docs/screening.md). The index is brought up to date from the
 * screening feed first (screening-cache.ts: a 503 while a cold process is still reading a large feed). Each party
 * gets its matches, best first, each naming the denial, the listed party's role, a score and what matched; each
 * denial matched is listed once, with its issuer-signed document for the caller's own and for `read` (up to 1 MB
 * of documents per answer). The audit event counts parties and matches and carries a digest of the query, never
 * a name.
 */
import { denialVersionJws } from '../denials.ts';
import { CorridorError } from '../errors.ts';
import { jcs, sha256b64url } from '../merkle.ts';
import { type ScreenedDenial } from '../screening/name-index.ts';
import { MATCH_THRESHOLD, screenParty, type PartyMatch, type ScreenedItem, type ScreenedParty } from '../screening/screen.ts';
import { screeningCache } from '../screening/screening-cache.ts';
import { denialAccess, type Access } from '../screening/visibility.ts';
import { today, type ActionContext, type ActionOutcome } from '../services.ts';

export interface ScreeningBody { parties: (ScreenedParty & { reference?: string })[]; items?: ScreenedItem[] }

/** Documents one answer carries at most: their bytes, and how many are read (the rest are named, `documentWithheld`). */
const DOCUMENT_BYTES = 1024 * 1024;
const DOCUMENT_READS = 100;

export async function screeningCheck(ctx: ActionContext, body: ScreeningBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const me = caller.agencyId;
  ctx.target.resource = `screening:${me}`;
  ctx.target.owner = me;
  const access = await denialAccess(ctx);
  const cache = screeningCache(services);
  const day = today(ctx.now);
  const fresh = await cache.refresh(day);
  if (!fresh.complete) {
    throw new CorridorError('ERR_DEPENDENCY_FAILED', `the screening index is still loading (${fresh.behind} denial changes to read); nothing was screened, retry with a new jti`, undefined, 1);
  }
  const index = cache.current;
  const visible = (d: ScreenedDenial): boolean => access.has(d.issuer) && day <= d.validUntil;
  const items = body.items ?? [];

  const matched = new Map<number, PartyMatch>();
  let matchCount = 0;
  const parties = body.parties.map((p, i) => {
    const r = screenParty(index, p, items, visible);
    matchCount += r.matches.length + r.omitted;
    for (const m of r.matches) if (!matched.has(m.slot)) matched.set(m.slot, m);
    return {
      index: i,
      ...(p.reference ? { reference: p.reference } : {}),
      matches: r.matches.map((m) => ({
        issuer: m.denial.issuer, denialId: m.denial.denialId, version: m.denial.version, party: m.party,
        role: m.denial.parties[m.party]!.role, score: m.score, matched: m.matched, detail: m.detail,
        ...(m.overlappingItems.length ? { overlappingItems: m.overlappingItems } : {}),
      })),
      omitted: r.omitted,
      truncated: r.truncated,
    };
  });

  let documentBytes = 0;
  let reads = 0;
  const denials = [];
  for (const { denial: d } of matched.values()) {
    const how = access.get(d.issuer) as Access;
    const entry: Record<string, unknown> = { issuer: d.issuer, denialId: d.denialId, version: d.version, digest: d.digest, validUntil: d.validUntil, access: how };
    if (how !== 'screen') {
      // The version that matched, as it was signed (a later amendment is screened on the next call).
      const jws = reads < DOCUMENT_READS && documentBytes < DOCUMENT_BYTES ? (reads++, await denialVersionJws(services.store, services.cipher, d.issuer, d.denialId, d.version)) : null;
      if (jws && documentBytes + jws.length <= DOCUMENT_BYTES) {
        entry.document = jws;
        documentBytes += jws.length;
      } else entry.documentWithheld = true;
    }
    denials.push(entry);
  }
  const denialsScreened = index.count(visible);
  ctx.target.details = {
    parties: body.parties.length, items: items.length, matches: matchCount, denialsMatched: denials.length,
    denialsScreened, queryDigest: sha256b64url(jcs({ parties: body.parties, items })),
  };
  return { status: 200, result: { threshold: MATCH_THRESHOLD, denialsScreened, parties, denials }, writes: [] };
}
