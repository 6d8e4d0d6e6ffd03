// A commit that reached DynamoDB and was applied, but whose answer was lost (timeout). The
// audit event is written in the same transaction as the mutation, under an id of our own, so
// finding our event (same rsd) proves the commit happened: the answer is the success, and it
// is applied exactly once (docs/protocol-decisions.md, "unknown-outcome commits").
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { shipment } from '../helpers/licenses.ts';
import { diff, expectFaultRefusal, FaultyProcess, LICENSE_ID, startWorld, tableState, type World } from './fault-kit.ts';
import { inject, writesTo, type Injection } from './inject.ts';

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

const HEAD = `documents/LICENSE#DE-BAFA#${LICENSE_ID}/CUR#HEAD`;
const lost = (commands: string[], at: 'attempt' | 'call'): Injection => ({ commands, fault: { kind: 'lost-answer' }, at, times: 1 });

/**
 * Run `send` with one lost answer; the table diff must be exactly `expected` plus the answer's own event and, for a
 * notifying action, the one outbox item committed with it (notifications/outbox.ts: `OUTBOX#` + the event id).
 */
async function expectAppliedOnce(injection: Injection, send: () => ReturnType<FaultyProcess['call']>, expected: { added?: string[]; changed?: string[]; notifies?: boolean }) {
  const before = await tableState(w.x);
  const injected = inject(p.clients.dynamodb, injection);
  try {
    const a = await send();
    expect(injected.hits).toBe(1);
    const d = diff(before, await tableState(w.x));
    const own = [`audit/${String(a.claims.auditId)}/`, ...(expected.notifies ? [`audit/OUTBOX#${String(a.claims.auditId)}/`] : [])];
    expect(d.added.sort()).toEqual([...own, ...(expected.added ?? [])].sort());
    expect([d.changed, d.removed]).toEqual([expected.changed ?? [], []]);
    const event = (await w.x.auditEvents()).find((e) => e.id === a.claims.auditId)!;
    expect(event).toMatchObject({ decision: a.problem ? 'deny' : 'allow', status: a.status });
    return a;
  } finally {
    injected.remove();
  }
}

describe('the SDK retries the lost request (attempt timed out after the write)', () => {
  it('a drawdown: the re-sent transaction meets its own event → 201, drawn exactly once', async () => {
    const a = await expectAppliedOnce(lost(['TransactWriteItemsCommand'], 'attempt'),
      () => p.call(w.douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId: 'NL-LOST-1', date: '2026-11-22', items: [{ line: 1, quantity: 3 }] }),
      { added: [`documents/LICENSE#DE-BAFA#${LICENSE_ID}/CUR#BALANCE`, `documents/LICENSE#DE-BAFA#${LICENSE_ID}/DRAWDOWN#NL-DOUANE#NL-LOST-1`, `documents/LICENSE#DE-BAFA#${LICENSE_ID}/DRAWSEQ#0000000001`, `documents/LICENSE#DE-BAFA#${LICENSE_ID}/DRAWSEQ#FROM`], notifies: true });
    expect([a.status, a.result.lines]).toEqual([201, [{ line: 1, drawn: 3, remaining: 37 }]]);
    const check = await p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() });
    expect(check.result.lines).toEqual([expect.objectContaining({ line: 1, remaining: 37 })]);
  });

  it('a verification: the re-sent event put meets itself → 200', async () => {
    const a = await expectAppliedOnce(lost(['PutItemCommand'], 'attempt'), () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() }), {});
    expect([a.status, a.result.outcome]).toEqual([200, 'valid']);
  });

  it('a refusal (404): the re-sent deny event meets itself → the 404, with its auditId (regression: was 503 audit-write-failed)', async () => {
    const a = await expectAppliedOnce(lost(['PutItemCommand'], 'attempt'), () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-NONE', shipment: shipment() }), {});
    expect([a.status, a.problem.type]).toEqual([404, 'urn:corridor:problem:not-found']);
  });
});

