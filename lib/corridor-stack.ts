/** The Corridor stack: composes keys, tables, backups, handlers and the API; no resource is configured here. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TableBackups } from './constructs/backups.ts';
import { ExchangeApi } from './constructs/exchange-api.ts';
import { CorridorHandlers } from './constructs/handlers.ts';
import { constructId } from './constructs/ids.ts';
import { CorridorKeys } from './constructs/keys.ts';
import { CorridorTables } from './constructs/tables.ts';

export const DEFAULT_EXCHANGE_ID = 'corridor:eu-hub';
export const DEFAULT_RESERVED_CONCURRENCY = 25;

export interface CorridorStackProps extends StackProps {
  /** Identifier of this exchange (audience of signed requests); context `exchangeId`. */
  readonly exchangeId?: string;
  /**
   * Reserved concurrency of each handler; context `reservedConcurrency`. Caps what one group can consume (and cost)
   * under load or abuse; the account needs this times three plus 100 unreserved.
   */
  readonly reservedConcurrency?: number;
}

export class CorridorStack extends Stack {
  readonly keys: CorridorKeys;
  readonly tables: CorridorTables;
  readonly handlers: CorridorHandlers;
  readonly exchangeApi: ExchangeApi;

  constructor(scope: Construct, id: string, props: CorridorStackProps = {}) {
    super(scope, id, { description: 'Corridor: signed, audited exchange of export licenses between agencies', ...props });
    this.keys = new CorridorKeys(this, 'Keys');
    this.tables = new CorridorTables(this, 'Tables', { encryptionKey: this.keys.table });
    new TableBackups(this, 'Backups', {
      tables: this.tables.all.map((t) => t.table),
      encryptionKey: this.keys.table,
    });
    const exchangeId = props.exchangeId ?? DEFAULT_EXCHANGE_ID;
    this.handlers = new CorridorHandlers(this, 'Handlers', {
      exchangeId,
      tables: this.tables,
      tableKey: this.keys.table,
      payloadKey: this.keys.app.payload,
      logsKey: this.keys.logs,
      reservedConcurrency: props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY,
    });
    this.exchangeApi = new ExchangeApi(this, 'Exchange', {
      functions: {
        agencies: this.handlers.byGroup.agencies.fn,
        licenses: this.handlers.byGroup.licenses.fn,
        eucs: this.handlers.byGroup.eucs.fn,
        discovery: this.handlers.byGroup.discovery.fn,
      },
      logsKey: this.keys.logs,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.exchangeApi.url, description: 'Base URL of the Corridor exchange API (CORRIDOR_URL)' });
    // What `corridor bootstrap` needs in its environment: the handlers' own variables, named in each description.
    new CfnOutput(this, 'ExchangeId', { value: exchangeId, description: 'CORRIDOR_EXCHANGE_ID' });
    for (const { def, table } of this.tables.all) {
      new CfnOutput(this, `${constructId(def.id)}Table`, { value: table.tableName, description: def.envVar });
    }
    for (const { def, key } of Object.values(this.keys.app)) {
      new CfnOutput(this, `${constructId(def.id)}KeyId`, { value: key.keyArn, description: def.envVar });
    }
  }
}
