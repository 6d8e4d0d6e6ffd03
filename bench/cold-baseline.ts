/**
 * The cold-start baseline: a Lambda that only imports and constructs the DynamoDB and KMS clients
 * and jose, bundled exactly like the real handlers. What a handler adds on top is ours.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import * as jose from 'jose';

const region = process.env.AWS_REGION;
export const clients = { dynamodb: new DynamoDBClient({ region }), kms: new KMSClient({ region }) };

export async function handler(): Promise<{ ok: boolean }> {
  return { ok: typeof jose.compactVerify === 'function' };
}
