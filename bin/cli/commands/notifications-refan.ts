/**
 * `corridor notifications refan` (operator, storage access): makes the notifications of outbox items the notifier
 * never processed — their stream records outlived a day of retries and went to the StreamFailures queue — by fanning
 * the items out again (core/notifications/refan.ts). It talks to the tables and the delivery queue directly with the
 * operator's AWS credentials, like `keys rotate`: the local exchange's emulator (local.json) or the deployed stack
 * (the handlers' environment variables). Prints only outbox ids and counts: the notices are trade data.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClients, buildServices, quietTelemetry, sdkClientConfig } from '../../../lambdas/adapters/aws/aws-services.ts';
import { DynamoDbOutboxScan } from '../../../lambdas/adapters/aws/outbox-scan.ts';
import { SqsNotificationQueue } from '../../../lambdas/adapters/aws/sqs-notification-queue.ts';
import { ConfigError } from '../../../lambdas/config.ts';
import { DependencyError, failureOf } from '../../../lambdas/core/errors.ts';
import { OUTBOX_TTL_DAYS } from '../../../lambdas/core/notifications/outbox.ts';
import { refan as refanAll, type RefanItem, type RefanRange } from '../../../lambdas/core/notifications/refan.ts';
import { parse, str, UsageError, type Values } from '../context.ts';
import { err, EXIT, fail, out } from '../output.ts';
import { storageConfig, storageQueueUrl } from '../storage.ts';

export const refanHelp = `corridor notifications refan --since ISO-TIME [--until ISO-TIME] [--json]
  Operator, with storage access: fans out again the outbox items committed from --since up to (not including)
  --until (default: now), for when the StreamFailuresAlarm fired — the notifier could not process audit-stream
  records for a day, so their notifications were never made. Outbox items are kept ${OUTBOX_TTL_DAYS} days. Safe to run
  twice: each receiver's notification is made once (one jti); only one never attempted is queued again, so a run
  before the last one's deliveries were tried may deliver it twice (receivers deduplicate by jti). Prints each
  outbox id with the notifications queued and the receivers skipped (not subscribed to the type, or not active),
  and the totals; exit 1 if an item failed (run again), 3 if the audit table could not be read. Scans the whole
  audit table (its read cost grows with the log).
  Local: uses $CORRIDOR_HOME/local.json. AWS: the environment of \`keys rotate\` plus CORRIDOR_NOTIFY_QUEUE_URL
  (stack output of that description), with credentials that may dynamodb:Scan the audit table.
  Example: corridor notifications refan --since 2026-11-22T00:00:00Z --until 2026-11-23T12:00:00Z`;

/** An ISO date-time (with its zone) as the outbox stores `ts`, so the Scan's string comparison is a time comparison. */
function isoTime(v: Values, name: string): string | undefined {
  const s = str(v, name, false);
  if (s === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) || Number.isNaN(Date.parse(s))) {
    throw new UsageError(`--${name} must be an ISO date-time with its zone, e.g. 2026-11-22T00:00:00Z (got ${s})`);
  }
  return new Date(s).toISOString();
}

export function refanRange(v: Values, now: number): RefanRange {
  const since = isoTime(v, 'since')!;
  const until = isoTime(v, 'until') ?? new Date(now).toISOString();
  if (since >= until) throw new UsageError(`--since (${since}) must be before --until (${until})`);
  return { since, until };
}

const describe = (r: RefanItem): string => ('failed' in r ? `✗ ${r.id}: failed (${r.failed.dependency} ${r.failed.errorClass}); run again` : `${r.id}: queued ${r.queued}, skipped ${r.skipped}`);

export async function refan(argv: string[]): Promise<number> {
  const v = parse(argv, { since: { type: 'string' }, until: { type: 'string' } }, ['since']);
  const range = refanRange(v, Date.now());
  let cfg;
  try {
    cfg = storageConfig();
  } catch (e) {
    throw e instanceof ConfigError ? new UsageError(e.message) : e;
  }
  const queueUrl = storageQueueUrl();
  const clients = awsClients(cfg);
  const sqs = new SQSClient(sdkClientConfig(cfg));
  const items: RefanItem[] = [];
  try {
    const services = buildServices(cfg, clients, quietTelemetry);
    const total = await refanAll({ services, queue: new SqsNotificationQueue(sqs, queueUrl) }, new DynamoDbOutboxScan(clients.dynamodb, cfg.tables.audit), range, (r) => {
      items.push(r);
      if (!v.json) ('failed' in r ? err : out)(describe(r));
    });
    if (v.json) out(JSON.stringify({ ...range, items, total }, null, 2));
    else out(`${total.items} outbox item(s) from ${range.since} to ${range.until}: ${total.queued} notification(s) queued, ${total.skipped} receiver(s) skipped${total.failed ? `, ${total.failed} item(s) failed` : ''}`);
    return total.failed ? EXIT.refused : EXIT.ok;
  } catch (e) {
    // only reading the audit table throws here (an item's failure is counted above): nothing was read to the end
    if (!(e instanceof DependencyError)) throw e;
    const f = failureOf(e);
    return fail('notifications refan', EXIT.unavailable, `the audit table could not be read (${f.dependency} ${f.errorClass}) after ${items.length} item(s); run again`, !!v.json);
  } finally {
    sqs.destroy();
    clients.dynamodb.destroy();
    clients.kms.destroy();
  }
}
