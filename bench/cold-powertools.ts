/**
 * A reference point between the baseline and a handler: the baseline plus Powertools Logger and Metrics, constructed
 * at module load as lambdas/handlers/runtime.ts does in the default corridor:tracing=function mode (no Tracer: the
 * opt-in `sdk` mode is timed on its own, bench/cold-start.ts). Shows how much of a handler's cold start is
 * observability and how much is Corridor.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as jose from 'jose';

const region = process.env.AWS_REGION;
export const clients = { dynamodb: new DynamoDBClient({ region }), kms: new KMSClient({ region }) };
export const telemetry = { logger: new Logger({ serviceName: 'corridor' }), metrics: new Metrics({ namespace: 'Corridor', serviceName: 'corridor' }) };

export async function handler(): Promise<{ ok: boolean }> {
  return { ok: typeof jose.compactVerify === 'function' };
}
