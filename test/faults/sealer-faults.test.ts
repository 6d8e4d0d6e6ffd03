// The sealer under KMS and DynamoDB faults: a failed run writes no half seal (a seal record
// without its head, or a head without its seal), seals no event twice, and the next healthy
// run leaves a log that verifies offline with every event in exactly one seal. The completeness check (sealAll) and
// the stream sealer alike; a stream batch whose commit landed but whose answer was lost is retried without a second seal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import { sealAll } from '../../lambdas/core/sealer.ts';
import { sealStreamBatch, type StreamedEvent } from '../../lambdas/core/stream-sealer.ts';
import { allEvents, bundle } from '../helpers/audit.ts';
import { shipment } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { diff, FaultyProcess, LICENSE_ID, startWorld, tableState, type World } from './fault-kit.ts';
import { inject, type Fault, type Injection } from './inject.ts';

let w: World;
let olaf: TestAgency;

beforeAll(async () => {
  w = await startWorld();
  olaf = await w.x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await sealAll(w.x.services, w.x.services.sealSigner); // seal 0 exists: later runs chain to it
});

afterAll(async () => {
  await w?.x.stop();
});

/** A few new events to seal. */
async function someEvents(): Promise<void> {
  for (let i = 0; i < 3; i++) await w.x.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() });
}

interface SealState { seals: string[]; head: string | undefined }

async function sealState(): Promise<SealState> {
  const items = await w.x.scan('audit');
  return {
    seals: items.map((i) => i.pk!.S!).filter((pk) => pk.startsWith('SEAL#')).sort(),
    head: items.find((i) => i.pk!.S === 'SEALS')?.last?.N,
  };
}

/** Seal and head move together: the newest seal record is the one the head names. */
function expectWhole(s: SealState): void {
  expect(s.seals.at(-1)).toBe(`SEAL#${String(Number(s.head)).padStart(12, '0')}`);
  expect(s.seals).toHaveLength(Number(s.head) + 1);
}

/** A healthy run repairs what is left; the whole log then verifies, every event in exactly one seal. */
async function expectHealthyAfterwards(): Promise<void> {
  await sealAll(w.x.services, w.x.services.sealSigner);
  const s = await sealState();
  expectWhole(s);
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const report = await verifyAuditLog(await bundle(w.x, olaf, await allEvents(w.x, olaf, { from })), { complete: true });
  expect(report.problems).toEqual([]);
}

/** Every event not yet sealed, as a stream batch (stream order = ts order here; sequence numbers from 1). */
async function unsealedBatch(): Promise<StreamedEvent[]> {
  const items = await w.x.scan('audit');
  const sealed = new Set(items.filter((i) => i.pk!.S!.startsWith('SEAL#')).flatMap((i) => i.ids!.L!.map((v) => v.S!)));
  return items.filter((i) => i.event && !sealed.has(i.pk!.S!)).map((i) => JSON.parse(i.event!.S!) as AuditEvent)
    .sort((a, b) => a.ts.localeCompare(b.ts) || a.id.localeCompare(b.id)).map((event, n) => ({ event, seq: String(n + 1) }));
}

/** Run the faulty sealer (the completeness check, or the stream sealer on `batch`) with `injection` on `client`; returns the error it threw, if any. */
async function faultySeal(client: 'kms' | 'dynamodb', injection: Injection, batch?: StreamedEvent[]): Promise<{ error: unknown; hits: number }> {
  const p = await FaultyProcess.start(w.x);
  const injected = inject(p.clients[client], injection);
  try {
    if (batch) await sealStreamBatch(p.services, p.services.sealSigner, batch);
    else await sealAll(p.services, p.services.sealSigner);
    return { error: undefined, hits: injected.hits };
  } catch (error) {
    return { error, hits: injected.hits };
  } finally {
    injected.remove();
    p.stop();
  }
}

const SIGN_FAULTS: [string, Fault][] = [
  ['throttled (ThrottlingException)', { kind: 'service', status: 400, type: 'ThrottlingException' }],
  ['access denied (AccessDeniedException)', { kind: 'service', status: 400, type: 'AccessDeniedException' }],
  ['key disabled (DisabledException)', { kind: 'service', status: 400, type: 'DisabledException' }],
  ['key pending deletion (KMSInvalidStateException)', { kind: 'service', status: 400, type: 'KMSInvalidStateException' }],
  ['internal error (KMSInternalException, 500)', { kind: 'service', status: 500, type: 'KMSInternalException' }],
  ['unreachable (ECONNREFUSED)', { kind: 'network', code: 'ECONNREFUSED' }],
];

