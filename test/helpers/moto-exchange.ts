/**
 * The exchange on its AWS adapters against a real moto_server started for the test file:
 * tables and keys created from the CDK definitions, exactly as `npm start` does.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { awsClients, buildServices, type AwsClients } from '../../lambdas/adapters/aws/aws-services.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import type { TableId } from '../../lambdas/core/ports.ts';
import { createKeys, createTables } from '../../lambdas/local/bootstrap.ts';
import { startMoto, type Emulator } from '../../lambdas/local/emulator.ts';
import { TABLES } from '../../lambdas/definitions.ts';
import { captureLogger, EXCHANGE_ID, ExchangeDriver } from './memory-exchange.ts';

export const REGION = 'eu-central-1';

export class MotoExchange extends ExchangeDriver {
  readonly logs: string[] = [];

  private constructor(
    readonly emulator: Emulator,
    readonly clients: AwsClients,
    readonly tables: Record<TableId, string>,
    readonly payloadKeyId: string,
    readonly sealKeyId: string,
    logs: string[],
    retryDeadlineMs: number,
  ) {
    super(buildServices({ exchangeId: EXCHANGE_ID, region: REGION, awsEndpoint: emulator.endpoint, tables, payloadKeyId, sealKeyId, agencyCacheMs: 0, responseKeyRefreshMs: 300_000, retryDeadlineMs }, clients, captureLogger(logs)), Date.now);
    this.logs = logs;
  }

  /** Start moto, create resources, bootstrap the operator. `clients` lets a test add SDK middleware. */
  static async start(opts: { retryDeadlineMs?: number } = {}): Promise<MotoExchange> {
    const emulator = await startMoto();
    const clients = awsClients({ region: REGION, awsEndpoint: emulator.endpoint });
    const env = { ...(await createTables(clients.dynamodb)), ...(await createKeys(clients.kms)) };
    const tables = Object.fromEntries(TABLES.map((t) => [t.id, env[t.envVar]!])) as Record<TableId, string>;
    const x = new MotoExchange(emulator, clients, tables, env.CORRIDOR_PAYLOAD_KEY_ID!, env.CORRIDOR_SEAL_KEY_ID!, [], opts.retryDeadlineMs ?? 8000);
    await x.bootstrap();
    return x;
  }

  async stop(): Promise<void> {
    this.clients.dynamodb.destroy();
    this.clients.kms.destroy();
    await this.emulator.stop();
  }

  /** Every raw item of a table, read straight through the SDK. */
  async scan(table: TableId): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.clients.dynamodb.send(new ScanCommand({ TableName: this.tables[table], ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async auditEvents(): Promise<AuditEvent[]> {
    return (await this.scan('audit')).filter((i) => i.event?.S).map((i) => JSON.parse(i.event!.S!) as AuditEvent).sort((a, b) => a.ts.localeCompare(b.ts) || a.id.localeCompare(b.id));
  }

  /** Every non-audit item, sorted: equal snapshots prove a refusal changed nothing. */
  async snapshot(): Promise<string> {
    const all = [...(await this.scan('registry')), ...(await this.scan('documents'))];
    return JSON.stringify(all.map((i) => JSON.stringify(i)).sort());
  }
}
