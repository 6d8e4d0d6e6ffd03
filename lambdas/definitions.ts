/**
 * The one definition of Corridor's tables, indexes, queue and KMS keys, shared by the handlers (config, stores), the
 * local bootstrap (`local/bootstrap.ts`) and the CDK stack (`lib/constructs/tables.ts`, `keys.ts`), so local and AWS
 * cannot drift. It lives with the runtime because the runtime is what reads these names: CDK deploys what the
 * handlers need and imports it from here, never the other way (test/unit/layering.test.ts). Plain data: no
 * aws-cdk-lib import, so handler bundles and the local exchange start without CDK.
 */

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute { readonly name: string; readonly type: AttributeType }

/**
 * What an index entry carries besides the keys (the table's and the index's, always projected). It decides what a
 * Query of the index returns and what DynamoDB writes to it: an entry is written only when the item enters or leaves
 * the index, or one of its keys or projected attributes changes. A projection cannot change in place (the index has
 * to be rebuilt).
 */
export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'KEYS_ONLY' }
  | { readonly type: 'INCLUDE'; readonly attributes: readonly string[] };

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly projection: IndexProjection;
}

export interface TableDefinition {
  /** Logical id in CDK and suffix of the local table name. */
  readonly id: 'registry' | 'documents' | 'audit' | 'notifications';
  /** Environment variable through which handlers learn the physical name. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly IndexDefinition[];
  /** Attribute DynamoDB may use to expire items (cleanup only; the code never relies on it). */
  readonly ttlAttribute?: string;
  /**
   * A DynamoDB stream of the table's item changes (new images). The audit table's carries the notifications outbox
   * to the notifier (protocol.md §10); a second consumer (the stream sealer of the audit-stream design) attaches to
   * the same stream with its own filtered event source mapping — DynamoDB Streams serves two readers per shard.
   */
  readonly stream?: 'NEW_IMAGE';
  readonly purpose: string;
}

export const TABLES: readonly TableDefinition[] = [
  {
    id: 'registry',
    envVar: 'CORRIDOR_REGISTRY_TABLE',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [
      // every item by its sort key (the table's keys swapped), so agreement.list finds the agreements an agency
      // *received*: partition `GRANT#<type>#<partner>` holds one entry per owner (`AGENCY#<owner>`). Keyed on
      // attributes every item already has, so agreements stored before the index existed are in it too; registry
      // writes are rare (agencies, keys, agreements), and only what the list returns is projected.
      { indexName: 'inverted', partitionKey: { name: 'sk', type: 'S' }, sortKey: { name: 'pk', type: 'S' }, projection: { type: 'INCLUDE', attributes: ['permissions', 'validUntil', 'grantedAt'] } },
    ],
    purpose: 'Agencies, their public keys, sharing agreements, the exchange response key ring and cursor key',
  },
  {
    id: 'documents',
    envVar: 'CORRIDOR_DOCUMENTS_TABLE',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [],
    purpose: 'Licenses and end-use certificates (envelope-encrypted), balances, drawdowns',
  },
  {
    id: 'audit',
    envVar: 'CORRIDOR_AUDIT_TABLE',
    partitionKey: { name: 'pk', type: 'S' },
    globalIndexes: [
      // every event by day bucket and shard (T#2026-11-22#0..3), for audit.query by time and the completeness check,
      // which read `tsId` and `event` only; and every seal by the ts span of its events (S#/W#<day>, seal-index.ts),
      // a keys-only entry (seals have no `event`). Events are never rewritten, so each costs one entry write.
      { indexName: 'byTime', partitionKey: { name: 'tbucket', type: 'S' }, sortKey: { name: 'tsId', type: 'S' }, projection: { type: 'INCLUDE', attributes: ['event'] } },
    ],
    // outbox items (OUTBOX#…, lambdas/core/notifications/outbox.ts) expire after two days; events and seals never
    // carry the attribute, so TTL can remove nothing else
    ttlAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
    purpose: 'One event per action call (accepted events double as the replay guard), the seals over them, and the notifications outbox',
  },
  {
    id: 'notifications',
    envVar: 'CORRIDOR_NOTIFICATIONS_TABLE',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [],
    // kept 31 days (at least the 30 protocol.md §10 promises), whatever became of the delivery
    ttlAttribute: 'expiresAt',
    purpose: 'Signed notifications per receiving agency (envelope-encrypted JWS) and their delivery state',
  },
];

/** The notification delivery queue and its dead-letter queue (protocol.md §10), for CDK and the local bootstrap alike. */
export const NOTIFY_QUEUE = {
  envVar: 'CORRIDOR_NOTIFY_QUEUE_URL',
  /** Local queue names (CDK lets CloudFormation name them). */
  localName: 'corridor-notify',
  localDlqName: 'corridor-notify-dlq',
  /** Six times the delivery function's timeout, as AWS advises for a queue a Lambda consumes. */
  visibilityTimeoutSeconds: 180,
  /** Receives before a message moves to the dead-letter queue: only a handler that keeps failing (store or KMS down), never a refusing endpoint — retries are messages of their own. */
  maxReceiveCount: 5,
  /** The dead-letter queue keeps messages 14 days (SQS's maximum) for the operator to redrive. */
  dlqRetentionDays: 14,
} as const;

export interface KmsKeyDefinition {
  readonly id: 'payload' | 'seal';
  readonly envVar: string;
  readonly keySpec: 'SYMMETRIC_DEFAULT' | 'ECC_NIST_P256';
  readonly keyUsage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';
  readonly rotation: boolean;
  readonly alias: string;
  readonly purpose: string;
}

export const KMS_KEYS: readonly KmsKeyDefinition[] = [
  {
    id: 'payload',
    envVar: 'CORRIDOR_PAYLOAD_KEY_ID',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    rotation: true,
    alias: 'alias/corridor-payload',
    purpose: 'Data keys for documents and trade fields, and the wrap of the exchange response key',
  },
  {
    id: 'seal',
    envVar: 'CORRIDOR_SEAL_KEY_ID',
    keySpec: 'ECC_NIST_P256',
    keyUsage: 'SIGN_VERIFY',
    rotation: false, // KMS cannot rotate asymmetric keys; a new seal key is a new key and kid
    alias: 'alias/corridor-seal',
    purpose: 'Signs audit seals (one KMS Sign per seal, never per event)',
  },
];

/** Whether an entry of `index` (of `table`) holds attribute `name`: every key, and what the projection names. */
export function isProjected(table: TableDefinition, index: IndexDefinition, name: string): boolean {
  if ([table.partitionKey, table.sortKey, index.partitionKey, index.sortKey].some((k) => k?.name === name)) return true;
  const p = index.projection;
  return p.type === 'ALL' || (p.type === 'INCLUDE' && p.attributes.includes(name));
}

/** Physical table name used in local mode (moto) for a definition. */
export function localTableName(def: TableDefinition): string {
  return `corridor-${def.id}`;
}
