// `corridor notifications refan` on moto: with no stream poller running (the notifier's records lost to the
// StreamFailures queue), committed changes have outbox items but no notifications. The command, run in process
// against the tables and the delivery queue, makes the in-range item's notification and queues it once; running it
// again makes no second notification, and once delivered queues nothing; items outside --since/--until stay untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli/output.ts';
import { sdkClientConfig } from '../../lambdas/adapters/aws/aws-services.ts';
import { SqsNotificationQueue } from '../../lambdas/adapters/aws/sqs-notification-queue.ts';
import { DnsHostResolver } from '../../lambdas/adapters/http/dns-host-resolver.ts';
import { LOCAL_ENDPOINTS } from '../../lambdas/core/notifications/endpoint-rules.ts';
import { notificationJti } from '../../lambdas/core/notifications/notification-jws.ts';
import type { WebhookPoster } from '../../lambdas/core/notifications/queue.ts';
import { notificationPk } from '../../lambdas/core/notifications/records.ts';
import { scaledSchedule } from '../../lambdas/core/notifications/retry-schedule.ts';
import { KMS_KEYS, NOTIFY_QUEUE, TABLES } from '../../lambdas/definitions.ts';
import { queueBatch } from '../../lambdas/handlers/notify-batches.ts';
import { createQueues } from '../../lambdas/local/bootstrap.ts';
import { writeLocalFile } from '../../lambdas/local/local-file.ts';
import { runCli as cli } from '../helpers/cli-run.ts';
import { publish } from '../helpers/licenses.ts';
import { EXCHANGE_ID, type TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange, REGION } from '../helpers/moto-exchange.ts';

let x: MotoExchange;
let sqs: SQSClient;
let queueUrl: string;
let home: string;
let bafa: TestAgency, nl: TestAgency;
const savedEnv = { ...process.env };
/** What the fake receiver was asked to POST: only the jti, to count attempts. */
const posted: string[] = [];
const poster: WebhookPoster = {
  post: async (req) => {
    posted.push(req.headers['webhook-id']!);
    return { kind: 'answered', status: 204, answerDigest: '', address: '127.0.0.1' };
  },
};

/** The environment of a deployed storage command (docs/operating.md §1), pointed at moto. */
function deployedEnv(): void {
  process.env.CORRIDOR_EXCHANGE_ID = EXCHANGE_ID;
  process.env.AWS_REGION = REGION;
  process.env.CORRIDOR_AWS_ENDPOINT = x.emulator.endpoint;
  for (const t of TABLES) process.env[t.envVar] = x.tables[t.id];
  process.env[KMS_KEYS.find((k) => k.id === 'payload')!.envVar] = x.payloadKeyId;
  process.env[KMS_KEYS.find((k) => k.id === 'seal')!.envVar] = x.sealKeyId;
  process.env[NOTIFY_QUEUE.envVar] = queueUrl;
}

const outboxIds = async (): Promise<string[]> => (await x.scan('audit')).map((i) => i.pk!.S!).filter((pk) => pk.startsWith('OUTBOX#')).sort();
const records = async () => (await x.scan('notifications')).map((i) => ({ receiver: i.pk!.S!, jti: i.jti?.S, state: i.state?.S }));
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

async function receiveAll(): Promise<{ messageId: string; body: string; receiptHandle: string }[]> {
  const got: { messageId: string; body: string; receiptHandle: string }[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
    if (!out.Messages?.length) return got;
    got.push(...out.Messages.map((m) => ({ messageId: m.MessageId!, body: m.Body!, receiptHandle: m.ReceiptHandle! })));
  }
}

/** One status change of the license: the outbox item it committed. */
async function statusChange(status: string): Promise<string> {
  const before = await outboxIds();
  expect((await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status, reason: 'under review' })).status).toBe(200);
  const made = (await outboxIds()).filter((id) => !before.includes(id));
  expect(made).toHaveLength(1);
  return made[0]!;
}

