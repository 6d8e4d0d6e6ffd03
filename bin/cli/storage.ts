/**
 * Services straight on storage, for operator commands that are not wire actions (`keys
 * rotate`, `audit seal`): the local exchange's emulator (local.json) or the deployed
 * tables and keys (the handlers' environment variables, with AWS credentials).
 */
import { buildServices, quietTelemetry } from '../../lambdas/adapters/aws/aws-services.ts';
import { readConfig, type ExchangeConfig } from '../../lambdas/config.ts';
import type { CoreServices } from '../../lambdas/core/services.ts';
import { local } from './context.ts';

export function storageServices(): CoreServices {
  const lf = local();
  const cfg: ExchangeConfig = lf
    ? { exchangeId: lf.exchangeId, region: lf.region, awsEndpoint: lf.awsEndpoint, tables: lf.tables as ExchangeConfig['tables'], payloadKeyId: lf.payloadKeyId, sealKeyId: lf.sealKeyId, agencyCacheMs: 0, responseKeyRefreshMs: 0 }
    : readConfig();
  return buildServices(cfg, undefined, quietTelemetry);
}
