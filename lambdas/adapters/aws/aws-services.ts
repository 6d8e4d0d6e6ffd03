/**
 * Composition root for the AWS home (Lambda, and `npm start` against moto): SDK clients,
 * adapters and core services, built once per process.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { ExchangeConfig } from '../../config.ts';
import { AgencyDirectory } from '../../core/agency-directory.ts';
import { CursorKeys } from '../../core/cursor-keys.ts';
import { PayloadCipher } from '../../core/payload-cipher.ts';
import { RateLimiter } from '../../core/rate-limit.ts';
import type { Clock, Telemetry } from '../../core/ports.ts';
import { ResponseKeys } from '../../core/response-keys.ts';
import { DEFAULT_RETRY, type CoreServices } from '../../core/services.ts';
import { DynamoDbStore } from './dynamodb-store.ts';
import { KmsDataKeys } from './kms-data-keys.ts';
import { KmsSealSigner } from './kms-seal-signer.ts';
import { DEPLOYED_ENDPOINTS, LOCAL_ENDPOINTS } from '../../core/notifications/endpoint-rules.ts';
import { DnsHostResolver } from '../http/dns-host-resolver.ts';

export interface AwsClients { dynamodb: DynamoDBClient; kms: KMSClient }

/** What every SDK client of the exchange is built with (the origin-verify Secrets Manager client too). */
export function sdkClientConfig(cfg: Pick<ExchangeConfig, 'region' | 'awsEndpoint'>) {
  return {
    region: cfg.region,
    maxAttempts: 3,
    // Against an emulator: its endpoint and throwaway credentials, never the machine's real ones.
    ...(cfg.awsEndpoint ? { endpoint: cfg.awsEndpoint, credentials: { accessKeyId: 'corridor-local', secretAccessKey: 'corridor-local' } } : {}),
  };
}

export function awsClients(cfg: Pick<ExchangeConfig, 'region' | 'awsEndpoint'>): AwsClients {
  const base = sdkClientConfig(cfg);
  return { dynamodb: new DynamoDBClient(base), kms: new KMSClient(base) };
}

/** For the CLI's direct-storage commands, whose stdout is their answer; handlers use PowertoolsTelemetry. */
export const quietTelemetry: Telemetry = {
  requestCompleted: () => {},
  requestsAggregated: () => {},
  auditWriteFailed: () => {},
  dependencyFailed: () => {},
  integrityFailed: () => {},
  sealRun: () => {},
};

export const systemClock: Clock = { now: () => Date.now() };

export function buildServices(cfg: ExchangeConfig, clients: AwsClients = awsClients(cfg), telemetry: Telemetry): CoreServices {
  const store = new DynamoDbStore(clients.dynamodb, cfg.tables);
  const cipher = new PayloadCipher(new KmsDataKeys(clients.kms, cfg.payloadKeyId), systemClock);
  return {
    exchangeId: cfg.exchangeId,
    store,
    directory: new AgencyDirectory(store, systemClock, cfg.agencyCacheMs),
    cipher,
    responseKeys: new ResponseKeys(store, cipher, systemClock, cfg.exchangeId, cfg.responseKeyRefreshMs),
    cursorKeys: new CursorKeys(store, cipher, systemClock, cfg.exchangeId),
    clock: systemClock,
    telemetry,
    sealSigner: new KmsSealSigner(clients.kms, cfg.sealKeyId),
    endpoints: { policy: cfg.allowLoopbackEndpoints ? LOCAL_ENDPOINTS : DEPLOYED_ENDPOINTS, resolver: new DnsHostResolver() },
    retry: { ...DEFAULT_RETRY, deadlineMs: cfg.retryDeadlineMs ?? DEFAULT_RETRY.deadlineMs },
    ...(cfg.deliveryOverdueDays ? { deliveryOverdueDays: cfg.deliveryOverdueDays } : {}),
    ...(cfg.rateLimit && cfg.rateLimit.perSecond > 0 ? { rateLimiter: new RateLimiter(systemClock, cfg.rateLimit) } : {}),
  };
}
