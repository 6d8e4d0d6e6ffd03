// Issue 17 item 4: a proof answers for the event that was asked about, in the exchange that was
// asked. A fake exchange (real response and seal signatures) serves a genuine proof — a real seal,
// a path that rebuilds its root — of *another* event; `corridor audit verify --event A` used to
// print ✓ for A. Also: an event of another exchange, a seal of another exchange under the same
// seal key, and (library) content that differs from the event the caller holds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import { EXIT } from '../../bin/cli/output.ts';
import { verifyProof } from '../../lambdas/client/audit-verify.ts';
import type { AuditEvent, AuditFields } from '../../lambdas/core/audit.ts';
import { b64url, eventLeafHash, inclusionPath, merkleRoot } from '../../lambdas/core/merkle.ts';
import { EXCHANGE, fakeExchange, type Plan } from '../helpers/fake-exchange.ts';
import { makeKey } from '../helpers/keys.ts';

const A = `ev-${'A'.repeat(43)}`;
const B = `ev-${'B'.repeat(43)}`;

function event(id: string, over: Partial<AuditFields> = {}): AuditEvent {
  const e: AuditFields = {
    id, ts: '2026-11-22T10:00:00.000Z', exchangeId: EXCHANGE, actor: 'NL-DOUANE', action: 'license.verify', resource: 'license:DE-BAFA/DE-1',
    owner: 'DE-BAFA', decision: 'allow', status: 200, rqd: 'rqd', rsd: 'rsd', sourceIp: '127.0.0.1', requestId: `req-${id.slice(3, 6)}`, ...over,
  };
  return { ...e, hash: eventLeafHash(e as unknown as Record<string, unknown>) };
}

type Fake = Awaited<ReturnType<typeof fakeExchange>>;
type Proof = { event: AuditEvent; seal: string; leafIndex: number; path: string[] };

/** What an exchange's sealer and audit.proof produce: a signed seal over these events, and the proof of one of them. */
async function proofOf(fake: Fake, events: AuditEvent[], index: number, exchangeId = EXCHANGE): Promise<Proof> {
  const leaves = events.map((e) => Buffer.from(e.hash, 'base64url'));
  const seal = await fake.seal({ exchangeId, seq: 0, count: leaves.length, first: events[0]!.id, last: events.at(-1)!.id, root: b64url(merkleRoot(leaves)), prev: null });
  return { event: events[index]!, seal, leafIndex: index, path: inclusionPath(index, leaves).map(b64url) };
}

let plan: Plan = { status: 200 };
let fake: Fake;
let jwks: JSONWebKeySet;
const sealKeyIds = ['seal-1'];

beforeAll(async () => {
  fake = await fakeExchange(() => plan);
  jwks = (await (await fake.fetch('http://exchange.test/.well-known/jwks.json')).json()) as JSONWebKeySet;
});

describe('verifyProof binds the proof to the event and the exchange asked about', () => {
  const expectA = { eventId: A, exchangeId: EXCHANGE };

  it('a genuine proof of A, asked for A: no problem', async () => {
    expect(await verifyProof(await proofOf(fake, [event(A), event(B)], 0), jwks, sealKeyIds, expectA)).toEqual([]);
  });

  it('a genuine proof of B, asked for A: named', async () => {
    const p = await proofOf(fake, [event(A), event(B)], 1);
    expect(await verifyProof(p, jwks, sealKeyIds, { eventId: B, exchangeId: EXCHANGE })).toEqual([]); // genuine for B
    expect(await verifyProof(p, jwks, sealKeyIds, expectA)).toEqual([`the proof is for event ${B}, not ${A}`]);
  });

  it('an event of another exchange, sealed and proven with its hash: named', async () => {
    const p = await proofOf(fake, [event(A, { exchangeId: 'corridor:other' })], 0);
    expect(await verifyProof(p, jwks, sealKeyIds, expectA)).toEqual([`event ${A} is of exchange corridor:other, not ${EXCHANGE}`]);
  });

  it('a genuine seal of another exchange under the same seal key: named', async () => {
    const p = await proofOf(fake, [event(A), event(B)], 0, 'corridor:other');
    expect(await verifyProof(p, jwks, sealKeyIds, expectA)).toEqual([`the seal is of exchange corridor:other, not ${EXCHANGE}`]);
  });

  it('with the event the caller holds: other content under the same id, hash recomputed and sealed, is named', async () => {
    const held = event(A);
    const p = await proofOf(fake, [event(A, { decision: 'deny', status: 403 }), event(B)], 0);
    expect(await verifyProof(p, jwks, sealKeyIds, { ...expectA, event: held })).toEqual([`event ${A} differs from the event asked about`]);
    expect(await verifyProof(await proofOf(fake, [held], 0), jwks, sealKeyIds, { ...expectA, event: held })).toEqual([]);
  });

  it('refuses to check without an expectation (a JavaScript caller of the old three-argument form)', async () => {
    const p = await proofOf(fake, [event(A)], 0);
    await expect((verifyProof as unknown as (...a: unknown[]) => Promise<string[]>)(p, jwks, sealKeyIds)).rejects.toThrow(/expected event id and exchange id/);
  });
});

describe('corridor audit verify --event against an exchange serving a proof of another event', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.stubGlobal('fetch', fake.fetch);
    try {
      return { code: await main(argv), stdout };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('prints ✗ naming both events and exits 1; the proof of the asked event still prints ✓', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corridor-proof-'));
    process.env.CORRIDOR_HOME = dir;
    process.env.CORRIDOR_RETRIES = '1';
    const key = await makeKey('nl-adr-1');
    const keyFile = join(dir, 'nl-adr.jwk.json');
    writeFileSync(keyFile, JSON.stringify(key.privateJwk));
    const args = ['audit', 'verify', '--url', 'http://exchange.test', '--as', 'NL-ADR', '--key', keyFile, '--event', A];

    plan = { status: 200, result: await proofOf(fake, [event(A), event(B)], 1) };
    const wrong = await cli(...args);
    expect(fake.sent.at(-1)!.claims.body).toEqual({ eventId: A });
    expect([wrong.code, wrong.stdout.trim()]).toEqual([EXIT.refused, `✗ the proof is for event ${B}, not ${A}`]);

    plan = { status: 200, result: await proofOf(fake, [event(A), event(B)], 0) };
    const right = await cli(...args);
    expect([right.code, right.stdout.trim()]).toEqual([EXIT.ok, `✓ event ${A} is at leaf 0 of a seal signed by the exchange's seal key`]);
  });
});
