/**
 * The Lambdas (one per API handler group, the auditor console and the scheduled sealer) and the access matrix that decides, per function,
 * which tables, indexes and keys it may touch, with which actions.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_DETAIL_ENV, SLOW_REQUEST_MS_ENV, type MetricsDetail } from '../../lambdas/config.ts';
import { TRACING_ENV, type BundleModes } from '../../lambdas/bundle-modes.ts';
import type { HandlerGroup } from '../../lambdas/core/routes.ts';
import { DELIVERER_RESERVED_CONCURRENCY, NOTIFIER_RESERVED_CONCURRENCY, OVERDUE_RESERVED_CONCURRENCY, SEALER_RESERVED_CONCURRENCY, type ConcurrencyName } from '../limits.ts';
import type { KmsKeyDefinition } from '../../lambdas/definitions.ts';
import { HandlerFunction, invocationOf, type HandlerName } from './handler-function.ts';
import { constructId } from './ids.ts';
import type { CorridorTables, TableId } from './tables.ts';

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:BatchGetItem';

/**
 * The item operations DynamoDbStore issues: GetItem, Query, PutItem, and TransactWriteItems, which IAM authorizes per
 * contained Put / Delete / ConditionCheck. No Scan, no Batch*, no UpdateItem, no table administration, and no delete:
 * the audit log and the documents only grow, so a role that cannot delete cannot truncate them.
 */
export const TABLE_ITEM_ACTIONS: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:ConditionCheckItem',
];

/** The one delete in the code: agreement.put withdraws an agreement by deleting its registry item (agreements.ts). */
export const REGISTRY_ITEM_ACTIONS_WITH_DELETE: readonly TableAction[] = [...TABLE_ITEM_ACTIONS, 'dynamodb:DeleteItem'];

/**
 * The sealer on the audit table: reads the SEALS head, seals and batch markers (GetItem), the seals overlapping a span
 * and events the check found unsealed (BatchGetItem), and appends seal + head (+ marker) in one conditional
 * TransactWriteItems of Puts. It never rewrites an event, never deletes, and queries only the `byTime` index (events
 * for the completeness check, seal entries for both paths), never the table itself.
 */
export const SEALER_AUDIT_ACTIONS: readonly TableAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem'];

export interface TableGrant {
  /** Item actions on the table itself. */
  readonly actions: readonly TableAction[];
  /** Global secondary indexes (of the table's definition) it may Query; IAM authorizes a GSI Query on the index ARN. */
  readonly queryIndexes?: readonly string[];
}

const ITEMS: TableGrant = { actions: TABLE_ITEM_ACTIONS };

/**
 * Per function, the tables it may use. registry: every API function (each may create the response key ring on first
 * start); audit: the action groups (one event per call, also the replay guard — audit.* calls are audited too) and the
 * sealer; documents: licenses, eucs and denials. discovery never audits. Only `audit` (audit.query) and the sealer query
 * `byTime`, `agencies` (agreement.list) and `denials` (the denial agreements a screening caller
 * received) query the registry's `inverted`. The console uses no table (nor any key): it only returns its embedded static files.
 */
export const TABLE_ACCESS: Readonly<Record<HandlerName, Readonly<Partial<Record<TableId, TableGrant>>>>> = {
  agencies: { registry: { actions: REGISTRY_ITEM_ACTIONS_WITH_DELETE, queryIndexes: ['inverted'] }, audit: ITEMS, notifications: { actions: ['dynamodb:Query'] } },
  licenses: { registry: ITEMS, audit: ITEMS, documents: ITEMS },
  eucs: { registry: ITEMS, audit: ITEMS, documents: ITEMS },
  audit: { registry: ITEMS, audit: { actions: TABLE_ITEM_ACTIONS, queryIndexes: ['byTime'] } },
  denials: { registry: { actions: TABLE_ITEM_ACTIONS, queryIndexes: ['inverted'] }, audit: ITEMS, documents: ITEMS },
  discovery: { registry: ITEMS },
  console: {},
  // notifications (protocol.md §10): the notifier reads subscriptions and agreements (the inverted index for agency.key),
  // may create the response key ring like every signer, and writes notification records; the deliverer reads the
  // subscription and the record and commits each attempt with its audit event. agencies reads notification.list.
  notifier: { registry: { actions: TABLE_ITEM_ACTIONS, queryIndexes: ['inverted'] }, audit: ITEMS, notifications: ITEMS },
  deliverer: { registry: ITEMS, audit: ITEMS, notifications: ITEMS },
  // the psv.overdue scan (protocol.md §5): reads the due-date index and the cases, commits the case, its audit event and
  // outbox item; it reads no registry (receivers are addressed by the notifier) and signs nothing
  overdue: { audit: ITEMS, documents: ITEMS },
  // the sealer reads no registry and decrypts nothing: only the audit table and the seal key
  sealer: { audit: { actions: SEALER_AUDIT_ACTIONS, queryIndexes: ['byTime'] } },
};

