// The exchange on DynamoDB + KMS (moto): encryption at rest, integrity, one-transaction audit, replay guard.
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEventId } from '../../lambdas/core/audit.ts';
import { signRequest } from '../../lambdas/client/signing.ts';
import { eucDoc, licenseDoc, publish, publishEuc, shipment } from '../helpers/licenses.ts';
import { EXCHANGE_ID, type TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange } from '../helpers/moto-exchange.ts';

let x: MotoExchange;
let bafa: TestAgency;
let fr: TestAgency;
let douane: TestAgency;

beforeAll(async () => {
  x = await MotoExchange.start();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  fr = await x.agency('FR-DGDDI', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs'], 'EdDSA');
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['read'] });
  await x.call(fr, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  expect((await publish(x, bafa)).status).toBe(201);
  expect((await publish(x, fr, licenseDoc({ issuer: 'FR-DGDDI', licenseId: 'FR-2026-1' }))).status).toBe(201);
  const mti = await x.agency('SG-MTI', ['euc-issuer']);
  expect((await publishEuc(x, mti, eucDoc())).status).toBe(201);
  await x.call(mti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'suspended', reason: 'Straits Photonics site visit' });
});

afterAll(async () => {
  await x?.stop();
});

const verify = (issuer = 'DE-BAFA', licenseId = 'DE-2026-000123') => x.call(douane, 'license.verify', { issuer, licenseId, shipment: shipment({ exporter: { name: 'Optik Werke GmbH' } }) });

describe('on DynamoDB and KMS (moto)', () => {
  it('publishes and verifies end to end; the answer carries the document only with read', async () => {
    const a = await verify();
    expect(a.status).toBe(200);
    expect(a.result.outcome).toBe('valid');
    expect(a.result.document).toMatch(/^ey/);
    const b = await verify('FR-DGDDI', 'FR-2026-1');
    expect(b.result.outcome).toBe('valid');
    expect(b.result.document).toBeUndefined();
  });

  it('the raw tables hold no exporter or end-user name, item, quantity text, end use or JWS string (licenses and certificates)', async () => {
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'active', reason: 'Optik Werke reviewed' });
    const raw = JSON.stringify([...(await x.scan('registry')), ...(await x.scan('documents')), ...(await x.scan('audit'))], (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    for (const needle of ['Optik Werke', 'Thermal imaging', 'Lumen Trading', 'Straits Photonics', 'Fusionopolis', 'infrared sensing', 'no military', 'site visit', 'eyJhbGciOi', 'reviewed']) expect(raw).not.toContain(needle);
  });

  it('a ciphertext moved to another record (same owner: GCM AAD; other owner: KMS context) is refused with 503', async () => {
    const docs = x.tables.documents;
    const src = await x.clients.dynamodb.send(new GetItemCommand({ TableName: docs, Key: { pk: { S: 'LICENSE#DE-BAFA#DE-2026-000123' }, sk: { S: 'V#0000000001' } } }));
    const fresh = (await x.clients.dynamodb.send(new GetItemCommand({ TableName: docs, Key: { pk: { S: 'LICENSE#FR-DGDDI#FR-2026-1' }, sk: { S: 'CUR#HEAD' } } }))).Item!;
    await x.clients.dynamodb.send(new PutItemCommand({ TableName: docs, Item: { ...fresh, doc: src.Item!.doc! } }));
    const moved = await verify('FR-DGDDI', 'FR-2026-1');
    expect(moved.status).toBe(503);
    expect(moved.problem.type).toBe('urn:corridor:problem:integrity-failure');
    expect(moved.result).toBeUndefined();
    await x.clients.dynamodb.send(new PutItemCommand({ TableName: docs, Item: fresh }));
    expect((await verify('FR-DGDDI', 'FR-2026-1')).status).toBe(200);
  });

  it('a mutation and its audit event commit in one transaction: if the event cannot be written, nothing changes', async () => {
    const before = await x.snapshot();
    const jti = 'preclaimed-jti-000001';
    // occupy the event id this request will need, as a racing duplicate would
    await x.clients.dynamodb.send(new PutItemCommand({ TableName: x.tables.audit, Item: { pk: { S: acceptedEventId('DE-BAFA', jti) }, event: { S: '{}' } } }));
    const { jws } = await signRequest(bafa, EXCHANGE_ID, 'license.status', { licenseId: 'DE-2026-000123', status: 'revoked', reason: 'x' }, { jti });
    const a = await x.send('license.status', jws);
    expect(a.status).toBe(401);
    expect(a.problem.type).toBe('urn:corridor:problem:request-replayed');
    expect(await x.snapshot()).toBe(before);
    await x.clients.dynamodb.send(new DeleteItemCommand({ TableName: x.tables.audit, Key: { pk: { S: acceptedEventId('DE-BAFA', jti) } } }));
  });

  it('a reused jti is refused by the conditional write, and the refusal is audited', async () => {
    const { jws } = await signRequest(douane, EXCHANGE_ID, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
    expect((await x.send('license.verify', jws)).status).toBe(200);
    const events = (await x.auditEvents()).length;
    const again = await x.send('license.verify', jws);
    expect(again.status).toBe(401);
    expect(again.result).toBeUndefined();
    expect((await x.auditEvents()).length).toBe(events + 1);
  });

  it('an audit write that fails (DynamoDB error) answers 503 without auditId and changes nothing', async () => {
    const before = await x.snapshot();
    const events = (await x.auditEvents()).length;
    const fail = 'fail-audit';
    x.clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' || context.commandName === 'PutItemCommand') throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        return next(args);
      },
      { step: 'initialize', name: fail },
    );
    try {
      const a = await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'x' });
      expect(a.status).toBe(503);
      expect(a.claims.auditId).toBeUndefined();
    } finally {
      x.clients.dynamodb.middlewareStack.remove(fail);
    }
    expect(await x.snapshot()).toBe(before);
    expect((await x.auditEvents()).length).toBe(events);
  });

  it('every event has the protocol.md §6 fields, a correct leaf hash and no document content', async () => {
    const { eventLeafHash } = await import('../../lambdas/core/merkle.ts');
    const events = await x.auditEvents();
    expect(events.length).toBeGreaterThan(10);
    for (const e of events) {
      expect(e).toMatchObject({ id: expect.any(String), ts: expect.any(String), exchangeId: EXCHANGE_ID, decision: expect.stringMatching(/allow|deny/), status: expect.any(Number), rqd: expect.any(String), rsd: expect.any(String), sourceIp: expect.any(String), requestId: expect.any(String) });
      expect(e.hash).toBe(eventLeafHash(e as unknown as Record<string, unknown>));
      // a JWS (eyJ… . … .), not a bare `eyJ`, which random base64url ids and thumbprints contain by chance
      expect(JSON.stringify(e)).not.toMatch(/Optik|Thermal|eyJ[\w-]*\.[\w-]*\./);
    }
  });
});
