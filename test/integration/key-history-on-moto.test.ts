// Key transparency on DynamoDB and KMS (moto), issue 16 item 5: real key changes — an agency adding, retiring and
// the operator revoking keys, the exchange rotating its response key — are sealed events from which the key history
// is rebuilt offline; every answer's response kid checks out against it; a rewritten key event is caught.
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/client/audit-verify.ts';
import { keyHistory, keysActiveAt, statusAt } from '../../lambdas/client/key-history.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import { allEvents, bundle, sealNow } from '../helpers/audit.ts';
import { makeKey } from '../helpers/keys.ts';
import { EXCHANGE_ID, type TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange } from '../helpers/moto-exchange.ts';

let x: MotoExchange;
let olaf: TestAgency;
let from: string;
const marks: Record<string, string> = {};
const rsp: string[] = [];
let bafa2Thumbprint: string;

/** A moment strictly between two steps: events of one step and the next never share a millisecond with it. */
async function mark(name: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  marks[name] = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
}

beforeAll(async () => {
  from = new Date(Date.now() - 3_600_000).toISOString();
  x = await MotoExchange.start();
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  rsp.push((await x.services.responseKeys.signingKey()).kid);
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  await mark('created');
  const k2 = await makeKey('bafa-2');
  const k3 = await makeKey('bafa-3');
  bafa2Thumbprint = await calculateJwkThumbprint(k2.publicJwk);
  expect((await x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-2', jwk: k2.publicJwk }] })).status).toBe(200);
  await mark('added');
  rsp.push((await x.services.responseKeys.rotate()).current);
  await mark('rotated');
  const signer2 = { ...bafa, privateJwk: k2.privateJwk };
  expect((await x.call(signer2, 'agency.keys', { retire: ['de-bafa-1'], add: [{ kid: 'bafa-3', jwk: k3.publicJwk }] })).status).toBe(200);
  await mark('retired');
  expect((await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', revoke: ['bafa-2'] })).status).toBe(200);
  await mark('revoked');
  await sealNow(x);
}, 60_000);

afterAll(async () => {
  await x?.stop();
});

async function sealedEvents(): Promise<{ events: AuditEvent[]; problems: string[]; checked: number }> {
  const events = await allEvents(x, olaf, { from });
  const report = await verifyAuditLog(await bundle(x, olaf, events), { complete: false });
  return { events: events.filter((e) => !report.pending.includes(e.id)), problems: report.problems, checked: report.responseKids.checked };
}

describe('key history from sealed events on moto', () => {
  it("rebuilds DE-BAFA's keys with thumbprints and the keys active at each moment", async () => {
    const { events, problems, checked } = await sealedEvents();
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(5); // the five calls' answers at least, each signed by a response key active then
    const h = keyHistory(events, 'DE-BAFA');
    expect(h.map((k) => k.kid)).toEqual(['de-bafa-1', 'bafa-2', 'bafa-3']);
    expect(h[1]!.thumbprint).toBe(bafa2Thumbprint);
    expect(keysActiveAt(h, marks.created!).map((k) => k.kid)).toEqual(['de-bafa-1']);
    expect(keysActiveAt(h, marks.added!).map((k) => k.kid)).toEqual(['de-bafa-1', 'bafa-2']);
    expect(keysActiveAt(h, marks.retired!).map((k) => k.kid)).toEqual(['bafa-2', 'bafa-3']);
    expect(keysActiveAt(h, marks.revoked!).map((k) => k.kid)).toEqual(['bafa-3']);
    expect(h.map((k) => statusAt(k, marks.revoked!))).toEqual(['retired', 'revoked', 'active']);
  });

  it("rebuilds the exchange's response keys: the rotation made the first one previous", async () => {
    const { events } = await sealedEvents();
    const h = keyHistory(events, EXCHANGE_ID);
    expect(h.map((k) => [k.kid, k.purpose])).toEqual(rsp.map((kid) => [kid, 'response']));
    expect(keysActiveAt(h, marks.added!).map((k) => [k.kid, k.status])).toEqual([[rsp[0], 'active']]);
    expect(keysActiveAt(h, marks.rotated!).map((k) => [k.kid, k.status])).toEqual([[rsp[0], 'previous'], [rsp[1], 'active']]);
  });

  it('a key event rewritten in DynamoDB (another thumbprint) is caught before its history is believed', async () => {
    const { events } = await sealedEvents();
    const added = events.find((e) => e.action === 'agency.keys' && JSON.stringify(e.details).includes('bafa-2'))!;
    const key = { pk: { S: added.id } };
    const item = (await x.clients.dynamodb.send(new GetItemCommand({ TableName: x.tables.audit, Key: key }))).Item!;
    const forged = { ...added, details: { keyChanges: [{ ...(added.details!.keyChanges as object[])[0], thumbprint: 'A'.repeat(43) }] } };
    await x.clients.dynamodb.send(new PutItemCommand({ TableName: x.tables.audit, Item: { ...item, event: { S: JSON.stringify(forged) } } }));
    try {
      expect((await sealedEvents()).problems).toContain(`event ${added.id} changed: its content no longer matches its hash`);
    } finally {
      await x.clients.dynamodb.send(new PutItemCommand({ TableName: x.tables.audit, Item: item }));
    }
  });
});
