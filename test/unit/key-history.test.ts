// Key transparency (issue 16 item 5): every key change is a sealed audit event naming the key's RFC 7638
// thumbprint, kid, owner and new status; the history of an agency's keys and of the exchange's response keys is
// rebuilt from verified events alone, and audit verify checks every answer's response kid against it.
import { calculateJwkThumbprint } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { keyHistory, keysActiveAt, responseKidProblems, statusAt } from '../../lambdas/client/key-history.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import { MemorySealSigner } from '../../lambdas/adapters/memory/memory-seal-signer.ts';
import { ResponseKeys } from '../../lambdas/core/response-keys.ts';
import { sealAll } from '../../lambdas/core/sealer.ts';
import { getSealHead, SEALS_HEAD } from '../../lambdas/core/seals.ts';
import { allEvents, bundle, sealNow } from '../helpers/audit.ts';
import { makeKey } from '../helpers/keys.ts';
import { EXCHANGE_ID, ExchangeDriver, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

describe('key history rebuilt from sealed events', () => {
  let x: TestExchange;
  let olaf: TestAgency;
  let events: AuditEvent[];
  const thumbprints = new Map<string, string>();
  const rsp: string[] = [];

  beforeAll(async () => {
    x = await TestExchange.create();
    olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' }); // t0: also creates the response key ring
    rsp.push((await x.services.responseKeys.signingKey()).kid);
    const bafa = await x.agency('DE-BAFA', ['licensing']);
    thumbprints.set('de-bafa-1', await calculateJwkThumbprint(bafa.key.publicJwk));
    const k2 = await makeKey('bafa-2');
    const k3 = await makeKey('bafa-3');
    thumbprints.set('bafa-2', await calculateJwkThumbprint(k2.publicJwk)).set('bafa-3', await calculateJwkThumbprint(k3.publicJwk));
    x.time = T0 + 10 * 60_000;
    expect((await x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-2', jwk: k2.publicJwk }] })).status).toBe(200);
    x.time = T0 + 20 * 60_000;
    const next = { ...bafa, privateJwk: k2.privateJwk };
    expect((await x.call(next, 'agency.keys', { retire: ['de-bafa-1'], add: [{ kid: 'bafa-3', jwk: k3.publicJwk }] })).status).toBe(200);
    x.time = T0 + 25 * 60_000;
    rsp.push((await x.services.responseKeys.rotate()).current);
    x.time = T0 + 30 * 60_000;
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', revoke: ['bafa-2'] })).status).toBe(200); // compromise
    // a refused key change is no history: bafa-2 is revoked and cannot sign it
    expect((await x.call(next, 'agency.keys', { revoke: ['bafa-3'] })).status).toBe(401);
    x.time = T0 + 40 * 60_000;
    rsp.push((await x.services.responseKeys.rotate()).current);
    x.time = T0 + 45 * 60_000;
    await sealNow(x);
    const report = await verifyAuditLog(await bundle(x, olaf), { complete: true });
    expect(report.problems).toEqual([]);
    // only sealed events: the auditor's own audit.* calls after the seal are the unsealed tail
    events = (await allEvents(x, olaf)).filter((e) => !report.pending.includes(e.id) && !e.action?.startsWith('audit.'));
  });

  it("names each of an agency's keys by kid and thumbprint, with every change and the event that made it", () => {
    const h = keyHistory(events, 'DE-BAFA');
    expect(h.map((k) => [k.kid, k.thumbprint])).toEqual([...thumbprints.entries()]);
    expect(h.map((k) => k.changes.map((c) => [c.at, c.from, c.to, c.action]))).toEqual([
      [[at(0), null, 'active', 'agency.register'], [at(20), 'active', 'retired', 'agency.keys']],
      [[at(10), null, 'active', 'agency.keys'], [at(30), 'active', 'revoked', 'agency.register']],
      [[at(20), null, 'active', 'agency.keys']],
    ]);
    expect(h.every((k) => k.changes.every((c) => events.some((e) => e.id === c.eventId && e.decision === 'allow')))).toBe(true);
  });

  it('says which keys were active at a time: before creation none, then as retired and revoked', () => {
    const h = keyHistory(events, 'DE-BAFA');
    expect(keysActiveAt(h, at(-1))).toEqual([]);
    expect(keysActiveAt(h, at(5)).map((k) => k.kid)).toEqual(['de-bafa-1']);
    expect(keysActiveAt(h, at(15)).map((k) => k.kid)).toEqual(['de-bafa-1', 'bafa-2']);
    expect(keysActiveAt(h, at(20)).map((k) => k.kid)).toEqual(['bafa-2', 'bafa-3']); // a change counts from its own instant
    expect(keysActiveAt(h, at(35))).toEqual([{ kid: 'bafa-3', status: 'active', thumbprint: thumbprints.get('bafa-3') }]);
    expect(h.map((k) => statusAt(k, at(35)))).toEqual(['retired', 'revoked', 'active']);
  });

  it("rebuilds the exchange's response keys across rotations: active, previous, then retired", async () => {
    const h = keyHistory(events, EXCHANGE_ID);
    expect(h.map((k) => [k.kid, k.purpose])).toEqual(rsp.map((kid) => [kid, 'response']));
    const published = new Map((await x.services.responseKeys.published()).map((k) => [k.kid, k.jwk]));
    expect(h[2]!.thumbprint).toBe(await calculateJwkThumbprint(published.get(rsp[2]!)!));
    expect(keysActiveAt(h, at(24)).map((k) => [k.kid, k.status])).toEqual([[rsp[0], 'active']]);
    expect(keysActiveAt(h, at(26)).map((k) => [k.kid, k.status])).toEqual([[rsp[0], 'previous'], [rsp[1], 'active']]);
    expect(keysActiveAt(h, at(41)).map((k) => [k.kid, k.status])).toEqual([[rsp[1], 'previous'], [rsp[2], 'active']]);
    expect(statusAt(h[0]!, at(41))).toBe('retired');
  });

  it("every answer records its response kid, each active when it signed; a complete history checks them all", () => {
    const answered = events.filter((e) => e.action?.startsWith('agency.') && e.action !== 'agency.bootstrap');
    expect(answered.every((e) => rsp.includes(e.responseKid!))).toBe(true);
    const r = responseKidProblems(events, EXCHANGE_ID, 60);
    expect(r).toEqual({ problems: [], checked: answered.filter((e) => e.responseKid).length, unchecked: 0 });
  });

  it('events from before revision 7 (no thumbprint, no owner) still rebuild, by the event owner', () => {
    const old = events.filter((e) => e.owner === 'DE-BAFA').map((e) => ({
      ...e, details: e.details && { keyChanges: (e.details.keyChanges as { kid: string; from: string | null; to: string }[] | undefined)?.map(({ kid, from, to }) => ({ kid, from, to })) },
    }));
    const h = keyHistory(old, 'DE-BAFA');
    expect(h.map((k) => [k.kid, k.thumbprint])).toEqual([['de-bafa-1', undefined], ['bafa-2', undefined], ['bafa-3', undefined]]);
    expect(keysActiveAt(h, at(35)).map((k) => k.kid)).toEqual(['bafa-3']);
  });
});

describe('audit verify: response kids against the sealed key history', () => {
  it('flags an answer signed by a response key after a rotation retired it (a process that kept the old ring)', async () => {
    const x = await TestExchange.create();
    const olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
    const first = (await x.services.responseKeys.signingKey()).kid;
    // A warm process that read the ring now and never re-reads it (its refresh far beyond the rotations).
    const staleKeys = new ResponseKeys(x.services.store, x.services.cipher, x.services.clock, EXCHANGE_ID, 86_400_000);
    expect((await staleKeys.signingKey()).kid).toBe(first);
    const stale = new ExchangeDriver({ ...x.services, responseKeys: staleKeys }, () => x.time);
    x.time = T0 + 10 * 60_000;
    await x.services.responseKeys.rotate();
    x.time = T0 + 20 * 60_000;
    await x.services.responseKeys.rotate(); // `first` leaves the ring: retired
    x.time = T0 + 30 * 60_000;
    const raw = await stale.exchange.handle({ act: 'audit.seals', contentType: 'application/jose', body: Buffer.from((await olafRequest(x, olaf)).jws), sourceIp: '127.0.0.1', requestId: 'stale' });
    expect(raw.status).toBe(200); // answered — but under a key no verifier accepts any more
    await sealNow(x);
    const report = await verifyAuditLog(await bundle(x, olaf), { complete: true });
    expect(report.problems).toEqual([expect.stringMatching(new RegExp(`^event ${raw.auditId} \\(ts ${at(30)}\\) was answered with response key ${first}, retired at ${at(20)} \\(event ev-`))]);
    expect(report.ok).toBe(false);
  });

  it('flags a kid used before its creation, and one no key event created when the history is complete', () => {
    const ev = (id: string, ts: string, extra: Partial<AuditEvent>): AuditEvent => ({ id, ts, exchangeId: EXCHANGE_ID, decision: 'allow', status: 200, rqd: 'x', rsd: 'x', sourceIp: 'l', requestId: 'r', hash: 'h', ...extra });
    const created = ev('ev-c', at(10), { action: 'exchange.keys.create', resource: 'exchange:response-keys', details: { keyChanges: [{ kid: 'rsp-a', from: null, to: 'active', owner: EXCHANGE_ID, purpose: 'response' }] } });
    const early = ev('ev-1', at(8), { responseKid: 'rsp-a' });
    const withinGrace = ev('ev-2', new Date(T0 + 10 * 60_000 - 30_000).toISOString(), { responseKid: 'rsp-a' });
    const unknown = ev('ev-3', at(12), { responseKid: 'rsp-z' });
    expect(responseKidProblems([created, early, withinGrace, unknown], EXCHANGE_ID, 60).problems).toEqual([
      `event ev-1 (ts ${at(8)}) was answered with response key rsp-a, created only at ${at(10)} (event ev-c)`,
      `event ev-3 (ts ${at(12)}) was answered with response key rsp-z, which no sealed key event created`,
    ]);
    // without the ring's creation among the events (a window after it), an unknown kid is unchecked, not a problem
    expect(responseKidProblems([unknown], EXCHANGE_ID, 60)).toEqual({ problems: [], checked: 0, unchecked: 1 });
  });
});

describe('seal keys', () => {
  it('a seal signed by another key than the last one writes exchange.keys.seal (new active, old retired), sealed by the next seal', async () => {
    const x = await TestExchange.create();
    await x.agency('DE-BAFA', ['licensing']);
    const first = await x.services.sealSigner.publicKey();
    expect(await sealNow(x)).toHaveLength(1); // the first seal names its key in its own header: no event
    expect(x.auditEvents().filter((e) => e.action === 'exchange.keys.seal')).toEqual([]);
    expect(await getSealHead(x.services.store)).toMatchObject({ sealKid: first.kid, sealThumbprint: await calculateJwkThumbprint(first.jwk) });
    await x.agency('NL-DOUANE', ['customs']);
    x.time = T0 + 60_000;
    const replaced = new MemorySealSigner(); // the operator replaced the KMS seal key
    const next = await replaced.publicKey();
    const seals = await sealAll(x.services, replaced);
    expect(seals.map((r) => r.count)).toEqual([1, 1]); // the call, then the key event in the next seal
    const events = x.auditEvents().filter((e) => e.action === 'exchange.keys.seal');
    expect(events).toHaveLength(1);
    expect(await sealNow(x)).toEqual([]); // sealed already
    const h = keyHistory(x.auditEvents(), EXCHANGE_ID).filter((k) => k.purpose === 'seal');
    expect(h.map((k) => [k.kid, k.thumbprint, k.changes.map((c) => c.to)])).toEqual([
      [next.kid, await calculateJwkThumbprint(next.jwk), ['active']],
      [first.kid, await calculateJwkThumbprint(first.jwk), ['retired']],
    ]);
    expect(keysActiveAt(h, at(2)).map((k) => k.kid)).toEqual([next.kid]);
  });

  it('a head from before the key was recorded: the key in use is recorded as created', async () => {
    const x = await TestExchange.create();
    await x.agency('DE-BAFA', ['licensing']);
    await sealNow(x);
    const head = x.store.all('audit').find((r) => r.pk === SEALS_HEAD)!;
    const { sealKid: _k, sealThumbprint: _t, ...older } = head.attrs;
    await x.store.commit([{ op: 'put', record: { ...head, attrs: older }, condition: { kind: 'none' } }]);
    await x.agency('NL-DOUANE', ['customs']);
    await sealNow(x);
    const changes = x.auditEvents().filter((e) => e.action === 'exchange.keys.seal').map((e) => e.details!.keyChanges);
    expect(changes).toEqual([[{ kid: (await x.services.sealSigner.publicKey()).kid, from: null, to: 'active', thumbprint: expect.any(String), owner: EXCHANGE_ID, purpose: 'seal' }]]);
  });
});

async function olafRequest(x: TestExchange, olaf: TestAgency): Promise<{ jws: string }> {
  const { signRequest } = await import('../../lambdas/client/signing.ts');
  return signRequest(olaf, EXCHANGE_ID, 'audit.seals', { fromSeq: 0 }, { iat: x.nowSeconds() });
}
