/**
 * `corridor subscribe`, `corridor notifications list | listen` (protocol.md §10): where an agency's notifications go,
 * the ones addressed to it (each JWS checked offline), and a verifying receiver on 127.0.0.1.
 */
import type { NotificationListResult } from '../../../lambdas/client/types.generated.ts';
import { NotificationRejected, verifyNotification, type NotificationClaims } from '../../../lambdas/client/notification-check.ts';
import { client, list, parse, str, UsageError, type Values } from '../context.ts';
import { err, EXIT, out, show } from '../output.ts';
import { PAGE_OPTIONS, pageLimit, pages } from '../pages.ts';
import { startReceiver } from '../notification-receiver.ts';

const TYPES = 'license.status, license.version, license.drawdown, license.balance, euc.status, agency.key';

export const subscribeHelp = `corridor subscribe --as AGENCY [--endpoint URL --events TYPE,…] [--json]
  Where the exchange POSTs your notifications, and which types: ${TYPES}.
  A new subscription replaces the old one; --events "" turns notifications off. Without --endpoint and --events it
  shows the current subscription. Deployed exchanges take https to a public address only; a local one (npm start)
  also http://127.0.0.1:PORT and http://[::1]:PORT.
  Example: corridor subscribe --as NL-DOUANE --endpoint https://hooks.douane.example.nl/corridor --events license.status,agency.key`;

export const listHelp = `corridor notifications list --as AGENCY [--since DATE-TIME] [--limit N] [--cursor CURSOR] [--json]
  The notifications addressed to you in the last 30 days, whatever became of their delivery, oldest first, each JWS
  checked offline like a delivered one (exit 4 if one does not verify). Follows the pages (--limit per page).
  Example: corridor notifications list --as NL-DOUANE --since 2026-11-22T00:00:00Z`;

export const listenHelp = `corridor notifications listen --as AGENCY --port N [--events TYPE,…] [--count N] [--json]
  A receiver on http://127.0.0.1:N/ that checks each notification (header exactly {alg, kid, typ}, kid among the
  exchange's responseKeyIds, signature, iss, aud = you, webhook-id = jti), prints it, and answers 204 (duplicates
  too: deduplicate by jti); anything else is answered 400 and reported on stderr. --port 0 picks a free port.
  --events subscribes this receiver first (local exchanges only: deployed ones take https). --count N exits after N
  new notifications. A reference for your own receiver: bin/cli/notification-receiver.ts.
  Example: corridor notifications listen --as NL-DOUANE --port 8787 --events license.status`;

export async function subscribe(argv: string[]): Promise<number> {
  const v = parse(argv, { endpoint: { type: 'string' }, events: { type: 'string' } }, (x) => (x.endpoint !== undefined || x.events !== undefined ? ['as', 'endpoint'] : ['as']));
  const c = await client(v);
  if (v.endpoint === undefined && v.events === undefined) {
    return show(await c.call('subscription.get', {}), !!v.json, (r) => [r.subscription ? describe(r.subscription) : `${c.agencyId} has no subscription`]);
  }
  if (v.events === undefined) throw new UsageError('missing --events (--events "" turns notifications off)');
  const body = { endpoint: str(v, 'endpoint')!, events: list(v, 'events') };
  return show(await c.call('subscription.put', body), !!v.json, (r) => [describe(r)]);
}

function describe(s: { endpoint: string; events: string[]; updatedAt: string }): string {
  return s.events.length ? `notifications of ${s.events.join(', ')} go to ${s.endpoint} (since ${s.updatedAt})` : `notifications are off (endpoint ${s.endpoint}, since ${s.updatedAt})`;
}

const subject = (c: NotificationClaims): string => (c.sub.documentType ? `${c.sub.documentType} ${c.sub.issuer}/${c.sub.documentId}` : `key ${c.sub.agencyId}/${c.sub.kid}`);
const line = (c: NotificationClaims): string => `${new Date(c.iat * 1000).toISOString()} ${c.evt} ${subject(c)} ${JSON.stringify(c.data)}`;

export async function listNotifications(argv: string[]): Promise<number> {
  const v = parse(argv, { ...PAGE_OPTIONS, since: { type: 'string' } }, ['as']);
  const body = { ...pageLimit(v.limit, (m) => new UsageError(m)), ...(v.since ? { since: String(v.since) } : {}) };
  const c = await client(v);
  const { answer, extra } = await pages<NotificationListResult, 'notifications'>((cursor) => c.call('notification.list', { ...body, ...(cursor ? { cursor } : {}) }), 'notifications', 'notification', str(v, 'cursor', false));
  const checked = new Map<string, NotificationClaims | string>();
  if (answer.result) {
    const trust = await c.discover();
    for (const n of answer.result.notifications) {
      try {
        checked.set(n.jti, await verifyNotification(n.jws, trust, c.agencyId!));
      } catch (e) {
        checked.set(n.jti, e instanceof NotificationRejected ? e.message : 'could not be checked');
      }
    }
  }
  const bad = [...checked.values()].filter((x) => typeof x === 'string').length;
  const code = show(answer, !!v.json, (r) => [
    `${r.notifications.length} notification(s)`,
    ...r.notifications.map((n) => {
      const x = checked.get(n.jti)!;
      const state = `[${n.delivery.state}, ${n.delivery.attempts} attempt(s)${n.delivery.lastResult ? `, last ${n.delivery.lastResult}` : ''}]`;
      return typeof x === 'string' ? `  ✗ ${n.jti} does not verify: ${x}` : `  ✓ ${line(x)} ${state}`;
    }),
    ...(r.cursor ? [`  more: --cursor ${r.cursor}`] : []),
  ], { ...extra, verified: checked.size - bad, notVerified: bad });
  return code === EXIT.ok && bad > 0 ? EXIT.untrusted : code;
}

export async function listen(argv: string[]): Promise<number> {
  const v: Values = parse(argv, { port: { type: 'string' }, events: { type: 'string' }, count: { type: 'string' } }, ['as', 'port']);
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number (0: any free one)');
  const count = v.count === undefined ? Infinity : Number(v.count);
  if (count !== Infinity && (!Number.isInteger(count) || count < 1)) throw new UsageError('--count must be a positive integer');
  const c = await client(v);
  const me = c.agencyId!;
  await c.discover();
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => { done = resolve; });
  const receiver = await startReceiver(port, {
    receiver: me,
    trust: () => c.discover(),
    refresh: () => c.discover(true),
    onNotification: (claims, duplicate) => {
      out(v.json ? JSON.stringify({ ...claims, duplicate }) : `✓ ${line(claims)}${duplicate ? ' (duplicate: already received)' : ''}`);
      if (!duplicate && ++received >= count) done();
    },
    onRejected: (reason) => err(`✗ refused a POST: ${reason}`),
  });
  const endpoint = `http://127.0.0.1:${receiver.port}/`;
  if (v.events !== undefined) {
    const a = await c.call('subscription.put', { endpoint, events: list(v, 'events') });
    if (a.problem) {
      await receiver.close();
      return show(a, !!v.json, () => []);
    }
  }
  err(`listening on ${endpoint} for ${me}${v.events !== undefined ? ` (subscribed: ${list(v, 'events').join(', ') || 'nothing'})` : ''}; Ctrl-C stops`);
  const stop = (): void => done();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await finished;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await receiver.close();
  return EXIT.ok;
}
