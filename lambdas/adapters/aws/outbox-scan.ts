/**
 * DynamoDbOutboxScan implements OutboxSource (core/notifications/refan.ts) for the operator command `corridor
 * notifications refan`: a paged Scan of the audit table, filtered to outbox items (`OUTBOX#…`) committed in the
 * range. Only the operator's credentials run it — no Lambda role has dynamodb:Scan, and none must get it. A Scan
 * reads (and is billed for) the whole table; the filter only trims what comes back.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../core/errors.ts';
import { OUTBOX_PREFIX } from '../../core/notifications/outbox.ts';
import type { OutboxItem, OutboxSource, RefanRange } from '../../core/notifications/refan.ts';
import { fromAttribute } from './attribute-codec.ts';

export class DynamoDbOutboxScan implements OutboxSource {
  constructor(private readonly client: DynamoDBClient, private readonly auditTable: string) {}

  async *items(range: RefanRange): AsyncIterable<OutboxItem> {
    let start: Record<string, AttributeValue> | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ScanCommand({
          TableName: this.auditTable,
          // `ts` is an ISO time written by isoNow: string order is time order
          FilterExpression: 'begins_with(#pk, :prefix) AND #ts >= :since AND #ts < :until',
          ProjectionExpression: '#pk, #owner, #ts, #notices',
          ExpressionAttributeNames: { '#pk': 'pk', '#owner': 'owner', '#ts': 'ts', '#notices': 'notices' },
          ExpressionAttributeValues: { ':prefix': { S: OUTBOX_PREFIX }, ':since': { S: range.since }, ':until': { S: range.until } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }));
      } catch (e) {
        throw new DependencyError('dynamodb', e);
      }
      for (const { pk, ...rest } of page.Items ?? []) {
        yield { pk: pk?.S ?? '', attrs: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, fromAttribute(v)])) };
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
