/**
 * The one definition of Corridor's tables and KMS keys, shared by the CDK stack
 * (`tables.ts`, `keys.ts`) and the local bootstrap (`lambdas/local/bootstrap.ts`),
 * so local and AWS cannot drift. Plain data: no aws-cdk-lib import, so the local
 * exchange starts without loading CDK.
 */

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute { readonly name: string; readonly type: AttributeType }

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDefinition {
  /** Logical id in CDK and suffix of the local table name. */
  readonly id: 'registry' | 'documents' | 'audit';
  /** Environment variable through which handlers learn the physical name. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly IndexDefinition[];
  /** Attribute DynamoDB may use to expire items (cleanup only; the code never relies on it). */
  readonly ttlAttribute?: string;
  readonly purpose: string;
}

export const TABLES: readonly TableDefinition[] = [
  {
    id: 'registry',
    envVar: 'CORRIDOR_REGISTRY_TABLE',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [],
    purpose: 'Agencies, their public keys, sharing agreements, the exchange response key ring',
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
    globalIndexes: [],
    purpose: 'One event per action call; accepted events double as the replay guard',
  },
];

export interface KmsKeyDefinition {
  readonly id: 'payload';
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
];

/** Physical table name used in local mode (moto) for a definition. */
export function localTableName(def: TableDefinition): string {
  return `corridor-${def.id}`;
}
