/**
 * `npm start`: moto on a free loopback port (or CORRIDOR_AWS_ENDPOINT), tables and keys
 * from the CDK definitions, the operator bootstrapped, the deployed handlers behind a
 * local HTTP server, `local.json` written. Ctrl-C stops everything it started.
 */
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { NOTIFY_QUEUE, TABLES } from '../definitions.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClients, sdkClientConfig } from '../adapters/aws/aws-services.ts';
import { NOTIFY_LOOPBACK_ENV, readConfig } from '../config.ts';
import { bootstrapOperator } from '../core/bootstrap.ts';
import { failureOf } from '../core/errors.ts';
import { scanOverdue } from '../core/psv-overdue.ts';
import { scheduledCheck } from '../core/sealer.ts';
import { createKeys, createQueues, createTables } from './bootstrap.ts';
import { DynamoDBStreamsClient, startNotificationPoller } from './notification-poller.ts';
import { EmulatorMissingError, startMoto, type Emulator } from './emulator.ts';
import { keyFilePath, localFilePath, writeLocalFile, type LocalFile } from './local-file.ts';
import { loadOrCreateKey, publicJwk } from './key-files.ts';
import { createLocalServer, type Handlers } from './server.ts';

export interface ServeOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Called with status lines; the CLI prints them. */
  say: (line: string) => void;
  /** Where the exchange's JSON log lines go; stdout (as in Lambda) unless given. */
  logs?: NodeJS.WritableStream;
}

export interface Running { file: LocalFile; stop(): Promise<void> }

