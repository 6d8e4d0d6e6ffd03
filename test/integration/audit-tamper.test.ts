// Tampering with the audit log in DynamoDB (moto) is detected by the offline verifier that `corridor audit verify` runs.
import { DeleteItemCommand, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { shardOf, timeBucket, type AuditEvent } from '../../lambdas/core/audit.ts';
import { SEALING_BOUND_SECONDS } from '../../lambdas/core/seals.ts';
import { eventLeafHash } from '../../lambdas/core/merkle.ts';
import { bundle, sealNow } from '../helpers/audit.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange } from '../helpers/moto-exchange.ts';

let x: MotoExchange;
let olaf: TestAgency;
let sealedEvents: AuditEvent[];

beforeAll(async () => {
  x = await MotoExchange.start();
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  const douane = await x.agency('NL-DOUANE', ['customs']);
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await publish(x, bafa);
  for (let i = 0; i < 6; i++) await x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
  await sealNow(x);
  sealedEvents = (await x.auditEvents()).filter((e) => e.action !== undefined);
}, 60_000);

afterAll(async () => {
  await x?.stop();
});

const audit = () => x.tables.audit;
const get = async (pk: string) => (await x.clients.dynamodb.send(new GetItemCommand({ TableName: audit(), Key: { pk: { S: pk } } }))).Item!;
const put = (item: Record<string, AttributeValue>) => x.clients.dynamodb.send(new PutItemCommand({ TableName: audit(), Item: item }));
const check = async () => verifyAuditLog(await bundle(x, olaf), { complete: true });

/** Apply a tamper, verify, restore. */
async function tampered(pk: string, change: (item: Record<string, AttributeValue>) => Promise<void>): Promise<string[]> {
  const original = await get(pk);
  await change(structuredClone(original));
  try {
    return (await check()).problems;
  } finally {
    await put(original);
  }
}

describe('audit tampering on moto', () => {
  beforeEach(async () => {
    expect((await check()).problems).toEqual([]);
  });

  it('an event with an edited field', async () => {
    const e = sealedEvents[3]!;
    const problems = await tampered(e.id, async (item) => {
      await put({ ...item, event: { S: JSON.stringify({ ...e, decision: 'deny', status: 403 }) } });
    });
    expect(problems).toContain(`event ${e.id} changed: its content no longer matches its hash`);
  });

  it('an event edited with its hash recomputed', async () => {
    const e = sealedEvents[2]!;
    const problems = await tampered(e.id, async (item) => {
      const forged = { ...e, sourceIp: '10.0.0.1' };
      await put({ ...item, event: { S: JSON.stringify({ ...forged, hash: eventLeafHash(forged as unknown as Record<string, unknown>) }) } });
    });
    // its sealed original is gone from the log; the forged copy, as young as the newest sealed event, could still be
    // waiting for its seal (seals of the stream interleave), so the missing leaf is what names the edit
    expect(problems.some((p) => /leaf \d+ has no event \(removed or hidden\)/.test(p))).toBe(true);
  });

  it('a deleted event', async () => {
    const e = sealedEvents[4]!;
    const problems = await tampered(e.id, async () => {
      await x.clients.dynamodb.send(new DeleteItemCommand({ TableName: audit(), Key: { pk: { S: e.id } } }));
    });
    expect(problems).toEqual([expect.stringMatching(/^seal 0 leaf \d+ has no event \(removed or hidden\)$/)]);
  });

  it('an inserted forged event', async () => {
    const model = await get(sealedEvents[1]!.id);
    // older than every event could be and still wait for its seal (SEALING_BOUND_SECONDS before the newest sealed one)
    const forged = { ...sealedEvents[1]!, id: `ev-${'F'.repeat(43)}`, requestId: 'forged', ts: new Date(Date.parse(sealedEvents[1]!.ts) - (SEALING_BOUND_SECONDS + 60) * 1000).toISOString() };
    const withHash = { ...forged, hash: eventLeafHash(forged as unknown as Record<string, unknown>) };
    await put({ ...model, pk: { S: forged.id }, event: { S: JSON.stringify(withHash) }, tsId: { S: `${forged.ts}#${forged.id}` }, tbucket: { S: timeBucket(forged.ts, shardOf(forged.id)) } });
    try {
      expect((await check()).problems).toEqual([
        `event ${forged.id} is in no seal (inserted after sealing)`,
        // backdated past the response key that its copied responseKid names: the key history says so too
        expect.stringMatching(new RegExp(`^event ${forged.id} \\(ts [^)]+\\) was answered with response key \\S+, created only at `)),
      ]);
    } finally {
      await x.clients.dynamodb.send(new DeleteItemCommand({ TableName: audit(), Key: { pk: { S: forged.id } } }));
    }
  });

  it('a seal whose leaves were reordered, and a seal whose signature was altered', async () => {
    const reordered = await tampered('SEAL#000000000000', async (item) => {
      const leaves = item.leaves!.L!;
      [leaves[0], leaves[1]] = [leaves[1]!, leaves[0]!];
      await put(item);
    });
    expect(reordered).toContain('seal 0: the leaf hashes do not rebuild its signed root (a leaf was changed, removed, inserted or reordered)');
    const altered = await tampered('SEAL#000000000000', async (item) => {
      const jws = item.jws!.S!;
      const [h, p, s] = jws.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
      await put({ ...item, jws: { S: `${h}.${Buffer.from(JSON.stringify({ ...payload, count: 1 })).toString('base64url')}.${s}` } });
    });
    expect(altered).toEqual([expect.stringMatching(/^seal 0 altered: /)]);
  });
});
