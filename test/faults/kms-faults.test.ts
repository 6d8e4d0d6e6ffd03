// KMS failing under the data-key adapter (GenerateDataKey on publish, Decrypt on every read):
// each is a signed 503 that changes nothing, stores no plaintext and releases nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import { licenseDoc, shipment } from '../helpers/licenses.ts';
import { canary } from './canary.ts';
import { EUC_ID, expectFaultRefusal, FaultyProcess, LICENSE_ID, startWorld, tableState, type World } from './fault-kit.ts';
import { inject, type Fault } from './inject.ts';

let w: World;

beforeAll(async () => {
  w = await startWorld();
});

afterAll(async () => {
  await w?.x.stop();
});

/** What KMS can answer instead of a key; the SDK retries the throttled and transient ones itself. */
const KMS_FAULTS: [string, Fault, number][] = [
  // name, fault, SDK attempts per call (maxAttempts 3: throttled and transient errors are retried, client errors not)
  ['throttled (ThrottlingException)', { kind: 'service', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }, 3],
  ['access denied (AccessDeniedException)', { kind: 'service', status: 400, type: 'AccessDeniedException', message: 'not authorized to perform kms:Decrypt' }, 1],
  ['key disabled (DisabledException)', { kind: 'service', status: 400, type: 'DisabledException', message: 'key is disabled' }, 1],
  ['key pending deletion (KMSInvalidStateException)', { kind: 'service', status: 400, type: 'KMSInvalidStateException', message: 'key is pending deletion' }, 1],
  ['internal error (KMSInternalException, 500)', { kind: 'service', status: 500, type: 'KMSInternalException' }, 3],
  ['unreachable (ECONNREFUSED)', { kind: 'network', code: 'ECONNREFUSED' }, 3],
  ['timeout (answer lost)', { kind: 'lost-answer' }, 3],
];

/** Run one call in a cold process whose KMS client fails `command`; returns how often it was hit. */
async function inColdProcess(command: string, fault: Fault, run: (p: FaultyProcess) => Promise<void>): Promise<number> {
  const p = await FaultyProcess.start(w.x);
  const injected = inject(p.clients.kms, { commands: [command], fault });
  try {
    await run(p);
    return injected.hits;
  } finally {
    injected.remove();
    p.stop();
  }
}

describe.each(KMS_FAULTS)('KMS %s', (_name, fault, attempts) => {
  it('on GenerateDataKey: license.publish is a signed 503, audited, nothing stored, no plaintext fallback', async () => {
    const marker = canary('publish');
    const doc = licenseDoc({ licenseId: 'DE-2026-KMSFAIL', exporter: { name: `${marker} GmbH`, country: 'DE' } });
    const hits = await inColdProcess('GenerateDataKeyCommand', fault, async (p) => {
      const document = await signDocument(w.bafa.privateJwk, 'corridor-license+jws', doc);
      await expectFaultRefusal(w, () => p.call(w.bafa, 'license.publish', { document }), { status: 503, slug: 'dependency-failed', audited: true, canaries: [marker] });
    });
    expect(hits).toBe(attempts); // one GenerateDataKey call, retried by the SDK only when retrying can help
  });

  it('on GenerateDataKey: license.status (its reason is encrypted) is a signed 503; the status is not changed', async () => {
    const reason = canary('reason');
    const hits = await inColdProcess('GenerateDataKeyCommand', fault, async (p) => {
      await expectFaultRefusal(w, () => p.call(w.bafa, 'license.status', { licenseId: LICENSE_ID, status: 'suspended', reason }), { status: 503, slug: 'dependency-failed', audited: true, canaries: [reason] });
    });
    expect(hits).toBe(attempts);
  });

  it('on Decrypt: license.verify is refused, never answered from stored data; the process recovers when KMS does', async () => {
    const p = await FaultyProcess.start(w.x);
    const injected = inject(p.clients.kms, { commands: ['DecryptCommand'], fault });
    try {
      const a = await expectFaultRefusal(w, () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() }), { status: 503, slug: 'dependency-failed', audited: true });
      expect(a.claims).not.toHaveProperty('result');
      expect(injected.hits).toBeGreaterThan(0);
      injected.remove();
      // no failure was cached: the next call decrypts and answers
      const ok = await p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() });
      expect([ok.status, ok.result.outcome]).toEqual([200, 'valid']);
    } finally {
      injected.remove();
      p.stop();
    }
  });

  it('on Decrypt: euc.query and license.drawdown are signed 503s; no drawdown is recorded', async () => {
    const hits = await inColdProcess('DecryptCommand', fault, async (p) => {
      await expectFaultRefusal(w, () => p.call(w.douane, 'euc.query', { issuer: 'SG-MTI', eucId: EUC_ID }), { status: 503, slug: 'dependency-failed', audited: true });
      const body = { issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId: 'NL-KMS-1', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] };
      await expectFaultRefusal(w, () => p.call(w.douane, 'license.drawdown', body), { status: 503, slug: 'dependency-failed', audited: true });
    });
    expect(hits).toBeGreaterThan(0);
  });
});