export async function serve(opts: ServeOptions): Promise<Running> {
  const { env, home, say } = opts;
  const region = env.AWS_REGION || 'eu-central-1';
  const exchangeId = env.CORRIDOR_EXCHANGE_ID || 'corridor:local';
  const operatorId = env.CORRIDOR_OPERATOR_ID || 'EU-OPERATOR';
  let emulator: Emulator | null = null;
  let endpoint = env.CORRIDOR_AWS_ENDPOINT;
  if (!endpoint) {
    try {
      emulator = await startMoto();
    } catch (e) {
      if (e instanceof EmulatorMissingError) throw e;
      throw new Error(`could not start moto_server: ${(e as Error).message}`);
    }
    endpoint = emulator.endpoint;
    say(`moto_server (DynamoDB and its streams, KMS, SQS) on ${endpoint}${emulator.serialized ? '' : ' — plain moto_server: concurrent transactions are not isolated as on DynamoDB'}`);
  }
  try {
    const clients = awsClients({ region, awsEndpoint: endpoint });
    const sqs = new SQSClient(sdkClientConfig({ region, awsEndpoint: endpoint }));
    const resourceEnv = { ...(await createTables(clients.dynamodb)), ...(await createKeys(clients.kms)), ...(await createQueues(sqs)) };
    // The handler modules read their configuration from the environment, as in Lambda. Logs are
    // Powertools JSON lines on stdout; EMF metrics are off unless asked for, since nothing ingests them here.
    Object.assign(process.env, resourceEnv, { CORRIDOR_EXCHANGE_ID: exchangeId, CORRIDOR_AWS_ENDPOINT: endpoint, AWS_REGION: region, POWERTOOLS_METRICS_DISABLED: env.POWERTOOLS_METRICS_DISABLED ?? 'true', [NOTIFY_LOOPBACK_ENV]: 'true' });
    const handlers: Handlers = {
      agencies: (await import('../handlers/agencies.ts')).handler,
      licenses: (await import('../handlers/licenses.ts')).handler,
      eucs: (await import('../handlers/eucs.ts')).handler,
      audit: (await import('../handlers/audit.ts')).handler,
      denials: (await import('../handlers/denials.ts')).handler,
      console: (await import('../handlers/console.ts')).handler,
      discovery: (await import('../handlers/discovery.ts')).handler,
    };
    const { logger, runtimeServices } = await import('../handlers/runtime.ts');
    if (opts.logs) logger.writeTo(opts.logs);
    const operatorKeyFile = keyFilePath(home, operatorId);
    const operatorJwk = await loadOrCreateKey(operatorKeyFile, 'ES256', `${operatorId.toLowerCase()}-1`);
    await bootstrapOperator(runtimeServices(), operatorId, 'Exchange operator', operatorJwk.kid!, publicJwk(operatorJwk));

    const server = createLocalServer(handlers);
    const port = env.CORRIDOR_PORT ? Number(env.CORRIDOR_PORT) : 0;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file: LocalFile = {
      url,
      exchangeId,
      awsEndpoint: endpoint,
      region,
      operator: { agencyId: operatorId, kid: operatorJwk.kid!, privateJwkFile: operatorKeyFile },
      tables: Object.fromEntries(TABLES.map((t) => [t.id, resourceEnv[t.envVar]!])),
      payloadKeyId: resourceEnv.CORRIDOR_PAYLOAD_KEY_ID!,
      sealKeyId: resourceEnv.CORRIDOR_SEAL_KEY_ID!,
      notifyQueueUrl: resourceEnv[NOTIFY_QUEUE.envVar]!,
      responseKeyRefreshMs: readConfig(process.env).responseKeyRefreshMs, // as the handlers read it
    };
    writeLocalFile(home, file);
    // As the scheduled completeness check does in AWS (the stream sealer below seals events as they are written).
    const services = runtimeServices();
    const sealEvery = intervalMs(env.CORRIDOR_SEAL_INTERVAL_MS);
    const sealTimer = setInterval(() => {
      scheduledCheck(services, services.sealSigner).catch((e: unknown) => services.telemetry.dependencyFailed({ action: 'seal.check', ...failureOf(e) }));
    }, sealEvery);
    sealTimer.unref();
    // As the hourly psv.overdue rule does in AWS; every minute here, so a demo case past its due date notifies promptly.
    const overdueTimer = setInterval(() => {
      scanOverdue(services).catch((e: unknown) => services.telemetry.dependencyFailed({ action: 'psv.overdue', ...failureOf(e) }));
    }, intervalMs(env.CORRIDOR_OVERDUE_INTERVAL_MS));
    overdueTimer.unref();
    // As the deployed event source mappings do: the audit stream to the notifier and the sealer, the delivery queue to the deliverer.
    const streams = new DynamoDBStreamsClient(sdkClientConfig({ region, awsEndpoint: endpoint }));
    const poller = await startNotificationPoller({
      dynamodb: clients.dynamodb, streams, sqs, auditTable: resourceEnv.CORRIDOR_AUDIT_TABLE!, queueUrl: resourceEnv[NOTIFY_QUEUE.envVar]!,
      // CORRIDOR_SEAL_STREAM=off leaves sealing to `corridor audit seal` and the completeness check (5 min after an
      // event's ts), as a stalled stream sealer would: to see unsealed events, e.g. in the auditor console
      stream: [(await import('../handlers/notifier.ts')).notifyRecords, ...(env.CORRIDOR_SEAL_STREAM === 'off' ? [] : [(await import('../handlers/sealer.ts')).sealRecords])],
      deliver: (await import('../handlers/deliverer.ts')).deliverMessages,
      onError: (e) => services.telemetry.dependencyFailed({ action: 'notification.poll', ...failureOf(e) }),
    });
    return {
      file,
      stop: async () => {
        clearInterval(sealTimer);
        clearInterval(overdueTimer);
        await poller.stop();
        streams.destroy();
        sqs.destroy();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        rmSync(localFilePath(home), { force: true });
        await emulator?.stop();
      },
    };
  } catch (e) {
    await emulator?.stop();
    throw e;
  }
}

/** A timer interval from the environment: a whole number of milliseconds ≥ 100, else the default minute (0 or junk would spin on moto). */
function intervalMs(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 100 ? n : 60_000;
}
