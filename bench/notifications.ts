/**
 * `npm run bench -- --only notifications` (docs/performance.md "Notifications"): the delay from the commit of a change
 * to the delivery of its notifications in local mode (moto, the local poller standing in for the event source
 * mappings, a real receiver on loopback), and what a million notifications cost: every DynamoDB, KMS and SQS call
 * of the notification pipeline counted by SDK middleware against moto (DynamoDB capacity units from item sizes and
 * the tables' indexes, bench/capacity.ts), the sealing of the delivery audit events included, with Lambda time and
 * the rest from bench/prices.json and stated assumptions.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sdkClientConfig } from '../lambdas/adapters/aws/aws-services.ts';
import { SqsNotificationQueue } from '../lambdas/adapters/aws/sqs-notification-queue.ts';
import { NodeWebhookPoster } from '../lambdas/adapters/http/node-webhook-poster.ts';
import { DnsHostResolver } from '../lambdas/adapters/http/dns-host-resolver.ts';
import { LOCAL_ENDPOINTS } from '../lambdas/core/notifications/endpoint-rules.ts';
import { DEFAULT_SCHEDULE } from '../lambdas/core/notifications/retry-schedule.ts';
import { sealAll } from '../lambdas/core/sealer.ts';
import { queueBatch, streamBatch } from '../lambdas/handlers/notify-batches.ts';
import { createQueues } from '../lambdas/local/bootstrap.ts';
import { DynamoDBStreamsClient, startNotificationPoller, type Poller } from '../lambdas/local/notification-poller.ts';
import { NOTIFY_QUEUE, TABLES } from '../lambdas/definitions.ts';
import { publish } from '../test/helpers/licenses.ts';
import { MotoExchange, REGION } from '../test/helpers/moto-exchange.ts';
import { CapacityMeter, emptyCapacity, itemSize, type Capacity } from './capacity.ts';
import { PRICES } from './cost.ts';

export interface NotificationBench {
  receivers: number;
  changes: number;
  /** Commit (the answer to license.status) → POST received, ms, one sample per notification. */
  delaysMs: number[];
  /** Per notification, the pipeline after the commit: fan-out, delivery, its audit event and that event's sealing. */
  perNotification: { rru: number; wru: number; indexWru: Record<string, number>; dynamodbCalls: Record<string, number>; kmsCalls: number; sqsCalls: Record<string, number> };
  /** Per change, what the outbox item adds to the request that caused it (a transactional write). */
  outboxWruPerChange: number;
}