describe.each([['Sign', 'SignCommand'], ['GetPublicKey', 'GetPublicKeyCommand']])('KMS %s fails', (_name, command) => {
  it.each(SIGN_FAULTS)('%s → the run fails and writes nothing: no seal, head unchanged, events still unsealed', async (_f, fault) => {
    await someEvents();
    const before = await tableState(w.x);
    const { error, hits } = await faultySeal('kms', { commands: [command], fault });
    expect(error).toMatchObject({ name: 'DependencyError', dependency: 'kms' });
    expect(hits).toBeGreaterThan(0);
    expect(diff(before, await tableState(w.x))).toEqual({ added: [], changed: [], removed: [] });
    await expectHealthyAfterwards();
  });
});

describe('DynamoDB fails under the sealer', () => {
  it('the seal commit throttled → nothing written (seal and head are one transaction)', async () => {
    await someEvents();
    const before = await tableState(w.x);
    const { error, hits } = await faultySeal('dynamodb', { commands: ['TransactWriteItemsCommand'], fault: { kind: 'service', status: 400, type: 'ProvisionedThroughputExceededException' } });
    expect([error instanceof Error, hits]).toEqual([true, 3]);
    expect(diff(before, await tableState(w.x))).toEqual({ added: [], changed: [], removed: [] });
    await expectHealthyAfterwards();
  });

  it.each([['the SDK gave up (call)', 'call'], ['the SDK re-sent it (attempt)', 'attempt']] as const)('the check\'s seal commit landed but its answer was lost, %s → seal and head whole, none sealed twice', async (_n, at) => {
    await someEvents();
    const before = await sealState();
    const { hits } = await faultySeal('dynamodb', { commands: ['TransactWriteItemsCommand'], fault: { kind: 'lost-answer' }, at, times: 1 });
    expect(hits).toBe(1);
    const after = await sealState();
    expectWhole(after);
    expect(after.seals).toHaveLength(before.seals.length + 1);
    await expectHealthyAfterwards();
    expect((await sealState()).seals).toHaveLength(before.seals.length + 1); // the healthy run found nothing left
  });

  it.each([['the SDK gave up (call)', 'call'], ['the SDK re-sent it (attempt)', 'attempt']] as const)('a stream batch\'s seal commit landed but its answer was lost, %s → the retried batch seals nothing twice', async (_n, at) => {
    await someEvents();
    const batch = await unsealedBatch();
    const before = await sealState();
    await faultySeal('dynamodb', { commands: ['TransactWriteItemsCommand'], fault: { kind: 'lost-answer' }, at, times: 1 }, batch);
    expect((await sealState()).seals).toHaveLength(before.seals.length + 1);
    expect(await sealStreamBatch(w.x.services, w.x.services.sealSigner, batch)).toEqual([]); // the event source's retry
    const after = await sealState();
    expectWhole(after);
    expect(after.seals).toHaveLength(before.seals.length + 1);
    await expectHealthyAfterwards();
  });

  it('reading the seals or events back (BatchGetItem) throttled → the run fails before signing: nothing written', async () => {
    await someEvents();
    const before = await tableState(w.x);
    const { error, hits } = await faultySeal('dynamodb', { commands: ['BatchGetItemCommand'], fault: { kind: 'service', status: 400, type: 'ThrottlingException' } });
    expect(error).toMatchObject({ name: 'DependencyError', dependency: 'dynamodb' });
    expect(hits).toBe(3); // the SDK's attempts of the first read; nothing is signed without it
    expect(diff(before, await tableState(w.x))).toEqual({ added: [], changed: [], removed: [] });
    await expectHealthyAfterwards();
  });

  it('reading the byTime index throttled → the run fails before signing: nothing written', async () => {
    await someEvents();
    const before = await tableState(w.x);
    const { error } = await faultySeal('dynamodb', { commands: ['QueryCommand'], fault: { kind: 'service', status: 400, type: 'ThrottlingException' }, when: (i) => i.TableName === w.x.tables.audit });
    expect(error).toMatchObject({ name: 'DependencyError' });
    expect(diff(before, await tableState(w.x))).toEqual({ added: [], changed: [], removed: [] });
    await expectHealthyAfterwards();
  });
});