/** Every function of the stack, and the API handler groups: the functions of ACTION_ROUTES and discovery (not the console or the sealer). */
export const HANDLER_NAMES = Object.keys(TABLE_ACCESS) as HandlerName[];
export const API_GROUPS: readonly HandlerGroup[] = HANDLER_NAMES.filter((n): n is HandlerGroup => !(['sealer', 'overdue', 'console', 'notifier', 'deliverer'] as HandlerName[]).includes(n));
const isApiGroup = (n: HandlerName): n is HandlerGroup => (API_GROUPS as readonly HandlerName[]).includes(n);

/** What DynamoDB needs from the caller on a CMK-encrypted table; usable only through DynamoDB (kms:ViaService). */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/**
 * Envelope encryption of documents, the response key wrap and audit.query cursors: new data keys and their unwrap,
 * nothing else. Every API handler group uses the payload cipher (documents, the response key ring, audit cursors);
 * the console and the sealer do not.
 */
export const PAYLOAD_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

/**
 * The seal key: only the sealer signs (one kms:Sign per seal) and reads the public key for its kid; discovery
 * publishes that public key in the JWKS and `sealKeyIds`. No other function touches it.
 */
export const SEAL_KEY_ACCESS: Readonly<Partial<Record<HandlerName, readonly ('kms:Sign' | 'kms:GetPublicKey')[]>>> = {
  discovery: ['kms:GetPublicKey'],
  sealer: ['kms:Sign', 'kms:GetPublicKey'],
};

/** The sealer: one at a time (seals append with a conditional write, so this only saves wasted KMS Sign calls). */
export const SEALER = { reservedConcurrency: SEALER_RESERVED_CONCURRENCY, timeout: Duration.seconds(60) } as const;
/**
 * The psv.overdue scan: one at a time; a run reads at most SCAN_BUDGET cases, one transaction each (seconds). It writes
 * audit events, so it times out within EVENT_WRITER_TIMEOUT_SECONDS like every event writer (the late bound, docs/audit.md).
 */
export const OVERDUE = { reservedConcurrency: OVERDUE_RESERVED_CONCURRENCY, timeout: Duration.seconds(60) } as const;
/** API handlers answer within API Gateway's integration timeout with room to spare. */
export const API_TIMEOUT = Duration.seconds(10);
/**
 * The auditor console returns a few embedded files in milliseconds: little memory and a short timeout. Its reserved
 * concurrency (lib/limits.ts) is small: each request lasts milliseconds, so it still serves hundreds a second.
 */
export const CONSOLE = { timeout: Duration.seconds(5), memorySize: 256 } as const;
/**
 * Notification functions (lib/constructs/notifications.ts wires their event sources): the notifier fans a stream batch
 * out (an agreement query and a signature per receiver); the deliverer waits at most 5 s per POST, its ten at once, so
 * 30 s leaves room (the queue's visibility timeout is six times that). Only the deliverer reaches outside AWS.
 */
export const NOTIFY_FUNCTIONS = {
  notifier: { reservedConcurrency: NOTIFIER_RESERVED_CONCURRENCY, timeout: Duration.seconds(60) },
  deliverer: { reservedConcurrency: DELIVERER_RESERVED_CONCURRENCY, timeout: Duration.seconds(30), reach: 'aws-apis-and-webhooks' },
} as const;
/**
 * The denials function keeps the screening index of every active denial in memory (about 130 MB of heap for
 * 100,000 listed parties, docs/performance.md), and Lambda gives CPU in proportion to memory: 1,536 MB is room for
 * the index and most of one vCPU for scoring a batch.
 */
export const DENIALS = { memorySize: 1536 } as const;

type AppKey = { readonly key: kms.IKey; readonly def: KmsKeyDefinition };

export interface CorridorHandlersProps {
  readonly exchangeId: string;
  readonly tables: CorridorTables;
  readonly tableKey: kms.IKey;
  /** The application keys of KMS_KEYS, by id; every function learns each one's ARN from its environment variable. */
  readonly appKeys: Readonly<Record<KmsKeyDefinition['id'], AppKey>>;
  readonly logsKey: kms.IKey;
  /** Reserved concurrency of each API handler group and the console (the sealer's is fixed: SEALER). */
  readonly reservedConcurrency: Readonly<Record<ConcurrencyName, number>>;
  /** Dimensions of the request metrics (context corridor:metricsDetail), passed as CORRIDOR_METRICS_DETAIL. */
  readonly metricsDetail: MetricsDetail;
  /** Successful requests at least this slow are logged (context corridor:slowRequestMs), passed as CORRIDOR_SLOW_REQUEST_MS. */
  readonly slowRequestMs: number;
  /** corridor:tracing and corridor:edge: what each function's bundle holds; the tracing mode is also CORRIDOR_TRACING. */
  readonly bundleModes: BundleModes;
}

