// screening.check (protocol.md §5, docs/screening.md): what a caller may see, what a match says, freshness, audit.
import { beforeEach, describe, expect, it } from 'vitest';
import { checkDenial } from '../../lambdas/client/document-check.ts';
import { agencyJwks } from '../../lambdas/core/agencies.ts';
import { denialDoc, notify } from '../helpers/denials.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let bafa: TestAgency;
let fr: TestAgency;
let douane: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  fr = await x.agency('FR-SBDU', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  expect((await notify(x, bafa)).status).toBe(201);
});

const grant = (partner: string, permissions: string[], extra: Record<string, unknown> = {}) => x.call(bafa, 'agreement.put', { partner, documentType: 'denial', permissions, ...extra });
const screen = (as: TestAgency, parties: Record<string, unknown>[], items?: Record<string, unknown>[]) => x.call(as, 'screening.check', { parties, ...(items ? { items } : {}) });
const PARS = { name: 'PARS OPTRONIC INDUSTRIES', country: 'IR' };

describe('screening.check: who sees what', () => {
  it('without an agreement nothing of another authority is screened; the issuer screens its own', async () => {
    const a = await screen(douane, [PARS]);
    expect(a.status).toBe(200);
    expect(a.result).toEqual({ threshold: 0.8, denialsScreened: 0, parties: [{ index: 0, matches: [], omitted: 0, truncated: false }], denials: [] });
    const own = await screen(bafa, [PARS]);
    expect((own.result.parties as { matches: unknown[] }[])[0]!.matches).toHaveLength(1);
    expect((own.result.denials as { access: string; document?: string }[])[0]).toMatchObject({ access: 'own', document: expect.stringMatching(/^ey/) });
  });

  it('with screen: matches (denial, listed party, role, score, what matched), never the document', async () => {
    await grant('NL-DOUANE', ['screen']);
    const a = await screen(douane, [{ ...PARS, reference: 'decl-7' }, { name: 'Gulf Star Trading', country: 'AE', address: 'Jebel Ali Free Zone' }, { name: 'Straits Photonics Lab', country: 'SG' }], [{ controlCode: '6A003' }, { controlCode: '9A012' }]);
    expect(a.result.denialsScreened).toBe(1);
    const parties = a.result.parties as { index: number; reference?: string; matches: Record<string, unknown>[] }[];
    expect(parties[0]).toMatchObject({ index: 0, reference: 'decl-7' });
    expect(parties[0]!.matches).toEqual([{
      issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', version: 1, party: 0, role: 'end-user', score: 1,
      matched: ['nameKey', 'country'], detail: 'the name is the same (protocol name key); same country', overlappingItems: [0],
    }]);
    expect(parties[1]!.matches[0]).toMatchObject({ party: 1, role: 'intermediary', matched: ['tokens', 'address', 'country'], score: 1 });
    expect(parties[2]!.matches).toEqual([]);
    expect(a.result.denials).toEqual([{ issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', version: 1, digest: expect.any(String), validUntil: '2029-11-09', access: 'screen' }]);
    expect(JSON.stringify(a.result)).not.toMatch(/Azadi|targeting|Uncooled/);
  });

  it('with read: the document as the issuer signed it, which checks offline against the issuer JWKS', async () => {
    await grant('NL-DOUANE', ['read']);
    const a = await screen(douane, [{ name: 'Pars Optronics', country: 'IR' }]);
    const d = (a.result.denials as { document: string; digest: string }[])[0]!;
    const check = await checkDenial(d.document, 'DE-BAFA', agencyJwks((await x.services.directory.get('DE-BAFA'))!) as never);
    expect(check).toMatchObject({ ok: true, payload: { denialId: 'DE-DEN-2026-0042' } });
    expect(d.digest).toBe(Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(d.document))).toString('base64url'));
  });

  it('an agreement past its validUntil, an expired denial and a revoked one screen nothing', async () => {
    await grant('NL-DOUANE', ['screen'], { validUntil: '2026-11-21' });
    expect((await screen(douane, [PARS])).result.denialsScreened).toBe(0);
    await grant('NL-DOUANE', ['screen']);
    expect((await screen(douane, [PARS])).result.denialsScreened).toBe(1);
    x.time = Date.parse('2029-11-10T00:00:00Z');
    expect((await screen(douane, [PARS])).result.denialsScreened).toBe(0);
    x.time = Date.parse('2026-11-22T10:00:00Z');
    await x.call(bafa, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'r' });
    const a = await screen(douane, [PARS]);
    expect([a.result.denialsScreened, (a.result.parties as { matches: unknown[] }[])[0]!.matches]).toEqual([0, []]);
  });
});

