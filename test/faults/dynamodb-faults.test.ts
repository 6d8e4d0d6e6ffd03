// DynamoDB failing under the store adapter: throttled or broken reads, commits that fail,
// transactions cancelled by a conflict. Signed answers, one event when the audit table takes
// writes, nothing partial, never a 500.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { shipment } from '../helpers/licenses.ts';
import { diff, expectFaultRefusal, FaultyProcess, LICENSE_ID, startWorld, tableState, type World } from './fault-kit.ts';
import { inject, writesTo, type Fault } from './inject.ts';

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

const verify = () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() });
const suspend = () => p.call(w.bafa, 'license.status', { licenseId: LICENSE_ID, status: 'suspended', reason: 'review' });

const THROTTLED: Fault = { kind: 'service', status: 400, type: 'ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded' };

/** A TransactionCanceledException as DynamoDB sends it: one reason per item, in order. */
function cancelled(codes: string[]): Fault {
  return {
    kind: 'service', status: 400, type: 'TransactionCanceledException',
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    fields: { CancellationReasons: codes.map((Code) => ({ Code, ...(Code === 'None' ? {} : { Message: `injected ${Code}` }) })) },
  };
}

const READ_FAULTS: [string, string, Fault][] = [
  ['GetItem throttled (ProvisionedThroughputExceededException)', 'GetItemCommand', THROTTLED],
  ['Query throttled (ThrottlingException)', 'QueryCommand', { kind: 'service', status: 400, type: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput' }],
  ['Query failing (InternalServerError, 500)', 'QueryCommand', { kind: 'service', status: 500, type: 'InternalServerError' }],
  ['GetItem unreachable (ECONNRESET)', 'GetItemCommand', { kind: 'network', code: 'ECONNRESET' }],
];

describe('reads fail', () => {
  it.each(READ_FAULTS)('%s → signed 503, the deny event still written, nothing released', async (_name, command, fault) => {
    const injected = inject(p.clients.dynamodb, { commands: [command], fault });
    try {
      await expectFaultRefusal(w, verify, { status: 503, slug: 'dependency-failed', audited: true });
      expect(injected.hits).toBeGreaterThan(0);
    } finally {
      injected.remove();
    }
  });
});

describe('the replay check cannot read', () => {
  it('a 404 that must first rule out a replayed jti, with the audit table unreadable → signed 503, not the 404', async () => {
    const injected = inject(p.clients.dynamodb, { commands: ['GetItemCommand'], fault: THROTTLED, when: (i) => i.TableName === w.x.tables.audit });
    try {
      await expectFaultRefusal(w, () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-NONE', shipment: shipment() }), { status: 503, slug: 'dependency-failed', audited: true });
      expect(injected.hits).toBeGreaterThan(0);
    } finally {
      injected.remove();
    }
  });
});

const COMMIT_FAULTS: [string, Fault][] = [
  ['throttled (ProvisionedThroughputExceededException)', THROTTLED],
  ['cancelled on the audit item (TransactionCanceledException, ThrottlingError)', cancelled(['ThrottlingError', 'None'])],
  ['failing (InternalServerError, 500)', { kind: 'service', status: 500, type: 'InternalServerError' }],
  ['unreachable (ECONNREFUSED)', { kind: 'network', code: 'ECONNREFUSED' }],
];

describe('the audit write fails (it is the commit: event and mutation in one transaction)', () => {
  it.each(COMMIT_FAULTS)('TransactWriteItems %s → signed 503 audit-write-failed, no auditId, no event, the mutation not applied', async (_name, fault) => {
    const injected = inject(p.clients.dynamodb, { commands: ['TransactWriteItemsCommand'], fault, when: writesTo(w.x.tables.audit) });
    try {
      await expectFaultRefusal(w, suspend, { status: 503, slug: 'audit-write-failed', audited: false });
      expect(injected.hits).toBeGreaterThan(0);
      // reported, without the request's content: the audit-write-failure alarm counts these
      expect(p.logs.filter((l) => l.includes('"kind":"audit-write-failed"'))).toHaveLength(1);
    } finally {
      injected.remove();
    }
  });

  it('PutItem of a read\'s event throttled → signed 503 audit-write-failed: a verification is never answered unaudited', async () => {
    const injected = inject(p.clients.dynamodb, { commands: ['PutItemCommand'], fault: THROTTLED, when: writesTo(w.x.tables.audit) });
    try {
      await expectFaultRefusal(w, verify, { status: 503, slug: 'audit-write-failed', audited: false });
      expect(injected.hits).toBe(3); // throttling is retried by the SDK (maxAttempts 3) before the exchange gives up
    } finally {
      injected.remove();
    }
  });

  it('a refusal whose deny event cannot be written → signed 503 audit-write-failed instead of the 404, nothing stored', async () => {
    const injected = inject(p.clients.dynamodb, { commands: ['PutItemCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' }, when: writesTo(w.x.tables.audit) });
    try {
      const a = await expectFaultRefusal(w, () => p.call(w.douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-NONE', shipment: shipment() }), { status: 503, slug: 'audit-write-failed', audited: false });
      expect(a.problem.detail).toContain('could not be audited');
    } finally {
      injected.remove();
    }
  });
});

describe('transactions cancelled by a conflict (TransactionConflict)', () => {
  it('a read-modify-write (license.status) retries a transient conflict and applies once', async () => {
    // [event, head, outbox]: the conflict is on the head
    const injected = inject(p.clients.dynamodb, { commands: ['TransactWriteItemsCommand'], fault: cancelled(['None', 'TransactionConflict', 'None']), times: 1 });
    const before = await tableState(w.x);
    try {
      const a = await p.call(w.bafa, 'license.status', { licenseId: LICENSE_ID, status: 'active', reason: 're-stated' });
      expect([a.status, a.result.status]).toEqual([200, 'active']);
      expect(injected.hits).toBe(1);
      const d = diff(before, await tableState(w.x));
      expect(d.changed).toEqual([`documents/LICENSE#DE-BAFA#${LICENSE_ID}/CUR#HEAD`]);
      // one event and one outbox item (notifications/outbox.ts), keyed by that event: the retry committed once
      expect(d.added.sort()).toEqual([`audit/${a.claims.auditId}/`, `audit/OUTBOX#${a.claims.auditId}/`].sort());
    } finally {
      injected.remove();
    }
  });

  it('a conflict that outlasts the retry deadline → signed 503, audited, nothing changed', async () => {
    const injected = inject(p.clients.dynamodb, { commands: ['TransactWriteItemsCommand'], fault: cancelled(['None', 'TransactionConflict']) });
    try {
      const a = await expectFaultRefusal(w, suspend, { status: 503, slug: 'dependency-failed', audited: true });
      expect(a.problem.detail).toContain('contended');
      expect(injected.hits).toBeGreaterThan(1);
    } finally {
      injected.remove();
    }
  });

  it('a conflict on a create (agency.register) → signed 409: another request created it concurrently', async () => {
    const injected = inject(p.clients.dynamodb, { commands: ['TransactWriteItemsCommand'], fault: cancelled(['None', 'TransactionConflict']) });
    try {
      const { makeKey } = await import('../helpers/keys.ts');
      const key = await makeKey('fr-1');
      const register = () => p.call(w.x.operator, 'agency.register', { agencyId: 'FR-DGDDI', name: 'Douane', roles: ['customs'], keys: [{ kid: key.kid, jwk: key.publicJwk }] });
      const a = await expectFaultRefusal(w, register, { status: 409, slug: 'conflict', audited: true });
      expect(a.problem.detail).toContain('concurrently');
    } finally {
      injected.remove();
    }
  });

  it('a conflict on the event item itself means the same jti is in flight → signed 401 request-replayed', async () => {
    const injected = inject(p.clients.dynamodb, { commands: ['TransactWriteItemsCommand'], fault: cancelled(['TransactionConflict', 'None']) });
    try {
      await expectFaultRefusal(w, suspend, { status: 401, slug: 'request-replayed', audited: true });
    } finally {
      injected.remove();
    }
  });

  it('a drawdown meeting a transient conflict on its balance is retried and drawn exactly once', async () => {
    // [event, head check, balance, DRAWSEQ#1, DRAWSEQ#FROM, record, outbox]: the conflict is on the balance
    const injected = inject(p.clients.dynamodb, { commands: ['TransactWriteItemsCommand'], fault: cancelled(['None', 'None', 'TransactionConflict', 'None', 'None', 'None', 'None']), times: 1 });
    const before = await tableState(w.x);
    try {
      const a = await p.call(w.douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId: 'NL-CONFLICT-1', date: '2026-11-22', items: [{ line: 1, quantity: 2 }] });
      expect([a.status, a.result.lines]).toEqual([201, [{ line: 1, drawn: 2, remaining: 38 }]]);
      const d = diff(before, await tableState(w.x));
      // the balance, the record, the markers that bind them (balance-binding.ts), one event and its one outbox item
      const doc = `documents/LICENSE#DE-BAFA#${LICENSE_ID}`;
      expect(d.added.sort()).toEqual([`audit/${a.claims.auditId}/`, `audit/OUTBOX#${a.claims.auditId}/`, `${doc}/CUR#BALANCE`, `${doc}/DRAWDOWN#NL-DOUANE#NL-CONFLICT-1`, `${doc}/DRAWSEQ#0000000001`, `${doc}/DRAWSEQ#FROM`].sort());
      expect([d.changed, d.removed]).toEqual([[], []]);
    } finally {
      injected.remove();
    }
  });
});

describe('DynamoDB down at a cold start', () => {
  it('the response key cannot be read → the one unsigned 503 (problem+json), never a 500, nothing stored', async () => {
    const cold = await FaultyProcess.start(w.x, { warm: false });
    const injected = inject(cold.clients.dynamodb, { commands: ['GetItemCommand', 'QueryCommand', 'PutItemCommand', 'TransactWriteItemsCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' } });
    try {
      const before = await tableState(w.x);
      const raw = await cold.exchange.handle({ act: 'license.verify', contentType: 'application/jose', body: Buffer.from('x.y.z'), sourceIp: '127.0.0.1', requestId: 'cold-ddb' });
      expect([raw.status, raw.contentType, JSON.parse(raw.body).type]).toEqual([503, 'application/problem+json', 'urn:corridor:problem:dependency-failed']);
      expect(diff(before, await tableState(w.x))).toEqual({ added: [], changed: [], removed: [] });
      expect(injected.hits).toBeGreaterThan(0);
    } finally {
      injected.remove();
      cold.stop();
    }
  });
});
