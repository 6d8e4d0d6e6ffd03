// The sealer under KMS and DynamoDB faults: a failed run writes no half seal (a seal record
// without its head, or a head without its seal), seals no event twice, and the next healthy
// run leaves a log that verifies offline with every event in exactly one seal. Last, the
// `pending` index lagging behind the table (a GSI is eventually consistent; issue 17 item 2).
import type { AttributeValue, DynamoDBClient, QueryCommandInput, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { sealAll, sealOnce, type SealResult } from '../../lambdas/core/sealer.ts';
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

interface SealState { seals: string[]; head: string | undefined; pending: number }

async function sealState(): Promise<SealState> {
  const items = await w.x.scan('audit');
  return {
    seals: items.map((i) => i.pk!.S!).filter((pk) => pk.startsWith('SEAL#')).sort(),
    head: items.find((i) => i.pk!.S === 'SEALS')?.last?.N,
    pending: items.filter((i) => i.pending).length,
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
  expect(s.pending).toBe(0);
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const report = await verifyAuditLog(await bundle(w.x, olaf, await allEvents(w.x, olaf, { from })), { complete: true });
  expect(report.problems).toEqual([]);
}

/** Run the faulty sealer with `injection` on `client`; returns the error it threw, if any. */
async function faultySeal(client: 'kms' | 'dynamodb', injection: Injection): Promise<{ error: unknown; hits: number }> {
  const p = await FaultyProcess.start(w.x);
  const injected = inject(p.clients[client], injection);
  try {
    await sealAll(p.services, p.services.sealSigner);
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
  it.each(SIGN_FAULTS)('%s → the run fails and writes nothing: no seal, head unchanged, events still pending', async (_f, fault) => {
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

  it.each([['the SDK gave up (call)', 'call'], ['the SDK re-sent it (attempt)', 'attempt']] as const)('the seal commit landed but its answer was lost, %s → seal and head whole, events marked by the next run, none sealed twice', async (_n, at) => {
    await someEvents();
    const before = await sealState();
    const { hits } = await faultySeal('dynamodb', { commands: ['TransactWriteItemsCommand'], fault: { kind: 'lost-answer' }, at, times: 1 });
    expect(hits).toBe(1);
    const after = await sealState();
    expectWhole(after);
    expect(after.seals).toHaveLength(before.seals.length + 1);
    expect(after.pending).toBeGreaterThan(0); // sealed, not yet marked: the repair step's work
    await expectHealthyAfterwards();
  });

  it('marking events (BatchWriteItem) fails after the seal → the seal stands whole, the next run marks the rest', async () => {
    await someEvents();
    const before = await sealState();
    const { error, hits } = await faultySeal('dynamodb', { commands: ['BatchWriteItemCommand'], fault: { kind: 'network', code: 'ECONNRESET' }, when: (i) => JSON.stringify(i).includes(w.x.tables.audit) });
    expect([error instanceof Error, hits > 0]).toEqual([true, true]);
    const after = await sealState();
    expectWhole(after);
    expect(after.seals).toHaveLength(before.seals.length + 1);
    expect(after.pending).toBeGreaterThan(0);
    await expectHealthyAfterwards();
  });

  it('reading back the listed events (BatchGetItem) throttled → the run fails before signing: nothing written', async () => {
    await someEvents();
    const before = await tableState(w.x);
    const { error, hits } = await faultySeal('dynamodb', { commands: ['BatchGetItemCommand'], fault: { kind: 'service', status: 400, type: 'ThrottlingException' } });
    expect(error).toMatchObject({ name: 'DependencyError', dependency: 'dynamodb' });
    expect(hits).toBe(3); // the SDK's attempts of the first read; nothing is signed without it
    expect(diff(before, await tableState(w.x))).toEqual({ added: [], changed: [], removed: [] });
    await expectHealthyAfterwards();
  });

  it('reading pending events throttled → the run fails before signing: nothing written', async () => {
    await someEvents();
    const before = await tableState(w.x);
    const { error } = await faultySeal('dynamodb', { commands: ['QueryCommand'], fault: { kind: 'service', status: 400, type: 'ThrottlingException' }, when: (i) => i.TableName === w.x.tables.audit });
    expect(error).toMatchObject({ name: 'DependencyError' });
    expect(diff(before, await tableState(w.x))).toEqual({ added: [], changed: [], removed: [] });
    await expectHealthyAfterwards();
  });
});

/**
 * The `pending` index as a lagging GSI answers: an entry it listed once stays listed after the table's item
 * lost `pending` (marked sealed), until `remove()` — the removal has not reached the index yet. Added to
 * the answer of the shard's last page, as moto's own answer holds only what the table has now.
 */
function lagPendingIndex(client: DynamoDBClient, table: string): { remove(): void } {
  const listed = new Map<string, Record<string, AttributeValue>>();
  const name = 'lagging-pending-index';
  (client.middlewareStack as unknown as MiddlewareStack<object, MetadataBearer>).add((next, context) => async (args) => {
    const input = args.input as QueryCommandInput;
    const result = await next(args);
    if (context.commandName !== 'QueryCommand' || input.TableName !== table || input.IndexName !== 'pending') return result;
    const out = result.output as QueryCommandOutput;
    const items = out.Items ?? [];
    for (const i of items) listed.set(i.pk!.S!, i);
    if (out.LastEvaluatedKey) return result;
    const shard = input.ExpressionAttributeValues?.[':p']?.S;
    const present = new Set(items.map((i) => i.pk!.S!));
    const ghosts = [...listed.values()].filter((i) => i.pending?.S === shard && !present.has(i.pk!.S!));
    const all = [...items, ...ghosts].sort((a, b) => (a.tsId!.S! < b.tsId!.S! ? -1 : 1));
    return { ...result, output: { ...out, Items: all, Count: all.length } };
  }, { step: 'initialize', priority: 'high', name });
  return { remove: () => void client.middlewareStack.remove(name) };
}

describe('the pending index lags behind the table (moto, GSI answers as they may be)', () => {
  it('events sealed and marked but still listed are not sealed again; the log verifies with each event in one seal', async () => {
    await sealAll(w.x.services, w.x.services.sealSigner);
    const p = await FaultyProcess.start(w.x);
    const lag = lagPendingIndex(p.clients.dynamodb, w.x.tables.audit);
    const made: (SealResult | null)[] = [];
    try {
      await someEvents(); // A
      made.push(await sealOnce(p.services, p.services.sealSigner));
      await someEvents(); // B, while A's entries are still listed
      made.push(await sealOnce(p.services, p.services.sealSigner));
      made.push(await sealOnce(p.services, p.services.sealSigner)); // listed: A and B, both sealed already
    } finally {
      lag.remove();
      p.stop();
    }
    const first = made[0]!.seq;
    expect(made.map((r) => r && [r.seq, r.count])).toEqual([[first, 3], [first + 1, 3], null]);
    await expectHealthyAfterwards();
  });
});
