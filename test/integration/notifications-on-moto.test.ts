// Notifications on moto, the way AWS runs them: the outbox item rides the audit table's DynamoDB stream, the local
// poller (the event source mappings' stand-in) hands it to the notifier batch, the delivery queue (SQS with its
// redrive dead-letter queue) to the deliverer batch, and a real HTTP receiver on loopback gets the POST.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClientConfig } from '../../lambdas/adapters/aws/aws-services.ts';
import { SqsNotificationQueue } from '../../lambdas/adapters/aws/sqs-notification-queue.ts';
import { NodeWebhookPoster } from '../../lambdas/adapters/http/node-webhook-poster.ts';
import { LOCAL_ENDPOINTS } from '../../lambdas/core/notifications/endpoint-rules.ts';
import { scaledSchedule } from '../../lambdas/core/notifications/retry-schedule.ts';
import { DnsHostResolver } from '../../lambdas/adapters/http/dns-host-resolver.ts';
import { queueBatch, streamBatch } from '../../lambdas/handlers/notify-batches.ts';
import { createQueues } from '../../lambdas/local/bootstrap.ts';
import { DynamoDBStreamsClient, startNotificationPoller, type Poller } from '../../lambdas/local/notification-poller.ts';
import { NOTIFY_QUEUE } from '../../lambdas/definitions.ts';
import { scanOverdue } from '../../lambdas/core/psv-overdue.ts';
import { psvRequestBody } from '../helpers/end-use.ts';
import { publish } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange, REGION } from '../helpers/moto-exchange.ts';

interface Hit { headers: IncomingHttpHeaders; body: string }

let x: MotoExchange;
let poller: Poller;
let sqs: SQSClient;
let streams: DynamoDBStreamsClient;
let queueUrl: string;
let server: Server;
let port: number;
const hits: Hit[] = [];
/** What the receiver answers next (then 204). */
const answers: number[] = [];
let bafa: TestAgency, nl: TestAgency;

const waitFor = async <T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  x = await MotoExchange.start();
  (x.services as { endpoints?: unknown }).endpoints = { policy: LOCAL_ENDPOINTS, resolver: new DnsHostResolver() };
  const cfg = { region: REGION, awsEndpoint: x.emulator.endpoint };
  sqs = new SQSClient(sdkClientConfig(cfg));
  streams = new DynamoDBStreamsClient(sdkClientConfig(cfg));
  queueUrl = (await createQueues(sqs))[NOTIFY_QUEUE.envVar]!;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const queue = new SqsNotificationQueue(sqs, queueUrl);
  poller = await startNotificationPoller({
    dynamodb: x.clients.dynamodb, streams, sqs, auditTable: x.tables.audit, queueUrl,
    stream: [streamBatch({ services: x.services, queue })],
    deliver: queueBatch({ services: x.services, queue, poster: new NodeWebhookPoster(), policy: LOCAL_ENDPOINTS, schedule: scaledSchedule(0.02) }),
    busyMs: 20, idleMs: 50,
  });
  bafa = await x.agency('DE-BAFA', ['licensing']);
  nl = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  expect((await x.call(nl, 'subscription.put', { endpoint: `http://127.0.0.1:${port}/hook`, events: ['license.status'] })).status).toBe(200);
  expect((await publish(x, bafa)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await poller?.stop();
  server?.close();
  sqs?.destroy();
  streams?.destroy();
  await x?.stop();
});