beforeAll(async () => {
  x = await MotoExchange.start();
  (x.services as { endpoints?: unknown }).endpoints = { policy: LOCAL_ENDPOINTS, resolver: new DnsHostResolver() };
  sqs = new SQSClient(sdkClientConfig({ region: REGION, awsEndpoint: x.emulator.endpoint }));
  queueUrl = (await createQueues(sqs))[NOTIFY_QUEUE.envVar]!;
  home = mkdtempSync(join(tmpdir(), 'corridor-refan-'));
  process.env.CORRIDOR_HOME = home; // no local.json yet: the deployed environment decides
  deployedEnv();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  nl = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  expect((await x.call(nl, 'subscription.put', { endpoint: 'http://127.0.0.1:9/hook', events: ['license.status'] })).status).toBe(200);
  expect((await publish(x, bafa)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  sqs?.destroy();
  await x?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('corridor notifications refan on moto', () => {
  it('fans out only the items in range, once; again before delivery makes no second notification; after it queues nothing', async () => {
    const early = await statusChange('suspended');
    await tick();
    const since = new Date().toISOString();
    await tick();
    const inRange = await statusChange('active');
    await tick();
    const until = new Date().toISOString();
    await tick();
    const late = await statusChange('suspended');
    // no stream poller ran: outbox items, no notification, nothing queued
    expect(await records()).toEqual([]);
    expect(await receiveAll()).toEqual([]);

    const first = await cli('notifications', 'refan', '--since', since, '--until', until, '--json');
    expect([first.code, first.stderr]).toEqual([EXIT.ok, '']);
    expect(JSON.parse(first.stdout)).toEqual({ since, until, items: [{ id: inRange, queued: 1, skipped: 0 }], total: { items: 1, queued: 1, skipped: 0, failed: 0 } });
    const jti = notificationJti(inRange, 0, 'NL-DOUANE');
    expect(await records()).toEqual([{ receiver: notificationPk('NL-DOUANE'), jti, state: 'pending' }]);
    const listed = await x.call(nl, 'notification.list', {});
    expect((listed.result.notifications as { jws: string }[]).length).toBe(1);
    const { claims } = await x.open({ status: 200, contentType: 'application/jose', body: (listed.result.notifications as { jws: string }[])[0]!.jws });
    expect(claims).toMatchObject({ aud: 'NL-DOUANE', evt: 'license.status', jti, data: { status: 'active', previous: 'suspended' } });
    // neither the earlier nor the later change was fanned out
    for (const other of [early, late]) expect((await records()).some((r) => r.jti === notificationJti(other, 0, 'NL-DOUANE'))).toBe(false);

    // before any delivery attempt: the same notification, its first attempt queued again (a duplicate message)
    const second = await cli('notifications', 'refan', '--since', since, '--until', until);
    expect(second.code).toBe(EXIT.ok);
    expect(second.stdout).toBe(`${inRange}: queued 1, skipped 0\n1 outbox item(s) from ${since} to ${until}: 1 notification(s) queued, 0 receiver(s) skipped\n`);
    expect(await records()).toHaveLength(1);
    const messages = await receiveAll();
    expect(messages.map((m) => JSON.parse(m.body) as { r: string; n: number })).toEqual([expect.objectContaining({ r: 'NL-DOUANE', n: 1 }), expect.objectContaining({ r: 'NL-DOUANE', n: 1 })]);
    // the deliverer acts on the first and drops the later duplicate by its attempt number: one POST (two messages in
    // one batch may both POST before one commits — the same jti, which receivers deduplicate by)
    const deliver = queueBatch({ services: x.services, queue: new SqsNotificationQueue(sqs, queueUrl), poster, policy: LOCAL_ENDPOINTS, schedule: scaledSchedule(1) });
    for (const m of messages) expect((await deliver([m])).batchItemFailures).toEqual([]);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })) }));
    expect(posted).toEqual([jti]);
    expect((await records()).map((r) => r.state)).toEqual(['delivered']);

    // the same command in local mode (local.json of `npm start`, no storage environment): delivered, so nothing queued
    for (const k of Object.keys(process.env)) if (k.startsWith('CORRIDOR_') && k !== 'CORRIDOR_HOME') delete process.env[k];
    writeLocalFile(home, {
      url: 'http://127.0.0.1:9', exchangeId: EXCHANGE_ID, awsEndpoint: x.emulator.endpoint, region: REGION,
      operator: { agencyId: 'XX-OPERATOR', kid: 'op-1', privateJwkFile: join(home, 'none') },
      tables: x.tables, payloadKeyId: x.payloadKeyId, sealKeyId: x.sealKeyId, notifyQueueUrl: queueUrl,
    });
    const third = await cli('notifications', 'refan', '--since', since, '--until', until, '--json');
    expect(third.code).toBe(EXIT.ok);
    expect(JSON.parse(third.stdout).total).toEqual({ items: 1, queued: 0, skipped: 0, failed: 0 });
    expect(await receiveAll()).toEqual([]);
    expect(await records()).toHaveLength(1);
    rmSync(join(home, 'local.json'));
    deployedEnv();
  });

  it('a range with no outbox item in it reads none and queues nothing', async () => {
    const r = await cli('notifications', 'refan', '--since', new Date(Date.now() + 60_000).toISOString(), '--until', new Date(Date.now() + 120_000).toISOString(), '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ items: [], total: { items: 0, queued: 0, skipped: 0, failed: 0 } });
  });

  it('an item that cannot be fanned out is named (no content), the others still are, exit 1; an unreadable audit table exit 3', async () => {
    const since = new Date().toISOString();
    await tick();
    // an outbox item whose notices do not decrypt (written straight into the table, as only a fault or an intruder would)
    await x.clients.dynamodb.send(new PutItemCommand({ TableName: x.tables.audit, Item: { pk: { S: 'OUTBOX#ev-broken' }, owner: { S: 'DE-BAFA' }, ts: { S: new Date().toISOString() }, notices: { B: new Uint8Array([1, 2, 3]) } } }));
    const good = await statusChange('active');
    await tick();
    const r = await cli('notifications', 'refan', '--since', since);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stdout).toContain(`${good}: queued 1, skipped 0\n`);
    expect(r.stdout).toMatch(/: 1 notification\(s\) queued, 0 receiver\(s\) skipped, 1 item\(s\) failed\n$/);
    expect(r.stderr).toMatch(/^✗ OUTBOX#ev-broken: failed \(\w+ \w+\); run again\n$/);
    await x.clients.dynamodb.send(new DeleteItemCommand({ TableName: x.tables.audit, Key: { pk: { S: 'OUTBOX#ev-broken' } } }));
    await receiveAll(); // the good item's message: not this test's subject

    process.env.CORRIDOR_AUDIT_TABLE = 'no-such-table';
    try {
      const gone = await cli('notifications', 'refan', '--since', since, '--json');
      expect(gone.code).toBe(EXIT.unavailable);
      expect(JSON.parse(gone.stdout).error.message).toBe('the audit table could not be read (dynamodb ResourceNotFoundException) after 0 item(s); run again');
    } finally {
      process.env.CORRIDOR_AUDIT_TABLE = x.tables.audit;
    }
  });

  it('without the queue URL in the environment: a configuration error (exit 2), nothing read', async () => {
    delete process.env[NOTIFY_QUEUE.envVar];
    try {
      const r = await cli('notifications', 'refan', '--since', '2026-11-22T00:00:00Z');
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr.split('\n')[0]).toBe(`corridor notifications refan: missing environment variable ${NOTIFY_QUEUE.envVar} (the stack output described ${NOTIFY_QUEUE.envVar})`);
    } finally {
      process.env[NOTIFY_QUEUE.envVar] = queueUrl;
    }
  });
});
