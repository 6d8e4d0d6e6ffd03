/**
 * A reference point between the baseline and a handler: the baseline plus Powertools (logger,
 * metrics, tracer capturing both clients), as lambdas/handlers/runtime.ts builds them with
 * corridor:tracing=sdk (the default `function` mode has no tracer). Shows how much of a handler's
 * cold start is observability and how much is Corridor.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import * as jose from 'jose';

const region = process.env.AWS_REGION;
const tracer = new Tracer({ serviceName: 'corridor', captureHTTPsRequests: false });
export const clients = { dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({ region })), kms: tracer.captureAWSv3Client(new KMSClient({ region })) };
export const telemetry = { logger: new Logger({ serviceName: 'corridor' }), metrics: new Metrics({ namespace: 'Corridor', serviceName: 'corridor' }) };

export async function handler(): Promise<{ ok: boolean }> {
  return { ok: typeof jose.compactVerify === 'function' };
}
