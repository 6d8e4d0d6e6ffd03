/**
 * The fault world: one moto_server with a published license and end-use certificate, an
 * observer exchange (healthy clients) that reads the tables and verifies answers against
 * the published response keys, and "processes" — fresh services on their own SDK clients,
 * as a new Lambda container would have — into whose clients faults are injected.
 */
import { expect } from 'vitest';
import { awsClients, buildServices, type AwsClients } from '../../lambdas/adapters/aws/aws-services.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import type { ActionAnswer } from '../../lambdas/core/exchange.ts';
import type { TableId } from '../../lambdas/core/ports.ts';
import { eucDoc, licenseDoc, publish, publishEuc } from '../helpers/licenses.ts';
import { captureLogger, EXCHANGE_ID, ExchangeDriver, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange, REGION } from '../helpers/moto-exchange.ts';
import { canary, findCanaries, rawItems } from './canary.ts';

/** Markers in the stored documents: none may ever appear in a table, whatever failed. */
export const SECRET = { exporter: canary('exporter'), item: canary('item'), endUser: canary('enduser'), endUse: canary('enduse') };
export const LICENSE_ID = 'DE-2026-FAULT1';
export const EUC_ID = 'SG-EUC-FAULT1';

export interface World {
  x: MotoExchange;
  bafa: TestAgency;
  douane: TestAgency;
  mti: TestAgency;
}

export async function startWorld(): Promise<World> {
  const x = await MotoExchange.start({ retryDeadlineMs: 1500 });
  try {
    return await populate(x);
  } catch (e) {
    await x.stop(); // afterAll never sees a world that failed to start: do not leave moto running
    throw e;
  }
}

async function populate(x: MotoExchange): Promise<World> {
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  const douane = await x.agency('NL-DOUANE', ['customs']);
  const mti = await x.agency('SG-MTI', ['euc-issuer']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['read', 'drawdown'] });
  await x.call(mti, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['read'] });
  const lic = licenseDoc({ licenseId: LICENSE_ID, exporter: { name: `${SECRET.exporter} Optics GmbH`, country: 'DE' }, items: [{ line: 1, description: `${SECRET.item} thermal camera`, controlCode: '6A003.b.4', quantity: 40, unit: 'pcs' }] });
  expect((await publish(x, bafa, lic)).status).toBe(201);
  const euc = eucDoc({ eucId: EUC_ID, endUser: { name: `${SECRET.endUser} Lab`, country: 'SG' }, endUse: `research (${SECRET.endUse})` });
  expect((await publishEuc(x, mti, euc)).status).toBe(201);
  return { x, bafa, douane, mti };
}

/** A cold process: own clients and caches, response key loaded (as after a successful cold start). */
export class FaultyProcess extends ExchangeDriver {
  readonly logs: string[];
  private constructor(readonly observer: MotoExchange, readonly clients: AwsClients, logs: string[]) {
    const o = observer;
    super(buildServices({ exchangeId: EXCHANGE_ID, region: REGION, awsEndpoint: o.emulator.endpoint, tables: o.tables, payloadKeyId: o.payloadKeyId, sealKeyId: o.sealKeyId, agencyCacheMs: 0, responseKeyRefreshMs: 300_000, retryDeadlineMs: 1500 }, clients, captureLogger(logs)), Date.now);
    this.logs = logs;
    this.operator = o.operator;
  }

  static async start(observer: MotoExchange, opts: { warm?: boolean } = {}): Promise<FaultyProcess> {
    const p = new FaultyProcess(observer, awsClients({ region: REGION, awsEndpoint: observer.emulator.endpoint }), []);
    if (opts.warm !== false) await p.services.responseKeys.signingKey();
    return p;
  }

  /** Answers are verified by the observer against the published keys, not by the faulty process. */
  override open(raw: ActionAnswer): Promise<Answer> {
    return this.observer.open(raw);
  }

  stop(): void {
    this.clients.dynamodb.destroy();
    this.clients.kms.destroy();
  }
}

/** Every item of every table, keyed by table and primary key, as comparable JSON. */
export async function tableState(x: MotoExchange): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for (const table of ['registry', 'documents', 'audit'] as TableId[]) {
    for (const item of await x.scan(table)) state.set(`${table}/${item.pk?.S}/${item.sk?.S ?? ''}`, JSON.stringify(item, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));
  }
  return state;
}

export interface StateDiff { added: string[]; changed: string[]; removed: string[] }

export function diff(before: Map<string, string>, after: Map<string, string>): StateDiff {
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)),
    removed: [...before.keys()].filter((k) => !after.has(k)),
  };
}

export interface Expected {
  status: number;
  slug: string;
  /** Whether the deny event can be written (false when the audit write is what fails). */
  audited: boolean;
  /** More markers that must not be stored (e.g. in the refused request's document). */
  canaries?: readonly string[];
}

/**
 * The four things every fault refusal must show: its status and problem, signed by a
 * published response key (never a 500, never unsigned); exactly one deny event when the
 * audit store is up (none otherwise, and then no auditId); nothing else added, changed or
 * removed in any table; and no stored document plaintext anywhere.
 */
export async function expectFaultRefusal(w: World, send: () => Promise<Answer>, e: Expected): Promise<Answer> {
  const before = await tableState(w.x);
  const a = await send(); // ExchangeDriver.open throws on an unsigned or unverifiable answer
  expect([a.status, a.problem?.type], a.problem?.detail).toEqual([e.status, `urn:corridor:problem:${e.slug}`]);
  expect(a.raw.contentType).toBe('application/jose');
  expect(a.result).toBeUndefined(); // fail closed: nothing released
  const d = diff(before, await tableState(w.x));
  expect([d.changed, d.removed]).toEqual([[], []]);
  if (e.audited) {
    expect(d.added).toHaveLength(1);
    const event = (await w.x.auditEvents()).find((ev) => `audit/${ev.id}/` === d.added[0]) as AuditEvent;
    expect(event).toMatchObject({ decision: 'deny', status: e.status, code: e.slug });
    expect(a.claims.auditId).toBe(event.id);
  } else {
    expect(d.added).toEqual([]);
    expect(a.claims.auditId).toBeUndefined();
  }
  expect(findCanaries(await rawItems(w.x), [...Object.values(SECRET), ...(e.canaries ?? [])])).toEqual([]);
  return a;
}
