/**
 * The cold-start baseline: a Lambda that only imports and constructs the DynamoDB and KMS clients
 * and jose, bundled like the real handlers but with the SDK's default credential chain, as any function
 * that imports the clients gets it (bench/cold-start.ts). What a handler adds on top is ours; what it
 * trims from the SDK (the chain reduced to its environment link) counts in its favour, and the bench
 * also times the baseline trimmed so.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import * as jose from 'jose';

const region = process.env.AWS_REGION;
export const clients = { dynamodb: new DynamoDBClient({ region }), kms: new KMSClient({ region }) };

export async function handler(): Promise<{ ok: boolean }> {
  return { ok: typeof jose.compactVerify === 'function' };
}