export class CorridorHandlers extends Construct {
  readonly byName: Readonly<Record<HandlerName, HandlerFunction>>;

  constructor(scope: Construct, id: string, props: CorridorHandlersProps) {
    super(scope, id);
    const environment: Record<string, string> = { CORRIDOR_EXCHANGE_ID: props.exchangeId, [METRICS_DETAIL_ENV]: props.metricsDetail, [TRACING_ENV]: props.bundleModes.tracing, [SLOW_REQUEST_MS_ENV]: String(props.slowRequestMs) };
    for (const { def, table } of props.tables.all) environment[def.envVar] = table.tableName;
    for (const { def, key } of Object.values(props.appKeys)) environment[def.envVar] = key.keyArn;

    const byName = {} as Record<HandlerName, HandlerFunction>;
    for (const name of HANDLER_NAMES) {
      const common = { name, invocation: invocationOf(name), logsKey: props.logsKey, bundleModes: props.bundleModes };
      // The console gets neither the shared environment nor any grant: its policy holds only WriteOwnLogs.
      const fn = name === 'console'
        ? new HandlerFunction(this, constructId(name), { ...common, ...CONSOLE, reservedConcurrency: props.reservedConcurrency.console, reach: 'nothing' })
        : new HandlerFunction(this, constructId(name), {
          ...common,
          environment,
          ...(name === 'notifier' || name === 'deliverer' ? NOTIFY_FUNCTIONS[name] : name === 'overdue' ? OVERDUE : {
            reservedConcurrency: name === 'sealer' ? SEALER.reservedConcurrency : props.reservedConcurrency[name],
            timeout: name === 'sealer' ? SEALER.timeout : API_TIMEOUT,
          }),
          ...(name === 'denials' ? DENIALS : {}),
        });
      const tableGrants = tableStatements(props.tables, TABLE_ACCESS[name]);
      if (tableGrants.length > 0) {
        fn.grant(...tableGrants);
        fn.grant(
          new iam.PolicyStatement({
            sid: 'TableKeyViaDynamoDB',
            actions: [...TABLE_KEY_ACTIONS],
            resources: [props.tableKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
          }),
        );
      }
      // the sealer never encrypts or decrypts, the console touches no data: no payload key for them (the overdue scan
      // encrypts its outbox notices)
      if (isApiGroup(name) || name === 'notifier' || name === 'deliverer' || name === 'overdue') {
        fn.grant(new iam.PolicyStatement({ sid: 'PayloadDataKeys', actions: [...PAYLOAD_KEY_ACTIONS], resources: [props.appKeys.payload.key.keyArn] }));
      }
      const seal = SEAL_KEY_ACCESS[name];
      if (seal) {
        fn.grant(new iam.PolicyStatement({ sid: 'SealKey', actions: [...seal], resources: [props.appKeys.seal.key.keyArn] }));
      }
      byName[name] = fn;
    }
    this.byName = byName;
  }

  get sealer(): HandlerFunction {
    return this.byName.sealer;
  }

  /** The auditor console's function (GET /console and below). */
  get console(): HandlerFunction {
    return this.byName.console;
  }

  /** The functions behind the HTTP API's action and discovery routes, by handler group (the routes' `group`). */
  get apiFunctions(): Readonly<Record<HandlerGroup, lambda.IFunction>> {
    const out = {} as Record<HandlerGroup, lambda.IFunction>;
    for (const g of API_GROUPS) out[g] = this.byName[g].fn;
    return out;
  }
}

/** One statement per table (`<Table>Items`) on the table ARN, and one (`<Table>IndexQuery`) with Query on its granted index ARNs. */
function tableStatements(tables: CorridorTables, access: Readonly<Partial<Record<TableId, TableGrant>>>): iam.PolicyStatement[] {
  const out: iam.PolicyStatement[] = [];
  for (const [id, grant] of Object.entries(access) as [TableId, TableGrant][]) {
    const { def, table } = tables.byId[id];
    out.push(new iam.PolicyStatement({ sid: `${constructId(id)}Items`, actions: [...grant.actions], resources: [table.tableArn] }));
    const indexes = grant.queryIndexes ?? [];
    for (const index of indexes) {
      if (!def.globalIndexes.some((g) => g.indexName === index)) throw new Error(`table ${id} defines no index ${index}`);
    }
    if (indexes.length > 0) {
      out.push(new iam.PolicyStatement({
        sid: `${constructId(id)}IndexQuery`,
        actions: ['dynamodb:Query'],
        resources: indexes.map((i) => `${table.tableArn}/index/${i}`),
      }));
    }
  }
  return out;
}
