// Tampered cursors on the AWS adapters against moto (issue 17 item 10): KMS answering InvalidCiphertext to every
// call is never asked — a cursor the exchange did not make is a signed, audited 400 at /body/cursor, never a 503
// (which any auditor could otherwise raise, with its alarms, at will).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../lambdas/core/routes.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { expectFaultRefusal, FaultyProcess, LICENSE_ID, startWorld, type World } from './fault-kit.ts';
import { inject } from './inject.ts';

let w: World;
let olaf: TestAgency;

beforeAll(async () => {
  w = await startWorld();
  olaf = await w.x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  for (const declarationId of ['NL-CUR-1', 'NL-CUR-2']) {
    const a = await w.x.call(w.douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId, date: '2026-11-22', items: [{ line: 1, quantity: 1 }] });
    expect(a.status).toBe(201);
  }
});

afterAll(async () => {
  await w?.x.stop();
});

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const flip = (s: string, i: number) => `${s.slice(0, i)}${B64[B64.indexOf(s[i]!) ^ 32]}${s.slice(i + 1)}`;

const LISTS: [ActionName, () => TestAgency, Record<string, unknown>][] = [
  ['audit.query', () => olaf, { from: new Date(Date.now() - 3_600_000).toISOString(), limit: 1 }],
  ['license.drawdowns', () => w.bafa, { licenseId: LICENSE_ID, limit: 1 }],
  ['agreement.list', () => w.douane, { limit: 1 }],
];

describe.each(LISTS)('%s', (act, as, body) => {
  it('a cursor changed near its start (or anywhere) → signed 400 at /body/cursor, audited, and KMS is never called', async () => {
    const first = await w.x.call(as(), act, body);
    const cursor = first.result.cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const p = await FaultyProcess.start(w.x);
    try {
      // page 2 in this process: it unwraps the cursor secret (and any data key the page needs) once
      expect((await p.call(as(), act, { ...body, cursor })).status).toBe(200);
      const kms = inject(p.clients.kms, { commands: ['DecryptCommand', 'GenerateDataKeyCommand'], fault: { kind: 'service', status: 400, type: 'InvalidCiphertextException' } });
      try {
        for (const i of [1, 2, 4, 8, 16, 24, 40, cursor.length - 1]) {
          const a = await expectFaultRefusal(w, () => p.call(as(), act, { ...body, cursor: flip(cursor, i) }), { status: 400, slug: 'body-invalid', audited: true });
          expect(a.problem.errors).toEqual([{ pointer: '/body/cursor', detail: 'not a cursor of this query' }]);
        }
        expect(kms.hits).toBe(0);
      } finally {
        kms.remove();
      }
    } finally {
      p.stop();
    }
  });
});
