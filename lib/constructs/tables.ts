/** DynamoDB tables built from TABLES (the definitions the local emulator also uses), with PITR, deletion protection and the table CMK. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLES, type AttributeType, type IndexProjection, type KeyAttribute, type TableDefinition } from '../../lambdas/definitions.ts';
import { constructId } from './ids.ts';

export type TableId = TableDefinition['id'];

const ATTRIBUTE_TYPES: Record<AttributeType, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

const PROJECTION_TYPES: Record<IndexProjection['type'], dynamodb.ProjectionType> = {
  ALL: dynamodb.ProjectionType.ALL,
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
  INCLUDE: dynamodb.ProjectionType.INCLUDE,
};

function attribute(a: KeyAttribute): dynamodb.Attribute {
  return { name: a.name, type: ATTRIBUTE_TYPES[a.type] };
}

export interface CorridorTablesProps {
  /** Customer-managed key for server-side encryption of every table. */
  readonly encryptionKey: kms.IKey;
}

export interface CorridorTable {
  readonly def: TableDefinition;
  readonly table: dynamodb.Table;
}

export class CorridorTables extends Construct {
  readonly byId: Readonly<Record<TableId, CorridorTable>>;

  constructor(scope: Construct, id: string, props: CorridorTablesProps) {
    super(scope, id);
    const byId = {} as Record<TableId, CorridorTable>;
    for (const def of TABLES) {
      const table = new dynamodb.Table(this, constructId(def.id), {
        partitionKey: attribute(def.partitionKey),
        ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
        ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
        ...(def.stream ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: props.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const gsi of def.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.indexName,
          partitionKey: attribute(gsi.partitionKey),
          ...(gsi.sortKey ? { sortKey: attribute(gsi.sortKey) } : {}),
          projectionType: PROJECTION_TYPES[gsi.projection.type],
          ...(gsi.projection.type === 'INCLUDE' ? { nonKeyAttributes: [...gsi.projection.attributes] } : {}),
        });
      }
      byId[def.id] = { def, table };
    }
    this.byId = byId;
  }

  get all(): readonly CorridorTable[] {
    return Object.values(this.byId);
  }
}
