// Authorization attacks (protocol.md §1 roles, §3 403-before-404, §5 who may call what, §6 audit scope;
// decisions "Order of checks" 8–10, "Agreements", "Audit actions"): one agency against another's
// documents, self-granted roles, the operator, non-auditors, and stolen or forged audit cursors.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { allEvents, sealNow } from '../helpers/audit.ts';
import { makeKey } from '../helpers/keys.ts';
import { eucDoc, licenseDoc, publish, publishEuc, shipment } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { claims, hdr, sealTolerant, signedBy } from './kit.ts';
import { expectNoPlaintextAtRest } from './at-rest.ts';

let raw: TestExchange;
let x: TestExchange; // the same exchange; its auditEvents() tolerates seal records (audit.proof tests seal)
let bafa: TestAgency;
let fr: TestAgency;
let douane: TestAgency;
let zoll: TestAgency;
let mti: TestAgency;
let miti: TestAgency;
let deAud: TestAgency;
let deAud2: TestAgency;
let sgAud: TestAgency;
let allAud: TestAgency;

const LIC = 'DE-2026-000123';
const verifyBody = (over: Record<string, unknown> = {}) => ({ issuer: 'DE-BAFA', licenseId: LIC, shipment: shipment(), ...over });
const drawBody = (over: Record<string, unknown> = {}) => ({ issuer: 'DE-BAFA', licenseId: LIC, declarationId: `D-${randomBytes(4).toString('hex')}`, date: '2026-11-22', items: [{ line: 1, quantity: 1 }], ...over });
const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
async function refusedWith(send: () => Promise<Answer>, status: number, slug: string): Promise<Answer> {
  let a!: Answer;
  await refused(async () => (a = await send()), status, slug);
  return a;
}
const pointers = (a: Answer) => (a.problem.errors ?? []).map((e) => e.pointer);
const head = async (pk: string) => (await raw.store.get('documents', pk, 'CUR#HEAD'))?.attrs;

beforeAll(async () => {
  raw = await TestExchange.create();
  x = sealTolerant(raw);
  bafa = await raw.agency('DE-BAFA', ['licensing']);
  fr = await raw.agency('FR-SBDU', ['licensing']);
  douane = await raw.agency('NL-DOUANE', ['customs']);
  zoll = await raw.agency('AT-ZOLL', ['customs']);
  mti = await raw.agency('SG-MTI', ['euc-issuer']);
  miti = await raw.agency('MY-MITI', ['euc-issuer']);
  deAud = await raw.agency('DE-BFDI', ['auditor']);
  deAud2 = await raw.agency('DE-BRH', ['auditor']);
  sgAud = await raw.agency('SG-AGO', ['auditor']);
  allAud = await raw.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  expect((await publish(raw, bafa)).status).toBe(201);
  expect((await publish(raw, fr, licenseDoc({ issuer: 'FR-SBDU', licenseId: 'FR-2026-1' }))).status).toBe(201);
  expect((await publishEuc(raw, mti)).status).toBe(201);
  expect((await raw.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] })).status).toBe(201);
  expect((await raw.call(bafa, 'agreement.put', { partner: 'AT-ZOLL', documentType: 'license', permissions: ['verify', 'drawdown'] })).status).toBe(201);
});

