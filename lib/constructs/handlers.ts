/** The three handler Lambdas and the access matrix that decides, per group, which tables and keys each may touch. */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { HandlerGroup } from '../../lambdas/core/routes.ts';
import { HandlerFunction } from './handler-function.ts';
import { constructId } from './ids.ts';
import type { CorridorTables, TableId } from './tables.ts';
import type { KmsKeyDefinition } from './definitions.ts';

/**
 * Tables each group may read and write. registry: all (each may create the response key ring on first start);
 * audit: the action groups (one event per call, replay guard); documents: licenses and eucs. discovery never audits.
 */
export const TABLE_ACCESS: Readonly<Record<HandlerGroup, readonly TableId[]>> = {
  agencies: ['registry', 'audit'],
  licenses: ['registry', 'audit', 'documents'],
  eucs: ['registry', 'audit', 'documents'],
  discovery: ['registry'],
};

/**
 * The item operations DynamoDbStore issues: GetItem, Query, PutItem, DeleteItem, and TransactWriteItems, which IAM
 * authorizes per contained Put / Delete / ConditionCheck. No Scan, no Batch*, no UpdateItem, no table administration.
 */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** What DynamoDB needs from the caller on a CMK-encrypted table; usable only through DynamoDB (kms:ViaService). */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/** Envelope encryption of documents and the response key wrap: new data keys and their unwrap, nothing else. */
export const PAYLOAD_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

export interface CorridorHandlersProps {
  readonly exchangeId: string;
  readonly tables: CorridorTables;
  readonly tableKey: kms.IKey;
  readonly payloadKey: { readonly key: kms.IKey; readonly def: KmsKeyDefinition };
  readonly logsKey: kms.IKey;
  readonly reservedConcurrency: number;
}

export class CorridorHandlers extends Construct {
  readonly byGroup: Readonly<Record<HandlerGroup, HandlerFunction>>;

  constructor(scope: Construct, id: string, props: CorridorHandlersProps) {
    super(scope, id);
    const environment: Record<string, string> = {
      CORRIDOR_EXCHANGE_ID: props.exchangeId,
      [props.payloadKey.def.envVar]: props.payloadKey.key.keyArn,
    };
    for (const { def, table } of props.tables.all) environment[def.envVar] = table.tableName;

    const byGroup = {} as Record<HandlerGroup, HandlerFunction>;
    for (const group of Object.keys(TABLE_ACCESS) as HandlerGroup[]) {
      const fn = new HandlerFunction(this, constructId(group), {
        group,
        environment,
        logsKey: props.logsKey,
        reservedConcurrency: props.reservedConcurrency,
      });
      fn.grant(
        new iam.PolicyStatement({
          sid: 'TableItems',
          actions: [...TABLE_ITEM_ACTIONS],
          resources: TABLE_ACCESS[group].flatMap((t) => tableResources(props.tables, t)),
        }),
        new iam.PolicyStatement({
          sid: 'TableKeyViaDynamoDB',
          actions: [...TABLE_KEY_ACTIONS],
          resources: [props.tableKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'PayloadDataKeys',
          actions: [...PAYLOAD_KEY_ACTIONS],
          resources: [props.payloadKey.key.keyArn],
        }),
      );
      byGroup[group] = fn;
    }
    this.byGroup = byGroup;
  }
}

/** The table and, should TABLES define any, each of its indexes by name (Query on a GSI is authorized on the index ARN). */
function tableResources(tables: CorridorTables, id: TableId): string[] {
  const { def, table } = tables.byId[id];
  return [table.tableArn, ...def.globalIndexes.map((i) => `${table.tableArn}/index/${i.indexName}`)];
}
