// Notifications end to end on memory adapters (protocol.md §10): who receives which type with which data, the
// JWS and headers as delivered, notification.list, the audit events of delivery, and what is stored encrypted.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeEach, describe, expect, it } from 'vitest';
import { storedEvent } from '../../lambdas/core/audit.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { licenseDoc, publish } from '../helpers/licenses.ts';
import { NotifyHarness } from '../helpers/notify-harness.ts';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
const DIR = join(import.meta.dirname, '../../schemas');
for (const f of readdirSync(DIR).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(join(DIR, f), 'utf8')) as object);
function expectSchema(name: string, value: unknown): void {
  const v = ajv.getSchema(`urn:corridor:schema:${name}`)!;
  expect(v(value) ? [] : v.errors, `${name}: ${JSON.stringify(value)}`).toEqual([]);
}

const ALL = ['license.status', 'license.version', 'license.drawdown', 'license.balance', 'euc.status', 'agency.key'];
const HOOK = 'http://127.0.0.1:9/hook';

let h: NotifyHarness;
let bafa: TestAgency, nl: TestAgency, fr: TestAgency, us: TestAgency;

async function subscribe(a: TestAgency, events = ALL, endpoint = `${HOOK}/${a.agencyId}`): Promise<void> {
  const r = await h.x.call(a, 'subscription.put', { endpoint, events });
  if (r.status !== 200) throw new Error(JSON.stringify(r.problem));
}

async function agree(owner: TestAgency, partner: TestAgency, permissions: string[], documentType = 'license'): Promise<void> {
  const r = await h.x.call(owner, 'agreement.put', { partner: partner.agencyId, documentType, permissions });
  if (r.status >= 300) throw new Error(JSON.stringify(r.problem));
}

/** The posts a receiver got, opened (header and claims checked against their schemas), with the headers they came with. */
async function received(agencyId: string) {
  const posts = h.poster.posts.filter((p) => p.url.endsWith(`/${agencyId}`));
  return Promise.all(posts.map(async (p) => {
    const opened = await h.open(p.body);
    expectSchema('notification.header', opened.header);
    expectSchema('notification.claims', opened.claims);
    return { ...opened, headers: p.headers, body: p.body };
  }));
}

beforeEach(async () => {
  h = await NotifyHarness.create();
  bafa = await h.x.agency('DE-BAFA', ['licensing']);
  nl = await h.x.agency('NL-DOUANE', ['customs']);
  fr = await h.x.agency('FR-DGDDI', ['customs']);
  us = await h.x.agency('US-CBP', ['customs']);
  await agree(bafa, nl, ['verify', 'drawdown']);
  await agree(bafa, fr, ['read']);
  for (const a of [bafa, nl, fr, us]) await subscribe(a);
  expect((await publish(h.x, bafa)).status).toBe(201);
});