type Middleware = (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<{ output: unknown }>;
interface Stackable { middlewareStack: { add(m: Middleware, o: { step: 'initialize'; name: string }): void } }

function counting(client: unknown, into: (command: string, input: unknown, output: unknown) => void): void {
  (client as Stackable).middlewareStack.add((next, context) => async (args) => {
    const result = await next(args);
    into(context.commandName ?? 'unknown', args.input, result.output);
    return result;
  }, { step: 'initialize', name: 'corridorNotificationBench' });
}

const until = async (what: string, done: () => boolean, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`bench notifications: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

export async function notificationBench(changes = 20, receivers = 5): Promise<NotificationBench> {
  const x = await MotoExchange.start();
  const cfg = { region: REGION, awsEndpoint: x.emulator.endpoint };
  const sqs = new SQSClient(sdkClientConfig(cfg));
  const streams = new DynamoDBStreamsClient(sdkClientConfig(cfg));
  const server = createServer();
  let poller: Poller | undefined;
  try {
    (x.services as { endpoints?: unknown }).endpoints = { policy: LOCAL_ENDPOINTS, resolver: new DnsHostResolver() };
    const queueUrl = (await createQueues(sqs))[NOTIFY_QUEUE.envVar]!;
    const meter = new CapacityMeter(Object.fromEntries(TABLES.map((def) => [x.tables[def.id], def])));
    let capacity: Capacity = emptyCapacity();
    let dynamodbCalls: Record<string, number> = {};
    let sqsCalls: Record<string, number> = {};
    let kmsCalls = 0;
    const reset = (): void => { capacity = emptyCapacity(); dynamodbCalls = {}; sqsCalls = {}; kmsCalls = 0; };
    counting(x.clients.dynamodb, (c, input, output) => {
      dynamodbCalls[c] = (dynamodbCalls[c] ?? 0) + 1;
      const u = meter.units(c, input, output);
      capacity.rru += u.rru;
      capacity.wru += u.wru;
      for (const [index, w] of Object.entries(u.indexWru)) capacity.indexWru[index] = (capacity.indexWru[index] ?? 0) + w;
    });
    counting(x.clients.kms, () => { kmsCalls++; });
    // An empty receive is the poller idling (Lambda's mapping polls whatever the load): only receives with messages count.
    counting(sqs, (c, _i, output) => {
      if (c === 'ReceiveMessageCommand' && !((output as { Messages?: unknown[] }).Messages?.length)) return;
      sqsCalls[c] = (sqsCalls[c] ?? 0) + 1;
    });

    const arrivals = new Map<string, number>();
    server.on('request', (req, res) => {
      req.resume().on('end', () => {
        arrivals.set(`${req.url}|${String(req.headers['webhook-id'])}`, performance.now());
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;

    const bafa = await x.agency('DE-BAFA', ['licensing']);
    for (let i = 0; i < receivers; i++) {
      const id = `NL-CUSTOMS${i}`;
      const a = await x.agency(id, ['customs']);
      await x.call(bafa, 'agreement.put', { partner: id, documentType: 'license', permissions: ['verify'] });
      await x.call(a, 'subscription.put', { endpoint: `http://127.0.0.1:${port}/${id}`, events: ['license.status'] });
    }
    await publish(x, bafa);
    const queue = new SqsNotificationQueue(sqs, queueUrl);
    const startPoller = async (): Promise<Poller> => startNotificationPoller({
      dynamodb: x.clients.dynamodb, streams, sqs, auditTable: x.tables.audit, queueUrl,
      stream: [streamBatch({ services: x.services, queue })],
      deliver: queueBatch({ services: x.services, queue, poster: new NodeWebhookPoster(), policy: LOCAL_ENDPOINTS, schedule: DEFAULT_SCHEDULE }),
    });
    const status = (i: number) => x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: i % 2 ? 'active' : 'suspended', reason: `bench ${i}` });

    // Delay: one change at a time, the poller running as `npm start` runs it.
    poller = await startPoller();
    const delaysMs: number[] = [];
    for (let i = 0; i < changes; i++) {
      const before = arrivals.size;
      await status(i);
      const committed = performance.now();
      const seen = new Set(arrivals.keys());
      await until('deliveries', () => arrivals.size >= before + receivers);
      for (const [k, t] of arrivals) if (!seen.has(k)) delaysMs.push(t - committed);
    }
    await poller.stop();
    poller = undefined;

    // Cost: the changes with the pipeline stopped (their own calls apart), then the pipeline alone, then sealing.
    for (let i = 0; i < changes; i++) await status(changes + i);
    reset();
    const delivered = arrivals.size;
    poller = await startPoller();
    await until('the cost run', () => arrivals.size >= delivered + changes * receivers);
    await poller.stop();
    poller = undefined;
    await sealAll(x.services, x.services.sealSigner);
    const n = changes * receivers;
    const per = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v / n]));
    // The outbox item's share of the change: its size as a transactional put (2 WRU per KB), read back from the table.
    const outboxItems = (await x.scan('audit')).filter((i) => i.pk?.S?.startsWith('OUTBOX#'));
    const outboxWruPerChange = outboxItems.length ? 2 * Math.max(1, Math.ceil(itemSize(outboxItems[0]!) / 1024)) : 0;
    return {
      receivers, changes, delaysMs,
      perNotification: { rru: capacity.rru / n, wru: capacity.wru / n, indexWru: per(capacity.indexWru), dynamodbCalls: per(dynamodbCalls), kmsCalls: kmsCalls / n, sqsCalls: per(sqsCalls) },
      outboxWruPerChange,
    };
  } finally {
    await poller?.stop();
    server.close();
    sqs.destroy();
    streams.destroy();
    await x.stop();
  }
}

