// Issue 17 item 9, suspected from reading exchange.ts: "an SDK retry overlaps its own in-flight
// transaction, DynamoDB answers TransactionConflict, and a committed drawdown is answered 401
// request-replayed". Ruled out: the SDK serializes TransactWriteItems once per call, with a
// ClientRequestToken it generates, and re-sends the very same request on each retry; DynamoDB
// answers a request whose token is still in flight with TransactionInProgressException (which
// the SDK retries as throttling) and a token already applied with success, changing nothing —
// never a cancellation. moto ignores the token, so `clientTokens` below puts DynamoDB's
// documented token semantics in front of it, at the same place as inject.ts (each attempt,
// before the HTTP handler). Outcomes: 201 applied once when the first attempt lands before the
// SDK's last retry; otherwise the residual case of unknown-outcome.test.ts (503, while the
// drawdown lands), which a resend with a new jti answers as `replayed` — never 401.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { shipment } from '../helpers/licenses.ts';
import { diff, FaultyProcess, LICENSE_ID, startWorld, tableState, type World } from './fault-kit.ts';

type Scenario = 'answer-lost-after-commit' | 'retry-overlaps-first' | 'in-flight-past-last-retry';
interface TokenModel { tokens: string[]; release: () => Promise<void>; remove: () => void }

const json = (statusCode: number, body: unknown) => ({
  response: { statusCode, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `model-${Math.random()}` }, body: new TextEncoder().encode(JSON.stringify(body)) },
  output: undefined as unknown as MetadataBearer,
});
const IN_PROGRESS = () => json(400, { __type: 'com.amazonaws.dynamodb.v20120810#TransactionInProgressException', message: 'Transaction is ongoing for the idempotency token' });
const timedOut = (): Error => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' });

/**
 * DynamoDB's ClientRequestToken semantics for the next TransactWriteItems call: its first attempt
 * reaches the service (now, or held "in flight" until released) and its answer is lost; a later
 * attempt with the token in flight gets TransactionInProgressException, with the token applied
 * gets success without effect.
 */
function clientTokens(client: DynamoDBClient, scenario: Scenario): TokenModel {
  const name = `token-model-${Math.random()}`;
  const tokens: string[] = [];
  let held: (() => Promise<unknown>) | null = null;
  let applied = false;
  const release = async (): Promise<void> => {
    const send = held;
    held = null;
    if (send) await send();
    applied = true;
  };
  (client.middlewareStack as unknown as MiddlewareStack<object, MetadataBearer>).add((next, context) => async (args) => {
    if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
    const request = (args as { request: { body: string } }).request;
    tokens.push(String((JSON.parse(request.body) as { ClientRequestToken?: string }).ClientRequestToken));
    if (tokens.length === 1) {
      held = () => next(args);
      if (scenario === 'answer-lost-after-commit') await release();
      throw timedOut();
    }
    if (applied) return json(200, {});
    if (scenario === 'retry-overlaps-first') await release(); // it was in progress when this attempt arrived; it ends meanwhile
    return IN_PROGRESS();
  }, { step: 'deserialize', priority: 'low', name });
  return { tokens, release, remove: () => void (client.middlewareStack as unknown as MiddlewareStack<object, MetadataBearer>).remove(name) };
}

let w: World;
let p: FaultyProcess;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.x.stop();
});
beforeEach(async () => {
  p = await FaultyProcess.start(w.x);
});
afterEach(() => {
  p.stop();
});

const DOC = `documents/LICENSE#DE-BAFA#${LICENSE_ID}`;
const body = (declarationId: string) => ({ issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId, date: '2026-11-22', items: [{ line: 1, quantity: 1 }] });
const remaining = async () => ((await p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() })).result.lines as { remaining: number }[])[0]!.remaining;

describe('a drawdown whose SDK retry meets its own transaction (DynamoDB client-token semantics)', () => {
  it.each([['answer-lost-after-commit', 2], ['retry-overlaps-first', 3]] as const)('%s → 201, drawn once, never 401; all %i attempts carried the same token', async (scenario, attempts) => {
    const before = await tableState(w.x);
    const left = await remaining();
    const model = clientTokens(p.clients.dynamodb, scenario);
    try {
      const a = await p.call(w.douane, 'license.drawdown', body(`NL-OVERLAP-${scenario}`));
      expect([a.status, a.result?.replayed, a.problem?.type]).toEqual([201, false, undefined]);
      expect(model.tokens).toHaveLength(attempts);
      expect(new Set(model.tokens).size).toBe(1);
      expect(model.tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
      const d = diff(before, await tableState(w.x));
      expect(d.added.filter((k) => k.startsWith(`${DOC}/DRAWDOWN#`))).toEqual([`${DOC}/DRAWDOWN#NL-DOUANE#NL-OVERLAP-${scenario}`]);
      const events = (await w.x.auditEvents()).filter((e) => d.added.includes(`audit/${e.id}/`) && e.action === 'license.drawdown');
      expect(events.map((e) => [e.id, e.status, e.decision])).toEqual([[a.claims.auditId, 201, 'allow']]);
    } finally {
      model.remove();
    }
    expect(await remaining()).toBe(left - 1);
  });

  it('in flight past the SDK\'s last retry → 503 (unknown outcome, as unknown-outcome.test.ts), not 401; a resend with a new jti answers replayed, drawn once', async () => {
    const left = await remaining();
    const model = clientTokens(p.clients.dynamodb, 'in-flight-past-last-retry');
    let a;
    try {
      a = await p.call(w.douane, 'license.drawdown', body('NL-OVERLAP-SLOW'));
      expect(model.tokens).toHaveLength(3); // maxAttempts: TransactionInProgressException is retried as throttling
      expect(new Set(model.tokens).size).toBe(1);
    } finally {
      await model.release(); // the first attempt lands after the answer
      model.remove();
    }
    expect([a.status, a.problem?.type]).toEqual([503, 'urn:corridor:problem:audit-write-failed']);
    const again = await p.call(w.douane, 'license.drawdown', body('NL-OVERLAP-SLOW'));
    expect([again.status, again.result.replayed]).toEqual([200, true]);
    expect(await remaining()).toBe(left - 1);
  });
});