describe('license.status', () => {
  it('reaches every partner with a license agreement, signed as the contract says; the reason only to read partners; the outsider nothing', async () => {
    const s = await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'end-user under review' });
    expect(s.status).toBe(200);
    expect(h.poster.posts).toHaveLength(0); // never on the request path
    expect(await h.pump()).toEqual(['delivered', 'delivered']);

    const [toNl] = await received('NL-DOUANE');
    const [toFr] = await received('FR-DGDDI');
    expect(await received('US-CBP')).toEqual([]);
    expect(await received('DE-BAFA')).toEqual([]);
    const kid = (await h.x.services.responseKeys.signingKey()).kid;
    expect(toNl!.header).toEqual({ alg: 'ES256', kid, typ: 'corridor-notification+jws' });
    expect(Object.keys(toNl!.claims).sort()).toEqual(['aud', 'data', 'evt', 'iat', 'iss', 'jti', 'sub']);
    expect(toNl!.claims).toMatchObject({
      iss: 'corridor:test', aud: 'NL-DOUANE', iat: Math.floor(Date.parse('2026-11-22T10:00:00Z') / 1000), evt: 'license.status',
      sub: { documentType: 'license', issuer: 'DE-BAFA', documentId: 'DE-2026-000123' },
      data: { status: 'suspended', previous: 'active', changedAt: '2026-11-22T10:00:00.000Z' },
    });
    expect(toNl!.claims.data).not.toHaveProperty('reason');
    expect(toFr!.claims).toMatchObject({ aud: 'FR-DGDDI', data: { status: 'suspended', previous: 'active', reason: 'end-user under review' } });
    expect(toNl!.claims.jti).toMatch(/^ntf-[A-Za-z0-9_-]{43}$/);
    expect(toNl!.claims.jti).not.toBe(toFr!.claims.jti);
    expect(toNl!.headers).toEqual({ 'content-type': 'application/jose', 'webhook-id': toNl!.claims.jti, 'webhook-timestamp': String(Math.floor(h.x.time / 1000)) });
  });

  it('notification.list: each receiver its own, the JWS exactly as delivered; the outsider and the operator list nothing', async () => {
    await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'end-user under review' });
    await h.pump();
    const list = await h.x.call(nl, 'notification.list', {});
    expect(list.status).toBe(200);
    const [posted] = await received('NL-DOUANE');
    expect(list.result).toEqual({
      notifications: [{ jti: posted!.claims.jti, evt: 'license.status', jws: posted!.body, delivery: { state: 'delivered', attempts: 1, lastAttemptAt: '2026-11-22T10:00:00.000Z', lastResult: 'http-204' } }],
      cursor: null,
    });
    expect((await h.x.call(us, 'notification.list', {})).result).toEqual({ notifications: [], cursor: null });
    const op = await h.x.call(h.x.operator, 'notification.list', {});
    expect(op.status).toBe(403);
  });

  it('an agency with the agreement but not subscribed to the type, and one whose agreement was withdrawn, receive nothing', async () => {
    await subscribe(nl, ['license.version']);
    await agree(bafa, fr, []);
    await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'r' });
    expect(await h.pump()).toEqual([]);
    expect(h.x.store.all('notifications')).toHaveLength(0);
    expect((await h.x.call(nl, 'notification.list', {})).result.notifications).toEqual([]);
  });

  it('a refused status change (404) produces no notification', async () => {
    const a = await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-999999', status: 'suspended', reason: 'r' });
    expect(a.status).toBe(404);
    expect(h.x.store.all('audit').filter((r) => r.pk.startsWith('OUTBOX#'))).toHaveLength(0);
  });
});

describe('the other types', () => {
  it('license.version: a new version reaches the partners; the first version notifies nobody', async () => {
    expect(await h.pump()).toEqual([]); // the beforeEach publish (version 1)
    expect((await publish(h.x, bafa, licenseDoc({ version: 2 }))).status).toBe(201);
    await h.pump();
    const [v] = await received('NL-DOUANE');
    expect(v!.claims).toMatchObject({ evt: 'license.version', data: { version: 2 } });
    expect((v!.claims.data as { digest: string }).digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await received('US-CBP')).toEqual([]);
  });

  it('license.drawdown to the issuer; license.balance at 80 % and 100 % to the issuer and read partners only', async () => {
    const draw = (declarationId: string, quantity: number) => h.x.call(nl, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId, date: '2026-11-22', items: [{ line: 1, quantity }] });
    expect((await draw('NL-1', 31)).status).toBe(201); // 31 of 40: below 80 %
    expect((await draw('NL-2', 1)).status).toBe(201); // 32: 80 %
    expect((await draw('NL-3', 8)).status).toBe(201); // 40: 100 %
    await h.pump();
    const issuer = (await received('DE-BAFA')).map((n) => [n.claims.evt, n.claims.data]);
    expect(issuer).toEqual([
      ['license.drawdown', { agency: 'NL-DOUANE', declarationId: 'NL-1', date: '2026-11-22', lines: [{ line: 1, drawn: 31, remaining: 9 }] }],
      ['license.drawdown', { agency: 'NL-DOUANE', declarationId: 'NL-2', date: '2026-11-22', lines: [{ line: 1, drawn: 1, remaining: 8 }] }],
      ['license.balance', { line: 1, reached: 80, remaining: 8 }],
      ['license.drawdown', { agency: 'NL-DOUANE', declarationId: 'NL-3', date: '2026-11-22', lines: [{ line: 1, drawn: 8, remaining: 0 }] }],
      ['license.balance', { line: 1, reached: 100, remaining: 0 }],
    ]);
    expect((await received('FR-DGDDI')).map((n) => n.claims.data)).toEqual([{ line: 1, reached: 80, remaining: 8 }, { line: 1, reached: 100, remaining: 0 }]);
    expect(await received('NL-DOUANE')).toEqual([]); // verify + drawdown, no read
    expect(await received('US-CBP')).toEqual([]);
  });

  it('euc.status: partners with a euc agreement from the issuer', async () => {
    const mti = await h.x.agency('SG-MTI', ['euc-issuer']);
    await agree(mti, nl, ['verify'], 'euc');
    const { publishEuc } = await import('../helpers/licenses.ts');
    expect((await publishEuc(h.x, mti)).status).toBe(201);
    await h.x.call(mti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'revoked', reason: 'forged end-user statement' });
    await h.pump();
    const got = await received('NL-DOUANE');
    expect(got.map((n) => [n.claims.evt, n.claims.sub, n.claims.data])).toEqual([
      ['euc.status', { documentType: 'euc', issuer: 'SG-MTI', documentId: 'SG-EUC-88121' }, { status: 'revoked', previous: 'active', changedAt: '2026-11-22T10:00:00.000Z' }],
    ]);
    expect(await received('FR-DGDDI')).toEqual([]);
  });

  it('agency.key: a retired or revoked key reaches the agencies with an agreement either way, not others', async () => {
    const { makeKey } = await import('../helpers/keys.ts');
    const k2 = await makeKey('de-bafa-2');
    const keys = await h.x.call(bafa, 'agency.keys', { add: [{ kid: 'de-bafa-2', jwk: k2.publicJwk }], retire: ['de-bafa-1'] });
    expect(keys.status).toBe(200);
    // the operator revokes NL-DOUANE's key: DE-BAFA granted it an agreement, so DE-BAFA hears of it
    const nlKey2 = await makeKey('nl-douane-2');
    await h.x.call(nl, 'agency.keys', { add: [{ kid: 'nl-douane-2', jwk: nlKey2.publicJwk }] });
    expect((await h.x.call(h.x.operator, 'agency.register', { agencyId: 'NL-DOUANE', revoke: ['nl-douane-1'] })).status).toBe(200);
    await h.pump();
    const keyNotes = (id: string) => received(id).then((l) => l.map((n) => [n.claims.sub, n.claims.data]));
    expect(await keyNotes('NL-DOUANE')).toEqual([[{ agencyId: 'DE-BAFA', kid: 'de-bafa-1' }, { status: 'retired', changedAt: '2026-11-22T10:00:00.000Z' }]]);
    expect(await keyNotes('FR-DGDDI')).toEqual([[{ agencyId: 'DE-BAFA', kid: 'de-bafa-1' }, { status: 'retired', changedAt: '2026-11-22T10:00:00.000Z' }]]);
    expect(await keyNotes('DE-BAFA')).toEqual([[{ agencyId: 'NL-DOUANE', kid: 'nl-douane-1' }, { status: 'revoked', changedAt: '2026-11-22T10:00:00.000Z' }]]);
    expect(await keyNotes('US-CBP')).toEqual([]);
  });
});

