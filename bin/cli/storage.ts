/**
 * Services straight on storage, for operator commands that are not wire actions (`keys
 * rotate`, `audit seal`, `notifications refan`): the local exchange's emulator (local.json) or the
 * deployed tables and keys (the handlers' environment variables, with AWS credentials).
 */
import { buildServices, quietTelemetry } from '../../lambdas/adapters/aws/aws-services.ts';
import { ConfigError, readConfig, readNotifyConfig, type ExchangeConfig } from '../../lambdas/config.ts';
import type { CoreServices } from '../../lambdas/core/services.ts';
import { NOTIFY_QUEUE } from '../../lambdas/definitions.ts';
import { local, UsageError } from './context.ts';

/** The exchange configuration a storage command works with: local.json's when it exists, else the environment's. */
export function storageConfig(): ExchangeConfig {
  const lf = local();
  return lf
    ? { exchangeId: lf.exchangeId, region: lf.region, awsEndpoint: lf.awsEndpoint, tables: lf.tables as ExchangeConfig['tables'], payloadKeyId: lf.payloadKeyId, sealKeyId: lf.sealKeyId, agencyCacheMs: 0, responseKeyRefreshMs: 0 }
    : readConfig();
}

export function storageServices(cfg: ExchangeConfig = storageConfig()): CoreServices {
  return buildServices(cfg, undefined, quietTelemetry);
}

/** The delivery queue's URL: local.json's, else CORRIDOR_NOTIFY_QUEUE_URL (the stack output of that description). */
export function storageQueueUrl(): string {
  const lf = local();
  if (lf) {
    if (!lf.notifyQueueUrl) throw new UsageError('local.json names no delivery queue: restart the local exchange (npm start) with this version');
    return lf.notifyQueueUrl;
  }
  try {
    return readNotifyConfig().queueUrl;
  } catch (e) {
    throw e instanceof ConfigError ? new UsageError(`${e.message} (the stack output described ${NOTIFY_QUEUE.envVar})`) : e;
  }
}
