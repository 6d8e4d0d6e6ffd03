// Issue 17 item 7: an insider with the licenses function's write access puts an old encrypted balance
// back (it authenticates: the blob is bound to its record, not to its version). Before: remaining went
// from 0 to 35 and a drawdown of 35 was accepted, 75 drawn on a licence of 40. Now the balance is
// bound to the drawdown records: each drawdown also creates `DRAWSEQ#<n>` (create-only, and no API
// role may delete in the documents table), the balance carries n inside its ciphertext, and a
// drawdown refuses a balance whose successor marker exists, or whose n is not its version: 503
// integrity-failure, nothing drawn, and an integrity-failed observation (the IntegrityFailures alarm).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { beforeEach, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../../lambdas/adapters/aws/powertools-telemetry.ts';
import type { TelemetryRecord } from '../../lambdas/adapters/memory/memory-telemetry.ts';
import { BALANCE_SK, encryptAt, KINDS } from '../../lambdas/core/documents.ts';
import type { StoredRecord } from '../../lambdas/core/ports.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { ExchangeDriver, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { captureOutput } from '../helpers/output-capture.ts';
import { expectRefusal } from '../helpers/refusals.ts';

const LICENSE = 'DE-2026-000123';
const PK = `LICENSE#DE-BAFA#${LICENSE}`;

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] });
  expect((await publish(x, bafa)).status).toBe(201);
});

const draw = (declarationId: string, quantity: number) =>
  x.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LICENSE, declarationId, date: '2026-11-22', items: [{ line: 1, quantity }] });
const remaining = async () => ((await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE, shipment: shipment() })).result.lines as { remaining: number }[])[0]!.remaining;
const balance = async (): Promise<StoredRecord> => (await x.store.get('documents', PK, BALANCE_SK))!;
/** What the documents-table write access allows: put any item back, unconditionally. */
const putBack = (rec: StoredRecord) => x.store.commit([{ op: 'put', record: rec, condition: { kind: 'none' } }]);
const integrityObservations = () => x.logs.map((l) => JSON.parse(l) as TelemetryRecord).filter((r) => r.kind === 'integrity-failed');

describe('a rolled-back balance is detected', () => {
  it('an old balance written back: the next drawdown is 503 integrity-failure, nothing drawn, an alarm observation', async () => {
    expect((await draw('D-1', 5)).status).toBe(201);
    const old = structuredClone(await balance());
    expect((await draw('D-2', 35)).status).toBe(201);
    expect(await remaining()).toBe(0);

    await putBack(old);
    const detail = await expectRefusal(x, () => draw('D-3', 35), 503, 'integrity-failure');
    expect(detail).toBe('a stored record failed its integrity check; nothing was released');
    expect(integrityObservations()).toEqual([expect.objectContaining({ kind: 'integrity-failed', action: 'license.drawdown', errorClass: 'IntegrityError', check: `integrity check failed: the balance of license:DE-BAFA/${LICENSE} (version 1) is older than its drawdown records` })]);
    expect(x.store.all('documents').filter((r) => r.sk?.startsWith('DRAWDOWN#')).map((r) => r.sk)).toEqual(['DRAWDOWN#NL-DOUANE#D-1', 'DRAWDOWN#NL-DOUANE#D-2']);
  });

  it('an old ciphertext under the current version number: refused by verification and drawdown alike', async () => {
    await draw('D-1', 5);
    const old = structuredClone(await balance());
    await draw('D-2', 10);
    const current = await balance();
    await putBack({ ...current, attrs: { ...current.attrs, drawn: old.attrs.drawn } });
    await expectRefusal(x, () => draw('D-3', 1), 503, 'integrity-failure');
    const v = await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE, shipment: shipment() });
    expect([v.status, v.problem?.type]).toEqual([503, 'urn:corridor:problem:integrity-failure']);
  });

  it('a balance in the format before this check (no count inside): accepted once and converted; rolled back to it later: refused', async () => {
    // As a drawdown wrote it before: the map of lines alone, encrypted for the same record.
    const drawn = await encryptAt(x.services.cipher, KINDS.license, 'DE-BAFA', LICENSE, BALANCE_SK, 'drawn', JSON.stringify({ 1: 12 }));
    const before: StoredRecord = { table: 'documents', pk: PK, sk: BALANCE_SK, attrs: { drawn, ver: 3 } };
    await putBack(before);
    expect(await remaining()).toBe(28);
    expect((await draw('D-NEW', 8)).status).toBe(201);
    expect(await remaining()).toBe(20);
    await putBack(before);
    await expectRefusal(x, () => draw('D-AFTER', 1), 503, 'integrity-failure');
  });

  it('in AWS the observation is the IntegrityFailures metric ({service}, the alarm\'s) and an error log line naming the record', async () => {
    await draw('D-1', 5);
    const old = structuredClone(await balance());
    await draw('D-2', 5);
    await putBack(old);
    const out = captureOutput();
    try {
      const telemetry = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
      const driver = new ExchangeDriver({ ...x.services, telemetry }, x.clock.now);
      const a = await driver.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LICENSE, declarationId: 'D-3', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] });
      expect(a.status).toBe(503);
      const lines = out.json();
      expect(lines.filter((l) => 'IntegrityFailures' in l)).toEqual([expect.objectContaining({ service: 'corridor', IntegrityFailures: 1 })]);
      expect(lines.find((l) => l.message === 'integrity check failed')).toMatchObject({ level: 'ERROR', action: 'license.drawdown', check: expect.stringContaining(`license:DE-BAFA/${LICENSE} (version 1)`) });
    } finally {
      out.restore();
    }
  });

  it('contention is not mistaken for a rollback: interleaved drawdowns all commit or meet the quantity', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => draw(`C-${i}`, 4)));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(10).fill(201), 409, 409]);
    expect(await remaining()).toBe(0);
    expect(integrityObservations()).toEqual([]);
  });
});