describe('delivery is audited and stored encrypted', () => {
  it('one notification.deliver event per attempt, the exchange acting (no actor), owner the receiver', async () => {
    await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'end-user under review' });
    await h.pump();
    const events = h.x.auditEvents().filter((e) => e.action === 'notification.deliver');
    expect(events).toHaveLength(2);
    for (const e of events) {
      expectSchema('audit.event', e);
      expect(e.actor).toBeUndefined();
      expect(e).toMatchObject({ decision: 'allow', status: 200, exchangeId: 'corridor:test', details: { notification: { evt: 'license.status', attempt: 1, result: 'delivered', state: 'delivered', httpStatus: 204 } } });
      expect(['NL-DOUANE', 'FR-DGDDI']).toContain(e.owner);
      expect(e.resource).toMatch(new RegExp(`^notification:${e.owner}/ntf-`));
    }
  });

  it('no table holds the reason, the quantities or a JWS in the clear', async () => {
    expect((await h.x.call(nl, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-7', date: '2026-11-22', items: [{ line: 2, quantity: 7 }] })).status).toBe(201);
    await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'end-user under review' });
    await h.pump();
    const outbox = h.x.store.all('audit').filter((r) => r.pk.startsWith('OUTBOX#'));
    expect(outbox).toHaveLength(2);
    expect(outbox[0]!.attrs.notices).toBeInstanceOf(Uint8Array);
    const dump = Buffer.concat([...h.x.store.records.values()].flatMap((r) => Object.values(r.attrs).map((v) => Buffer.from(v instanceof Uint8Array ? v : String(v)))));
    for (const secret of ['end-user under review', '"drawn":7']) expect(dump.includes(secret), secret).toBe(false);
    // no JWS: a bare `eyJ` turns up in random ciphertext now and then (it failed a full run so), a JWS's `eyJ… . … .` does not
    expect(dump.toString('latin1')).not.toMatch(/eyJ[\w-]*\.[\w-]*\./);
    // and every audit event record is an event, not an outbox item mistaken for one
    expect(h.x.store.all('audit').filter((r) => r.attrs.event !== undefined).every((r) => storedEvent(r.pk, r.attrs)?.id === r.pk)).toBe(true);
  });
});