describe('KMS policy choices', () => {
  it('a stored blob KMS refuses as ciphertext (InvalidCiphertextException) is an integrity failure, not a dependency failure', async () => {
    const hits = await inColdProcess('DecryptCommand', { kind: 'service', status: 400, type: 'InvalidCiphertextException' }, async (p) => {
      await expectFaultRefusal(w, () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() }), { status: 503, slug: 'integrity-failure', audited: true });
    });
    expect(hits).toBeGreaterThan(0);
  });

  it('KMS down while a cursor is decrypted (page 2 lands on a cold container, which must unwrap the cursor secret) → signed 503, not 400 "cursor is not valid" (regression)', async () => {
    const olaf = await w.x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
    const query = { from: new Date(Date.now() - 3_600_000).toISOString(), limit: 2 };
    const first = await w.x.call(olaf, 'audit.query', query);
    expect(first.result.cursor).toEqual(expect.any(String));
    const hits = await inColdProcess('DecryptCommand', { kind: 'network', code: 'ECONNREFUSED' }, async (p) => {
      await expectFaultRefusal(w, () => p.call(olaf, 'audit.query', { ...query, cursor: first.result.cursor }), { status: 503, slug: 'dependency-failed', audited: true });
    });
    expect(hits).toBeGreaterThan(0);
    // ... while a forged cursor (here the old KMS-envelope format) stays the caller's 400 and never reaches KMS (cursor-faults.test.ts)
    const forged = Buffer.concat([Buffer.from([1, 0, 40]), Buffer.alloc(40 + 12 + 16 + 8, 7)]).toString('base64url');
    const p = await FaultyProcess.start(w.x);
    try {
      await expectFaultRefusal(w, () => p.call(olaf, 'audit.query', { ...query, cursor: forged }), { status: 400, slug: 'body-invalid', audited: true });
    } finally {
      p.stop();
    }
  });

  it('a warm process keeps verifying while KMS is down: its cached data key still authenticates every blob (AES-GCM)', async () => {
    const p = await FaultyProcess.start(w.x);
    try {
      expect((await p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() })).status).toBe(200);
      const injected = inject(p.clients.kms, { commands: ['DecryptCommand', 'GenerateDataKeyCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' } });
      try {
        const a = await p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() });
        expect([a.status, a.result.outcome]).toEqual([200, 'valid']);
        expect(injected.hits).toBe(0); // no KMS call was needed
      } finally {
        injected.remove();
      }
    } finally {
      p.stop();
    }
  });

  it('a cold start that cannot decrypt its response key: the one unsigned 503 (problem+json), never a 500, nothing but one deny event stored', async () => {
    const p = await FaultyProcess.start(w.x, { warm: false });
    const injected = inject(p.clients.kms, { commands: ['DecryptCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' } });
    try {
      const before = await tableState(w.x);
      const raw = await p.exchange.handle({ act: 'license.verify', contentType: 'application/jose', body: Buffer.from('x.y.z'), sourceIp: '127.0.0.1', requestId: 'cold-kms' });
      expect([raw.status, raw.contentType]).toEqual([503, 'application/problem+json']);
      expect(JSON.parse(raw.body)).toMatchObject({ type: 'urn:corridor:problem:dependency-failed', status: 503 });
      const after = await tableState(w.x);
      const added = [...after.keys()].filter((k) => !before.has(k));
      expect([...before].filter(([k, v]) => after.get(k) !== v)).toEqual([]);
      // protocol.md §6: every call leaves one event, this one too (rsd over the unsigned body)
      expect(added).toHaveLength(1);
      const event = (await w.x.auditEvents()).find((e) => `audit/${e.id}/` === added[0]);
      expect(event).toMatchObject({ decision: 'deny', status: 503, code: 'dependency-failed', requestId: 'cold-kms' });
      expect(injected.hits).toBeGreaterThan(0);
    } finally {
      injected.remove();
      p.stop();
    }
  });
});