describe('screening.check: variant spellings and freshness', () => {
  beforeEach(async () => {
    await grant('NL-DOUANE', ['screen']);
  });

  it('finds a denied party through a variant spelling (look-alike letters, legal form, word order, typing error)', async () => {
    const a = await screen(douane, [
      { name: 'Pаrs Optronic Industries LLC', country: 'IR' }, // Cyrillic а
      { name: 'Industries Pars Optronik', country: 'TR' },
      { name: 'Unrelated Optics Trading', country: 'IR' },
    ]);
    const parties = a.result.parties as { matches: { score: number; matched: string[] }[] }[];
    expect(parties[0]!.matches[0]).toMatchObject({ matched: ['tokens', 'country'] });
    expect(parties[1]!.matches[0]).toMatchObject({ matched: ['fuzzy'] });
    expect(parties[1]!.matches[0]!.score).toBeGreaterThanOrEqual(0.8);
    expect(parties[2]!.matches).toEqual([]);
  });

  it('a denial notified, amended or revoked shows in the very next screening', async () => {
    const fresh = denialDoc({ denialId: 'DE-DEN-2026-0043', parties: [{ role: 'consignee', name: 'Caspian Precision Machinery', country: 'IR' }] });
    expect((await screen(douane, [{ name: 'Caspian Precision Machinery', country: 'IR' }])).result.denials).toEqual([]);
    await notify(x, bafa, fresh);
    expect((await screen(douane, [{ name: 'Caspian Precision Machinery', country: 'IR' }])).result.denials).toHaveLength(1);
    await notify(x, bafa, { ...fresh, version: 2, parties: [{ role: 'consignee', name: 'Kavir Machine Tools', country: 'IR' }] });
    const after = await screen(douane, [{ name: 'Caspian Precision Machinery', country: 'IR' }, { name: 'Kavir Machine Tools', country: 'IR' }]);
    expect((after.result.parties as { matches: { version: number }[] }[]).map((p) => p.matches.map((m) => m.version))).toEqual([[], [2]]);
  });

  it('the audit event counts parties and matches and carries a digest of the query, never a name', async () => {
    await screen(douane, [PARS, { name: 'Someone Else', country: 'DE' }], [{ controlCode: '6A003' }]);
    const e = x.auditEvents().at(-1)!;
    expect(e).toMatchObject({ action: 'screening.check', actor: 'NL-DOUANE', owner: 'NL-DOUANE', resource: 'screening:NL-DOUANE', decision: 'allow', status: 200 });
    expect(e.details).toEqual({ parties: 2, items: 1, matches: 1, denialsMatched: 1, denialsScreened: 1, queryDigest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(JSON.stringify(e)).not.toMatch(/PARS|Someone/i);
  });
});

describe('screening.check: refusals', () => {
  it('an auditor or euc issuer may not screen; more than 100 parties or an unknown member is 400', async () => {
    const aud = await x.agency('DE-BFDI', ['auditor']);
    await expectRefusal(x, () => screen(aud, [PARS]), 403, 'role-forbidden');
    const parties = Array.from({ length: 101 }, () => PARS);
    await expectRefusal(x, () => screen(douane, parties), 400, 'body-invalid');
    const a = await screen(douane, [{ ...PARS, dateOfBirth: '1970-01-01' }]);
    expect([a.status, a.problem.errors]).toEqual([400, [{ pointer: '/body/parties/0/dateOfBirth', detail: 'unknown member (schemas are closed)' }]]);
  });

  it('a party with nothing to match still gets its answer; fr (no agreement) screens only its own', async () => {
    expect((await notify(x, fr, denialDoc({ issuer: 'FR-SBDU', denialId: 'FR-D-1' }))).status).toBe(201);
    const a = await screen(fr, [PARS]);
    expect((a.result.parties as { matches: { issuer: string }[] }[])[0]!.matches.map((m) => m.issuer)).toEqual(['FR-SBDU']);
  });
});