describe('the SDK gave up after the write landed (the last attempt timed out)', () => {
  it('license.status: our own event is found → 200, applied once (regression: was 503 "nothing was changed" although it was)', async () => {
    const a = await expectAppliedOnce(lost(['TransactWriteItemsCommand'], 'call'), () => p.call(w.bafa, 'license.status', { licenseId: LICENSE_ID, status: 'active', reason: 'lost answer' }), { changed: [HEAD], notifies: true });
    expect([a.status, a.result.status]).toEqual([200, 'active']);
  });

  it('a drawdown → 201; resending the declaration with a new jti answers the stored result (replayed), nothing drawn twice', async () => {
    const body = { issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId: 'NL-LOST-2', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] };
    const a = await expectAppliedOnce(lost(['TransactWriteItemsCommand'], 'call'), () => p.call(w.douane, 'license.drawdown', body),
      { added: [`documents/LICENSE#DE-BAFA#${LICENSE_ID}/DRAWDOWN#NL-DOUANE#NL-LOST-2`, `documents/LICENSE#DE-BAFA#${LICENSE_ID}/DRAWSEQ#0000000002`], changed: [`documents/LICENSE#DE-BAFA#${LICENSE_ID}/CUR#BALANCE`], notifies: true });
    expect(a.status).toBe(201);
    const again = await p.call(w.douane, 'license.drawdown', body);
    expect([again.status, again.result.replayed, again.result.lines]).toEqual([200, true, a.result.lines]);
  });

  it('a refusal\'s deny event → the refusal itself, with its auditId (regression: was 503 audit-write-failed)', async () => {
    const a = await expectAppliedOnce(lost(['PutItemCommand'], 'call'), () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-NONE', shipment: shipment() }), {});
    expect([a.status, a.problem.type]).toEqual([404, 'urn:corridor:problem:not-found']);
  });

  it('the request never reached DynamoDB (connection refused on every attempt) → 503 audit-write-failed, nothing stored', async () => {
    const injected = inject(p.clients.dynamodb, { commands: ['TransactWriteItemsCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' } });
    try {
      await expectFaultRefusal(w, () => p.call(w.bafa, 'license.status', { licenseId: LICENSE_ID, status: 'suspended', reason: 'x' }), { status: 503, slug: 'audit-write-failed', audited: false });
    } finally {
      injected.remove();
    }
  });

  it('residual risk: the write landed and the read-back fails too → 503 audit-write-failed although the change and its event are stored', async () => {
    const before = await tableState(w.x);
    const commit = inject(p.clients.dynamodb, lost(['TransactWriteItemsCommand'], 'call'));
    const readBack = inject(p.clients.dynamodb, { commands: ['GetItemCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' }, when: (i) => i.TableName === w.x.tables.audit });
    try {
      const a = await p.call(w.bafa, 'license.status', { licenseId: LICENSE_ID, status: 'active', reason: 'unknowable' });
      expect([a.status, a.problem.type, a.claims.auditId]).toEqual([503, 'urn:corridor:problem:audit-write-failed', undefined]);
      expect(readBack.hits).toBeGreaterThan(0);
      // What is stored is still whole: the mutation, its allow event and the event's outbox item, committed together.
      const d = diff(before, await tableState(w.x));
      expect(d.changed).toEqual([HEAD]);
      const events = d.added.filter((k) => !k.startsWith('audit/OUTBOX#'));
      expect(events).toHaveLength(1);
      expect(d.added.filter((k) => k.startsWith('audit/OUTBOX#'))).toEqual([events[0]!.replace('audit/', 'audit/OUTBOX#')]);
      const event = (await w.x.auditEvents()).find((e) => `audit/${e.id}/` === events[0]);
      expect(event).toMatchObject({ decision: 'allow', status: 200, action: 'license.status' });
    } finally {
      commit.remove();
      readBack.remove();
    }
  });
});

describe('writesTo', () => {
  it('matches single puts and transactions by table', () => {
    expect(writesTo('t')({ TableName: 't' })).toBe(true);
    expect(writesTo('t')({ TransactItems: [{ Put: { TableName: 'u' } }, { ConditionCheck: { TableName: 't' } }] })).toBe(true);
    expect(writesTo('t')({ TransactItems: [{ Put: { TableName: 'u' } }] })).toBe(false);
  });
});
