// denial.notify, denial.revoke and denial agreements (protocol.md §5): who may, what is checked, what is stored.
import { beforeEach, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import { addYears } from '../../lambdas/core/denials.ts';
import { DENIAL_PLAINTEXT, denialDoc, notify } from '../helpers/denials.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { rawJws } from '../helpers/raw-jws.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { plaintextAtRest } from '../security/at-rest.ts';

let x: TestExchange;
let bafa: TestAgency;
let fr: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  fr = await x.agency('FR-SBDU', ['licensing']);
});

const refused = (send: () => Promise<{ status: number; problem: { type: string; detail: string } }>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const head = async () => (await x.store.get('documents', 'DENIAL#DE-BAFA#DE-DEN-2026-0042', 'CUR#HEAD'))?.attrs;

describe('denial.notify', () => {
  it('stores a signed denial (201): digest, validUntil defaulting to date + 3 years, active; encrypted at rest', async () => {
    const a = await notify(x, bafa);
    expect([a.status, a.result]).toEqual([201, { denialId: 'DE-DEN-2026-0042', version: 1, digest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), validUntil: '2029-11-09', status: 'active' }]);
    expect(await head()).toMatchObject({ issuer: 'DE-BAFA', version: 1, status: 'active', validUntil: '2029-11-09', doc: expect.any(Uint8Array) });
    expect(x.auditEvents().at(-1)).toMatchObject({ action: 'denial.notify', actor: 'DE-BAFA', owner: 'DE-BAFA', resource: 'denial:DE-BAFA/DE-DEN-2026-0042', decision: 'allow', status: 201, details: { version: 1, parties: 2, items: 1 } });
    expect(plaintextAtRest(x, DENIAL_PLAINTEXT)).toEqual([]);
    expect(JSON.stringify(x.auditEvents())).not.toMatch(/Pars|Gulf Star|Azadi/);
  });

  it('takes the validUntil the document names, up to 5 years after its date', async () => {
    expect((await notify(x, bafa, denialDoc({ validUntil: '2031-11-09' }))).result.validUntil).toBe('2031-11-09');
    const detail = await refused(() => notify(x, fr, denialDoc({ issuer: 'FR-SBDU', validUntil: '2031-11-10' })), 400, 'document-invalid');
    expect(detail).toBe('a denial applies for at most 5 years from its date; renew it by an amendment');
    await refused(() => notify(x, fr, denialDoc({ issuer: 'FR-SBDU', validUntil: '2026-11-08' })), 400, 'document-invalid');
    expect(addYears('2028-02-29', 3)).toBe('2031-02-28');
  });

  it('an amendment is a higher version; the same or a lower one is 409', async () => {
    await notify(x, bafa);
    await refused(() => notify(x, bafa), 409, 'conflict');
    const b = await notify(x, bafa, denialDoc({ version: 2, parties: [{ role: 'end-user', name: 'Pars Optronic Industries', country: 'IR' }] }));
    expect([b.status, b.result.version]).toEqual([201, 2]);
    expect(await x.store.get('documents', 'DENIAL#DE-BAFA#DE-DEN-2026-0042', 'V#0000000001')).not.toBeNull();
    await refused(() => notify(x, bafa, denialDoc({ version: 1 })), 409, 'conflict');
  });

  it('refuses another issuer (403), another typ or key (400), a document off the schema (400 at the payload), customs (role)', async () => {
    await refused(() => notify(x, fr, denialDoc()), 403, 'forbidden');
    await refused(async () => x.call(bafa, 'denial.notify', { document: await signDocument(bafa.privateJwk, 'corridor-license+jws', denialDoc()) }), 400, 'document-invalid');
    await refused(() => x.call(bafa, 'denial.notify', { document: rawJws(fr.privateJwk, { alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-denial+jws' }, denialDoc()) }), 400, 'document-invalid');
    const a = await notify(x, bafa, denialDoc({ regimes: ['opec'], parties: [{ role: 'owner', name: 'X', country: 'IR' }] }));
    expect(a.status).toBe(400);
    expect(a.problem.errors!.map((e) => e.pointer)).toEqual(expect.arrayContaining(['/body/document/payload/regimes/0', '/body/document/payload/parties/0/role']));
    const customs = await x.agency('NL-DOUANE', ['customs']);
    await refused(() => notify(x, customs, denialDoc({ issuer: 'NL-DOUANE' })), 403, 'role-forbidden');
  });
});

describe('denial.revoke', () => {
  it('the issuer revokes with a reason (200, stored encrypted); revocation is final; another authority gets 404', async () => {
    await notify(x, bafa);
    await refused(() => x.call(fr, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'hostile' }), 404, 'not-found');
    const r = await x.call(bafa, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'end user dissolved' });
    expect([r.status, r.result]).toEqual([200, { denialId: 'DE-DEN-2026-0042', status: 'revoked', reason: 'end user dissolved', changedAt: '2026-11-22T10:00:00.000Z' }]);
    expect(await head()).toMatchObject({ status: 'revoked', reason: expect.any(Uint8Array) });
    expect(plaintextAtRest(x, ['end user dissolved'])).toEqual([]);
    await refused(() => x.call(bafa, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'again' }), 409, 'conflict');
    await refused(() => notify(x, bafa, denialDoc({ version: 3 })), 409, 'conflict');
    await refused(() => x.call(bafa, 'denial.revoke', { denialId: 'NOPE', reason: 'x' }), 404, 'not-found');
  });
});

describe('agreement.put on denials', () => {
  it('a licensing authority grants screen or read; verify is not a denial permission; a euc issuer owns no denials', async () => {
    const a = await x.call(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: ['read', 'screen'] });
    expect([a.status, a.result]).toEqual([201, { owner: 'DE-BAFA', partner: 'FR-SBDU', documentType: 'denial', permissions: ['read', 'screen'] }]);
    const bad = await x.call(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: ['verify'] });
    expect([bad.status, bad.problem.errors]).toEqual([400, [{ pointer: '/body/permissions/0', detail: 'not one of screen, read' }]]);
    const mti = await x.agency('SG-MTI', ['euc-issuer']);
    await refused(() => x.call(mti, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: ['screen'] }), 403, 'role-forbidden');
    await refused(() => x.call(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'license', permissions: ['screen'] }), 400, 'body-invalid');
  });
});