/** Assumptions of the notification cost model: what a local run cannot measure. */
export const NOTIFY_ASSUMPTIONS = {
  /** A partner endpoint's answer time, billed as deliverer wall time (one attempt per notification; no batching credit). */
  endpointMs: 200,
  /** Notifier wall time per change fanned out (agreement query, signing, one write per receiver). */
  notifierMsPerChange: 100,
  memoryGb: 0.5,
  /** Lambda's START/END/REPORT lines: none at system log level WARN (lib/constructs/handler-function.ts). */
  platformLogBytes: 0,
  sqsRequestsPerMillionUsd: 0.4,
};

export interface NotifyCostLine { item: string; usd: number; formula: string }

/** Dollars per million notifications delivered at the first attempt, from what the bench counted. */
export function notificationCost(b: NotificationBench): NotifyCostLine[] {
  const p = (k: string): number => PRICES[k]!.usd;
  const a = NOTIFY_ASSUMPTIONS;
  const n = b.perNotification;
  const sqsRequests = Object.values(n.sqsCalls).reduce((s, v) => s + v, 0);
  const invocations = 1 + 1 / b.receivers;
  const gbSeconds = a.memoryGb * (a.endpointMs + a.notifierMsPerChange / b.receivers) / 1000;
  return [
    { item: 'DynamoDB writes (records, delivery commit + audit event and its indexes, sealing)', usd: n.wru * p('dynamodbWriteRequestUnitPerMillion'), formula: `${n.wru.toFixed(2)} WRU × $${p('dynamodbWriteRequestUnitPerMillion')}/M` },
    { item: 'DynamoDB reads (subscriptions, agreements, records)', usd: n.rru * p('dynamodbReadRequestUnitPerMillion'), formula: `${n.rru.toFixed(2)} RRU × $${p('dynamodbReadRequestUnitPerMillion')}/M` },
    { item: `outbox item in the change's transaction (per change, ÷ ${b.receivers} receivers)`, usd: (b.outboxWruPerChange / b.receivers) * p('dynamodbWriteRequestUnitPerMillion'), formula: `${b.outboxWruPerChange} WRU / ${b.receivers} × $${p('dynamodbWriteRequestUnitPerMillion')}/M` },
    { item: 'SQS requests (send, receive, delete)', usd: sqsRequests * a.sqsRequestsPerMillionUsd, formula: `${sqsRequests.toFixed(2)} requests × $${a.sqsRequestsPerMillionUsd}/M` },
    { item: 'Lambda requests (deliverer per notification, notifier per change)', usd: invocations * p('lambdaRequestsPerMillion'), formula: `${invocations.toFixed(2)} × $${p('lambdaRequestsPerMillion')}/M` },
    { item: 'Lambda duration (arm64)', usd: gbSeconds * 1e6 * p('lambdaArmPerGbSecond'), formula: `${a.memoryGb} GB × (${a.endpointMs} ms endpoint + ${a.notifierMsPerChange} ms / ${b.receivers}) × $${p('lambdaArmPerGbSecond')}/GB-s` },
    { item: 'KMS (data keys, cached)', usd: n.kmsCalls * (p('kmsSymmetricRequestsPer10k') * 100), formula: `${n.kmsCalls.toFixed(3)} calls × $${p('kmsSymmetricRequestsPer10k')}/10k` },
    { item: 'CloudWatch Logs (platform lines)', usd: (invocations * a.platformLogBytes / 1e9) * 1e6 * p('cloudwatchLogsIngestPerGb'), formula: `${invocations.toFixed(2)} × ${a.platformLogBytes} B × $${p('cloudwatchLogsIngestPerGb')}/GB` },
  ];
}
