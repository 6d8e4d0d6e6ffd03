/**
 * Creates the tables and KMS keys of `lambdas/definitions.ts` in an emulator — the
 * same definitions the CDK stack deploys — and returns the environment the handlers read.
 */
import { CreateTableCommand, UpdateTimeToLiveCommand, type AttributeDefinition, type DynamoDBClient, type GlobalSecondaryIndex, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, EnableKeyRotationCommand, type KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { KMS_KEYS, localTableName, NOTIFY_QUEUE, TABLES, type KeyAttribute } from '../definitions.ts';

function keySchema(pk: KeyAttribute, sk?: KeyAttribute): KeySchemaElement[] {
  return [{ AttributeName: pk.name, KeyType: 'HASH' }, ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : [])];
}

export async function createTables(dynamodb: DynamoDBClient): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const def of TABLES) {
    const attrs = new Map<string, AttributeDefinition>();
    for (const a of [def.partitionKey, def.sortKey, ...def.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey])]) {
      if (a) attrs.set(a.name, { AttributeName: a.name, AttributeType: a.type });
    }
    const gsis: GlobalSecondaryIndex[] = def.globalIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: keySchema(i.partitionKey, i.sortKey),
      Projection: { ProjectionType: i.projection.type, ...(i.projection.type === 'INCLUDE' ? { NonKeyAttributes: [...i.projection.attributes] } : {}) },
    }));
    const name = localTableName(def);
    await dynamodb.send(new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keySchema(def.partitionKey, def.sortKey),
      AttributeDefinitions: [...attrs.values()],
      ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
      ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
    }));
    if (def.ttlAttribute) await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: def.ttlAttribute } }));
    env[def.envVar] = name;
  }
  return env;
}

/** The notification delivery queue with its dead-letter queue and redrive, as NotificationsConstruct deploys them. */
export async function createQueues(sqs: SQSClient): Promise<Record<string, string>> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: NOTIFY_QUEUE.localDlqName, Attributes: { MessageRetentionPeriod: String(NOTIFY_QUEUE.dlqRetentionDays * 86_400) } }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const queue = await sqs.send(new CreateQueueCommand({
    QueueName: NOTIFY_QUEUE.localName,
    Attributes: {
      VisibilityTimeout: String(NOTIFY_QUEUE.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: NOTIFY_QUEUE.maxReceiveCount }),
    },
  }));
  return { [NOTIFY_QUEUE.envVar]: queue.QueueUrl! };
}

export async function createKeys(kms: KMSClient): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const def of KMS_KEYS) {
    const out = await kms.send(new CreateKeyCommand({ KeySpec: def.keySpec, KeyUsage: def.keyUsage, Description: def.purpose }));
    const keyId = out.KeyMetadata!.KeyId!;
    if (def.rotation) await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    await kms.send(new CreateAliasCommand({ AliasName: def.alias, TargetKeyId: keyId }));
    env[def.envVar] = keyId;
  }
  return env;
}