describe("another agency's documents", () => {
  it("license.status on another licensing agency's license → 404 (looked up under the caller), the license untouched", async () => {
    const before = await head(`LICENSE#DE-BAFA#${LIC}`);
    await refused(() => x.call(fr, 'license.status', { licenseId: LIC, status: 'revoked', reason: 'hostile' }), 404, 'not-found');
    expect(await head(`LICENSE#DE-BAFA#${LIC}`)).toEqual(before);
    // an id the caller also happens to use for itself is its own: same id, other owner, other record
    await refused(() => x.call(fr, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'x' }), 404, 'not-found');
  });

  it('naming the other issuer in the body is no way around it → 400 body-invalid at /body/issuer', async () => {
    const a = await refusedWith(() => x.call(fr, 'license.status', { issuer: 'DE-BAFA', licenseId: LIC, status: 'revoked', reason: 'hostile' }), 400, 'body-invalid');
    expect(pointers(a)).toContain('/body/issuer');
    const b = await refusedWith(() => x.call(fr, 'license.drawdowns', { issuer: 'DE-BAFA', licenseId: LIC }), 400, 'body-invalid');
    expect(pointers(b)).toContain('/body/issuer');
  });

  it("license.drawdowns of another agency's license → 404", async () => {
    expect((await x.call(zoll, 'license.drawdown', drawBody())).status).toBe(201);
    await refused(() => x.call(fr, 'license.drawdowns', { licenseId: LIC }), 404, 'not-found');
    const own = await x.call(bafa, 'license.drawdowns', { licenseId: LIC });
    expect((own.result.drawdowns as unknown[]).length).toBeGreaterThan(0);
  });

  it('license.status / drawdowns by agencies without the licensing role → 403 role-forbidden', async () => {
    await refused(() => x.call(douane, 'license.status', { licenseId: LIC, status: 'revoked', reason: 'x' }), 403, 'role-forbidden');
    await refused(() => x.call(mti, 'license.status', { licenseId: LIC, status: 'revoked', reason: 'x' }), 403, 'role-forbidden');
    await refused(() => x.call(zoll, 'license.drawdowns', { licenseId: LIC }), 403, 'role-forbidden');
  });

  it("euc.status on another issuer's certificate → 404; by a licensing agency → 403", async () => {
    await refused(() => x.call(miti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'revoked', reason: 'hostile' }), 404, 'not-found');
    await refused(() => x.call(fr, 'euc.status', { eucId: 'SG-EUC-88121', status: 'revoked', reason: 'hostile' }), 403, 'role-forbidden');
  });

  it("re-posting another agency's signed license → 400 document-invalid; signing one in its name → 403 forbidden; the original stays", async () => {
    const before = await head(`LICENSE#DE-BAFA#${LIC}`);
    const bafaJws = await signDocument(bafa.privateJwk, 'corridor-license+jws', licenseDoc({ version: 9 }));
    await refused(() => x.call(fr, 'license.publish', { document: bafaJws }), 400, 'document-invalid');
    await refused(() => publish(x, fr, licenseDoc({ version: 9 })), 403, 'forbidden'); // issuer DE-BAFA, signed by FR
    expect(await head(`LICENSE#DE-BAFA#${LIC}`)).toEqual(before);
  });

  it('drawdown with only the verify permission → 403 no-agreement; nothing drawn', async () => {
    await refused(() => x.call(douane, 'license.drawdown', drawBody()), 403, 'no-agreement');
  });

  it('no agreement → 403 before 404, with the same answer whether the document exists or not', async () => {
    const exists = await refusedWith(() => x.call(douane, 'license.drawdown', drawBody()), 403, 'no-agreement');
    const missing = await refusedWith(() => x.call(douane, 'license.drawdown', drawBody({ licenseId: 'DE-NOPE-1' })), 403, 'no-agreement');
    expect(missing.problem.detail).toBe(exists.problem.detail);
    await refused(() => x.call(zoll, 'license.drawdown', drawBody({ licenseId: 'DE-NOPE-1' })), 404, 'not-found'); // with drawdown it may know
  });

  it("an agreement is per owner: DE-BAFA's grant to AT-ZOLL opens nothing of FR-SBDU's", async () => {
    await refused(() => x.call(zoll, 'license.verify', verifyBody({ issuer: 'FR-SBDU', licenseId: 'FR-2026-1' })), 403, 'no-agreement');
    await refused(() => x.call(zoll, 'license.drawdown', drawBody({ issuer: 'FR-SBDU', licenseId: 'FR-2026-1' })), 403, 'no-agreement');
  });

  it('euc.query without an agreement → 403 before 404, same answer for an existing and a missing certificate', async () => {
    const exists = await refusedWith(() => x.call(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' }), 403, 'no-agreement');
    const missing = await refusedWith(() => x.call(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-NOPE' }), 403, 'no-agreement');
    expect(missing.problem.detail).toBe(exists.problem.detail);
    // a license agreement from DE-BAFA says nothing about anyone's certificates
    await refused(() => x.call(douane, 'euc.query', { issuer: 'DE-BAFA', eucId: 'SG-EUC-88121' }), 403, 'no-agreement');
    // once granted: 404 for the missing one, 200 for the existing one
    expect((await x.call(mti, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['verify'] })).status).toBe(201);
    await refused(() => x.call(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-NOPE' }), 404, 'not-found');
    const ok = await x.call(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' });
    expect([ok.status, ok.result.document]).toEqual([200, undefined]);
    expect((await x.call(mti, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: [] })).status).toBe(200);
    await refused(() => x.call(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' }), 403, 'no-agreement');
  });

  it('an agreement past its validUntil grants nothing (inclusive date)', async () => {
    const pl = await raw.agency('PL-KAS', ['customs']);
    expect((await x.call(bafa, 'agreement.put', { partner: 'PL-KAS', documentType: 'license', permissions: ['verify'], validUntil: '2026-11-21' })).status).toBe(201);
    await refused(() => x.call(pl, 'license.verify', verifyBody()), 403, 'no-agreement');
    expect((await x.call(bafa, 'agreement.put', { partner: 'PL-KAS', documentType: 'license', permissions: ['verify'], validUntil: '2026-11-22' })).status).toBe(200);
    expect((await x.call(pl, 'license.verify', verifyBody())).status).toBe(200);
  });
});

describe('roles claimed by the caller', () => {
  it('a roles claim (or role / scope) in the payload → 401 claims-invalid', async () => {
    for (const extra of [{ roles: ['licensing'] }, { role: 'licensing' }, { scope: 'licensing' }, { roles: ['operator'], act: 'agency.register' }]) {
      const doc = { document: 'a.b.c' };
      const act: ActionName = (extra as { act?: ActionName }).act ?? 'license.publish';
      await refused(() => x.send(act, signedBy(douane, hdr(douane), { ...claims(x, douane, act, doc), ...extra })), 401, 'claims-invalid');
    }
  });

  it('roles in the protected header → 401 header-invalid', async () => {
    await refused(() => x.send('license.publish', signedBy(douane, hdr(douane, { roles: ['licensing'] }), claims(x, douane, 'license.publish', { document: 'a.b.c' }))), 401, 'header-invalid');
  });

  it('roles in a body → 400 body-invalid at /body/roles (never stripped, never honoured)', async () => {
    const a = await refusedWith(() => x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read'], roles: ['operator'] }), 400, 'body-invalid');
    expect(pointers(a)).toContain('/body/roles');
    const b = await refusedWith(() => x.call(douane, 'agency.keys', { retire: ['nope'], roles: ['operator'] }), 400, 'body-invalid');
    expect(pointers(b)).toContain('/body/roles');
    const c = await refusedWith(() => x.call(deAud, 'audit.query', { auditScope: 'all' }), 400, 'body-invalid');
    expect(pointers(c)).toContain('/body/auditScope');
  });

  it('an agency giving itself roles through agency.register → 403 role-forbidden (role before schema)', async () => {
    await refused(() => x.call(douane, 'agency.register', { agencyId: 'NL-DOUANE', roles: ['customs', 'licensing', 'operator'] }), 403, 'role-forbidden');
    await refused(() => x.call(deAud, 'agency.register', { agencyId: 'DE-BFDI', auditScope: 'all' }), 403, 'role-forbidden');
    await refused(() => x.call(douane, 'agency.register', { junk: true }), 403, 'role-forbidden');
  });

  it('an agency cannot add a key to another agency through agency.keys (there is no target member)', async () => {
    const k = await makeKey('evil-1');
    const a = await refusedWith(() => x.call(douane, 'agency.keys', { agencyId: 'DE-BAFA', add: [{ kid: 'evil-1', jwk: k.publicJwk }] }), 400, 'body-invalid');
    expect(pointers(a)).toContain('/body/agencyId');
  });
});

describe('agreement.put by the wrong party', () => {
  const put = (as: TestAgency, body: Record<string, unknown>) => x.call(as, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read', 'drawdown'], ...body });

  it("a customs agency granting itself access to another agency's licenses → 403 role-forbidden, whatever the body says", async () => {
    await refused(() => put(douane, {}), 403, 'role-forbidden');
    await refused(() => put(douane, { owner: 'DE-BAFA' }), 403, 'role-forbidden');
    await refused(() => put(zoll, { partner: 'AT-ZOLL', owner: 'DE-BAFA' }), 403, 'role-forbidden');
    await refused(() => put(douane, { documentType: 'euc', permissions: ['read'] }), 403, 'role-forbidden');
    // the verify-only grant from DE-BAFA is unchanged: still no drawdown
    await refused(() => x.call(douane, 'license.drawdown', drawBody()), 403, 'no-agreement');
  });

  it("a licensing agency naming another owner → 400 body-invalid at /body/owner", async () => {
    const a = await refusedWith(() => put(fr, { owner: 'DE-BAFA' }), 400, 'body-invalid');
    expect(pointers(a)).toContain('/body/owner');
  });

  it('a licensing agency granting on end-use certificates (it owns none) → 403 role-forbidden', async () => {
    await refused(() => put(fr, { documentType: 'euc', permissions: ['verify', 'read'] }), 403, 'role-forbidden');
  });

  it('an agency granting itself → 400 body-invalid at /body/partner', async () => {
    const a = await refusedWith(() => put(fr, { partner: 'FR-SBDU' }), 400, 'body-invalid');
    expect(pointers(a)).toContain('/body/partner');
  });

  it("a grant by FR-SBDU opens only FR-SBDU's licenses", async () => {
    expect((await put(fr, {})).status).toBe(201);
    const own = await x.call(douane, 'license.verify', verifyBody({ issuer: 'FR-SBDU', licenseId: 'FR-2026-1' }));
    expect([own.status, typeof own.result.document]).toEqual([200, 'string']);
    const other = await x.call(douane, 'license.verify', verifyBody());
    expect([other.status, other.result.document]).toEqual([200, undefined]); // DE-BAFA granted verify only
    await refused(() => x.call(douane, 'license.drawdown', drawBody()), 403, 'no-agreement');
    expect((await put(fr, { permissions: [] })).status).toBe(200);
  });
});

describe('agreement.list shows an agency only the agreements it is a party to', () => {
  it("each party sees its side, nobody sees another pair's agreement; auditors → 403 role-forbidden", async () => {
    const parties = async (as: TestAgency) => ((await x.call(as, 'agreement.list', { limit: 500 })).result.agreements as { owner: string; partner: string }[]).map((a) => `${a.owner}>${a.partner}`);
    const zollSees = await parties(zoll);
    expect(zollSees).toContain('DE-BAFA>AT-ZOLL');
    expect(zollSees.every((p) => p.endsWith('>AT-ZOLL'))).toBe(true);
    expect((await parties(bafa)).every((p) => p.startsWith('DE-BAFA>'))).toBe(true);
    expect(await parties(miti)).toEqual([]); // an owner that granted nothing, though others did
    // a body naming another agency is no way around it: schemas are closed
    const a = await refusedWith(() => x.call(zoll, 'agreement.list', { partner: 'NL-DOUANE' }), 400, 'body-invalid');
    expect(pointers(a)).toContain('/body/partner');
    for (const auditor of [deAud, allAud]) await refused(() => x.call(auditor, 'agreement.list', {}), 403, 'role-forbidden');
  });
});

describe('the operator sees no documents and grants nothing', () => {
  it.each([
    ['license.verify', () => verifyBody()],
    ['license.drawdown', () => drawBody()],
    ['license.drawdowns', () => ({ licenseId: LIC })],
    ['license.status', () => ({ licenseId: LIC, status: 'revoked', reason: 'operator' })],
    ['license.publish', () => ({ document: 'a.b.c' })],
    ['agreement.put', () => ({ partner: 'NL-DOUANE', documentType: 'license', permissions: ['read'] })],
    ['agreement.list', () => ({})],
    ['euc.query', () => ({ issuer: 'SG-MTI', eucId: 'SG-EUC-88121' })],
    ['euc.status', () => ({ eucId: 'SG-EUC-88121', status: 'revoked', reason: 'operator' })],
    ['euc.publish', () => ({ document: 'a.b.c' })],
    ['audit.query', () => ({})],
  ] as const)('operator → %s → 403 role-forbidden', async (act, body) => {
    await refused(() => x.call(x.operator, act, body()), 403, 'role-forbidden');
  });
});

describe('audit actions are for auditors only', () => {
  const bodies = { 'audit.query': {}, 'audit.proof': { eventId: `ev-${'A'.repeat(43)}` }, 'audit.seals': { fromSeq: 0 } } as const;
  it.each(
    (['licensing (DE-BAFA)', 'euc-issuer (SG-MTI)', 'operator', 'customs (AT-ZOLL)'] as const).flatMap((who) => (Object.keys(bodies) as (keyof typeof bodies)[]).map((act) => [who, act] as const)),
  )('%s → %s → 403 role-forbidden', async (who, act) => {
    const as = who === 'operator' ? x.operator : who.startsWith('licensing') ? bafa : who.startsWith('euc') ? mti : zoll;
    await refused(() => x.call(as, act, bodies[act]), 403, 'role-forbidden');
  });
});

describe('audit scope and cursors', () => {
  const Q = { from: '2026-11-22T00:00:00Z', limit: 1 };
  const inDE = (e: AuditEvent) => e.actor?.slice(0, 2) === 'DE' || e.owner?.slice(0, 2) === 'DE';
  const cursorOf = async (as: TestAgency, body: Record<string, unknown> = Q) => {
    const a = await x.call(as, 'audit.query', body);
    expect(a.status).toBe(200);
    expect(a.result.cursor).toEqual(expect.any(String));
    return a.result.cursor as string;
  };
  const cursorRefused = async (as: TestAgency, cursor: string, body: Record<string, unknown> = Q) => {
    const a = await refusedWith(() => x.call(as, 'audit.query', { ...body, cursor }), 400, 'body-invalid');
    expect(a.claims.result).toBeUndefined();
    expect(pointers(a)).toEqual(['/body/cursor']);
  };

  beforeAll(async () => {
    // traffic of several countries, and an unauthenticated request that only *claims* to be DE-BAFA
    for (let i = 0; i < 3; i++) {
      await x.call(douane, 'license.verify', verifyBody());
      await x.call(mti, 'agreement.put', { partner: 'AT-ZOLL', documentType: 'euc', permissions: i % 2 ? [] : ['verify'] });
    }
    const forged = signedBy(douane, hdr(douane, { kid: 'de-bafa-1' }), claims(x, bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['read'] }));
    expect((await x.send('agreement.put', forged)).problem.type).toBe('urn:corridor:problem:signature-invalid');
  });

  it("an SG auditor's cursor replayed by the DE auditor → 400 at /body/cursor", async () => {
    await cursorRefused(deAud, await cursorOf(sgAud));
  });

  it("the all-scope auditor's cursor replayed by an own-scope auditor → 400 at /body/cursor", async () => {
    await cursorRefused(deAud, await cursorOf(allAud));
  });

  it("another auditor of the same country cannot use it either (bound to the caller, not the country)", async () => {
    await cursorRefused(deAud2, await cursorOf(deAud));
  });

  it('forged cursors → 400 at /body/cursor', async () => {
    const mine = await cursorOf(deAud);
    const mid = Math.floor(mine.length / 2);
    // flip the top bit of one base64url digit: always a data bit, even in the last digit
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flip = (s: string, i: number) => `${s.slice(0, i)}${B64[B64.indexOf(s[i]!) ^ 32]}${s.slice(i + 1)}`;
    for (const forged of [randomBytes(120).toString('base64url'), flip(mine, mid), flip(mine, 0), flip(mine, mine.length - 1), mine.slice(0, mid), `${mine}${mine}`, 'A']) {
      await cursorRefused(deAud, forged);
    }
  });

  it('its own cursor with other filters → 400 at /body/cursor', async () => {
    const mine = await cursorOf(deAud);
    await cursorRefused(deAud, mine, { ...Q, from: '2026-11-21T00:00:00Z' });
    await cursorRefused(deAud, mine, { ...Q, actor: 'SG-MTI' });
  });

  it('paging its own cursor, an own-scope auditor never sees an event outside its country', async () => {
    const existing = x.auditEvents().filter(inDE).map((e) => e.id);
    const seen: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const a: Answer = await x.call(deAud, 'audit.query', { ...Q, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(a.status).toBe(200);
      seen.push(...(a.result.events as AuditEvent[]));
      cursor = a.result.cursor as string | null;
    } while (cursor);
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.filter((e) => !inDE(e))).toEqual([]);
    // and nothing of its country is missing: every DE event that existed before paging was returned
    expect(seen.map((e) => e.id)).toEqual(expect.arrayContaining(existing));
    // the forged "DE-BAFA" request (claimed, never authenticated) is in no DE scope
    expect(seen.some((e) => e.claimedIssuer === 'DE-BAFA' && !e.actor)).toBe(false);
    expect(x.auditEvents().some((e) => e.claimedIssuer === 'DE-BAFA' && !e.actor)).toBe(true);
  });

  it('filters naming other countries still return only in-scope events', async () => {
    for (const filter of [{ actor: 'SG-MTI' }, { owner: 'SG-MTI' }, { actor: 'NL-DOUANE' }, { decision: 'deny' }, { resource: 'agreement:SG-MTI/euc/AT-ZOLL' }]) {
      const events = await allEvents(x, deAud, filter);
      expect(events.filter((e) => !inDE(e))).toEqual([]);
    }
    expect((await allEvents(x, deAud, { actor: 'NL-DOUANE' })).length).toBeGreaterThan(0); // its verifications of DE-BAFA's license
    expect(await allEvents(x, deAud, { actor: 'SG-MTI', owner: 'SG-MTI' })).toEqual([]);
  });

  it('audit.proof of an event outside its scope → 404, inside → 200 (after sealing)', async () => {
    const all = await allEvents(x, allAud);
    const sgOnly = all.find((e) => e.actor === 'SG-MTI' && e.owner === 'SG-MTI')!;
    const deOwned = all.find((e) => e.owner === 'DE-BAFA' && e.actor === 'NL-DOUANE')!;
    expect(sgOnly && deOwned).toBeTruthy();
    await sealNow(raw);
    await refused(() => x.call(deAud, 'audit.proof', { eventId: sgOnly.id }), 404, 'not-found');
    const ok = await x.call(deAud, 'audit.proof', { eventId: deOwned.id });
    expect([ok.status, (ok.result.event as AuditEvent).id]).toEqual([200, deOwned.id]);
    const sg = await x.call(sgAud, 'audit.proof', { eventId: sgOnly.id });
    expect(sg.status).toBe(200);
  });
});

// Whatever this file threw at the exchange, no trade data reached storage in the clear.
afterAll(() => expectNoPlaintextAtRest(x));
