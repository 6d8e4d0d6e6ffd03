/** The Corridor stack: composes keys, tables, backups, handlers (the console among them), the sealer schedule, alerts and the API; no resource is configured here. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlertTopic } from './constructs/alerts.ts';
import { TableBackups } from './constructs/backups.ts';
import { ExchangeApi } from './constructs/exchange-api.ts';
import { CorridorHandlers } from './constructs/handlers.ts';
import { constructId } from './constructs/ids.ts';
import { CorridorKeys } from './constructs/keys.ts';
import { SealerSchedule } from './constructs/sealer-schedule.ts';
import { CorridorTables } from './constructs/tables.ts';

export const DEFAULT_EXCHANGE_ID = 'corridor:eu-hub';
export const DEFAULT_RESERVED_CONCURRENCY = 25;

export interface CorridorStackProps extends StackProps {
  /** Identifier of this exchange (audience of signed requests); context `exchangeId`. */
  readonly exchangeId?: string;
  /**
   * Reserved concurrency of each API handler; context `reservedConcurrency`. Caps what one group can consume (and cost)
   * under load or abuse; the account needs this times five (the API groups), plus 1 (the sealer), plus
   * CONSOLE.reservedConcurrency (the auditor console), plus 100 unreserved.
   */
  readonly reservedConcurrency?: number;
}

export class CorridorStack extends Stack {
  readonly keys: CorridorKeys;
  readonly tables: CorridorTables;
  readonly handlers: CorridorHandlers;
  readonly alerts: AlertTopic;
  readonly sealerSchedule: SealerSchedule;
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
      appKeys: this.keys.app,
      logsKey: this.keys.logs,
      reservedConcurrency: props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY,
    });
    this.alerts = new AlertTopic(this, 'Alerts', { encryptionKey: this.keys.alerts });
    this.sealerSchedule = new SealerSchedule(this, 'Sealer', { fn: this.handlers.sealer.fn, alertTopic: this.alerts.topic });
    this.exchangeApi = new ExchangeApi(this, 'Exchange', {
      functions: this.handlers.apiFunctions,
      consoleFunction: this.handlers.console.fn,
      logsKey: this.keys.logs,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.exchangeApi.url, description: 'Base URL of the Corridor exchange API (CORRIDOR_URL)' });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn, description: 'SNS topic of operator alerts (sealer failures); subscribe to it' });
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