describe('stream → notifier → queue → deliverer on moto', () => {
  it('a suspension reaches the receiver as a signed POST, recorded delivered and audited', async () => {
    const s = await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'under review' });
    expect(s.status).toBe(200);
    const hit = await waitFor('the POST', () => hits[0]);
    expect(hit.headers['content-type']).toBe('application/jose');
    expect(hit.headers['webhook-id']).toMatch(/^ntf-/);
    // signed under the exchange's published response key
    const { claims, header } = await x.open({ status: 200, contentType: 'application/jose', body: hit.body });
    expect(header.typ).toBe('corridor-notification+jws');
    expect(claims).toMatchObject({ aud: 'NL-DOUANE', evt: 'license.status', jti: hit.headers['webhook-id'], data: { status: 'suspended', previous: 'active' } });
    expect(claims.data).not.toHaveProperty('reason');
    const listed = await waitFor('the delivered record', async () => {
      const l = await x.call(nl, 'notification.list', {});
      const n = (l.result.notifications as { jws: string; delivery: { state: string } }[])[0];
      return n?.delivery.state === 'delivered' ? n : undefined;
    });
    expect(listed.jws).toBe(hit.body);
    const events = (await x.auditEvents()).filter((e) => e.action === 'notification.deliver');
    expect(events.map((e) => e.details)).toEqual([{ notification: { evt: 'license.status', attempt: 1, result: 'delivered', state: 'delivered', httpStatus: 204 } }]);
    expect(events[0]!.sourceIp).toBe('127.0.0.1');
  });

  it('a receiver that refuses twice still gets it, with the same jti and body', async () => {
    hits.length = 0;
    answers.push(500, 503);
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'active', reason: 'cleared' });
    await waitFor('three POSTs', () => (hits.length >= 3 ? true : undefined));
    expect(new Set(hits.map((h) => h.headers['webhook-id'])).size).toBe(1);
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
    const attempts = await waitFor('three attempts audited', async () => {
      const e = (await x.auditEvents()).filter((ev) => ev.action === 'notification.deliver' && ev.requestId.startsWith(String(hits[0]!.headers['webhook-id'])));
      return e.length === 3 ? e : undefined;
    });
    expect(attempts.map((e) => (e.details!.notification as { result: string }).result)).toEqual(['rejected', 'rejected', 'delivered']);
  });

  it('the tables hold the notification and its notices only encrypted', async () => {
    const raw = JSON.stringify([
      ...((await x.clients.dynamodb.send(new ScanCommand({ TableName: x.tables.notifications }))).Items ?? []),
      ...((await x.clients.dynamodb.send(new ScanCommand({ TableName: x.tables.audit }))).Items ?? []),
    ]);
    for (const secret of ['under review', 'cleared', hits[0]!.body.slice(0, 40)]) expect(raw.includes(secret), secret).toBe(false);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0' });
  });
});

describe('psv.overdue on moto', () => {
  it('the scheduled scan, 61 days on, commits one notice that reaches both sides of the case through stream and queue; a second scan adds none', async () => {
    hits.length = 0;
    const mti = await x.agency('SG-MTI', ['euc-issuer']);
    expect((await x.call(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] })).status).toBe(201);
    for (const a of [bafa, mti]) expect((await x.call(a, 'subscription.put', { endpoint: `http://127.0.0.1:${port}/psv/${a.agencyId}`, events: ['psv.overdue'] })).status).toBe(200);
    const requested = await x.call(bafa, 'psv.request', psvRequestBody({ dueDate: new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10) }));
    expect(requested.status).toBe(201);

    // the exchange as it will be 61 days from now: the same tables, keys and cipher
    const later = { ...x.services, clock: { now: () => Date.now() + 61 * 86_400_000 } };
    expect(await scanOverdue(later)).toEqual({ examined: 1, notified: 1, truncated: false });
    const posts = await waitFor('both POSTs', () => (hits.length >= 2 ? hits.slice() : undefined));
    const claims = await Promise.all(posts.map(async (h) => (await x.open({ status: 200, contentType: 'application/jose', body: h.body })).claims));
    expect(claims.map((c) => c.aud).sort()).toEqual(['DE-BAFA', 'SG-MTI']);
    for (const c of claims) {
      expect(c).toMatchObject({ evt: 'psv.overdue', sub: { caseType: 'psv', requester: 'DE-BAFA', caseId: 'PSV-2026-001' }, data: { status: 'overdue', licenseId: 'DE-2026-000123', dueDate: requested.result.dueDate } });
    }
    expect((await x.auditEvents()).filter((e) => e.action === 'psv.overdue').map((e) => e.details)).toEqual([{ checker: 'SG-MTI', dueDate: requested.result.dueDate }]);
    expect(await scanOverdue(later)).toEqual({ examined: 0, notified: 0, truncated: false });
  });
});
