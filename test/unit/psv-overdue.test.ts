// psv.overdue (protocol.md §5, §10) on memory adapters: the scheduled scan notifies both sides of a case once, the
// day after its due date passed with no report, with ids and dates only; a reported case, a case not yet due, a second
// or racing scan, and an outsider get nothing; each notice is one audit event of the exchange; reads stay bounded.
import { beforeEach, describe, expect, it } from 'vitest';
import { storedEvent } from '../../lambdas/core/audit.ts';
import { DependencyError } from '../../lambdas/core/errors.ts';
import { WriteConflict } from '../../lambdas/core/ports.ts';
import { DUE_PK, overdueEventId, scanOverdue, SCAN_WINDOW_DAYS } from '../../lambdas/core/psv-overdue.ts';
import { psvReportDoc, psvRequestBody, report } from '../helpers/end-use.ts';
import { publish } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { NotifyHarness } from '../helpers/notify-harness.ts';

const DAY = 86_400_000;
const HOOK = 'http://127.0.0.1:9/hook';
const CASE = { caseType: 'psv', requester: 'DE-BAFA', caseId: 'PSV-2026-001' };
// requested 2026-11-22 (the harness clock): due 60 days later
const DUE = '2027-01-21';

let h: NotifyHarness;
let bafa: TestAgency, mti: TestAgency, sgc: TestAgency;

const at = (iso: string): void => { h.x.time = Date.parse(iso); };
const outbox = () => h.x.store.all('audit').filter((r) => r.pk.startsWith('OUTBOX#')).length;

async function received(agencyId: string): Promise<unknown[]> {
  const posts = h.poster.posts.filter((p) => p.url.endsWith(`/${agencyId}`));
  return Promise.all(posts.map(async (p) => {
    const { claims } = await h.open(p.body);
    expect(claims.aud).toBe(agencyId);
    return [claims.evt, claims.sub, claims.data];
  }));
}

beforeEach(async () => {
  h = await NotifyHarness.create();
  bafa = await h.x.agency('DE-BAFA', ['licensing']);
  mti = await h.x.agency('SG-MTI', ['euc-issuer']);
  sgc = await h.x.agency('SG-CUSTOMS', ['customs']);
  expect((await publish(h.x, bafa)).status).toBe(201);
  expect((await h.x.call(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] })).status).toBe(201);
  for (const a of [bafa, mti, sgc]) expect((await h.x.call(a, 'subscription.put', { endpoint: `${HOOK}/${a.agencyId}`, events: ['psv.overdue', 'psv.reported'] })).status).toBe(200);
  expect((await h.x.call(bafa, 'psv.request', psvRequestBody())).status).toBe(201);
  await h.pump();
});

describe('the due-date index', () => {
  it('psv.request commits one item under PSVDUE with ids and the due date only; a refused request commits none', async () => {
    const due = () => h.x.store.all('documents').filter((r) => r.pk === DUE_PK);
    expect(due().map((r) => [r.sk, r.attrs])).toEqual([[`${DUE}#DE-BAFA#PSV-2026-001`, { requester: 'DE-BAFA', caseId: 'PSV-2026-001', dueDate: DUE }]]);
    expect((await h.x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'PSV-2026-002', checker: 'SG-CUSTOMS' }))).status).toBe(403);
    expect(due()).toHaveLength(1);
  });
});

describe('scanOverdue', () => {
  it('on the due date nothing is overdue; the day after, both sides are notified once, and the case is marked', async () => {
    at(`${DUE}T23:59:00Z`);
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 0, notified: 0, truncated: false });

    at('2027-01-22T00:30:00Z');
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 1, notified: 1, truncated: false });
    await h.pump();
    const notice = ['psv.overdue', CASE, { status: 'overdue', licenseId: 'DE-2026-000123', dueDate: DUE, requestedAt: '2026-11-22T10:00:00.000Z' }];
    expect(await received('DE-BAFA')).toEqual([notice]);
    expect(await received('SG-MTI')).toEqual([notice]);
    expect(await received('SG-CUSTOMS')).toEqual([]);
    expect(h.x.store.all('documents').find((r) => r.pk === 'PSV#DE-BAFA#PSV-2026-001' && r.sk === 'CASE')!.attrs.overdueAt).toBe('2027-01-22T00:30:00.000Z');
    expect((await h.x.call(bafa, 'psv.query', {})).result.cases).toEqual([expect.objectContaining({ caseId: 'PSV-2026-001', status: 'overdue' })]);

    // the exchange's own audit event, sealed like any other: ids and the date, no content
    const rec = h.x.store.all('audit').find((r) => r.pk === overdueEventId('DE-BAFA', 'PSV-2026-001'))!;
    const event = storedEvent(rec.pk, rec.attrs)!;
    expect(event).toMatchObject({ action: 'psv.overdue', resource: 'psv:DE-BAFA/PSV-2026-001', owner: 'DE-BAFA', decision: 'allow', status: 200, sourceIp: 'none', details: { checker: 'SG-MTI', dueDate: DUE } });
    expect(event.actor).toBeUndefined();

    // later runs find it notified: no second notice
    const items = outbox();
    at('2027-01-23T00:30:00Z');
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 0, notified: 0, truncated: false });
    expect(outbox()).toBe(items);
  });

  it('two scans racing notify once (the case version and the event id decide)', async () => {
    at('2027-01-22T06:00:00Z');
    const runs = await Promise.all([scanOverdue(h.x.services), scanOverdue(h.x.services)]);
    expect(runs.map((r) => r.notified).sort()).toEqual([0, 1]);
    await h.pump();
    expect(await received('DE-BAFA')).toHaveLength(1);
  });

  it('a case reported in time is never overdue, and a late report still lands after the notice', async () => {
    expect((await report(h.x, mti)).status).toBe(201);
    at('2027-01-22T06:00:00Z');
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 1, notified: 0, truncated: false });
    await h.pump();
    expect((await received('DE-BAFA')).map((n) => (n as unknown[])[0])).toEqual(['psv.reported']);

    expect((await h.x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'PSV-2026-002', dueDate: '2027-01-30' }))).status).toBe(201);
    at('2027-01-31T06:00:00Z');
    expect((await scanOverdue(h.x.services)).notified).toBe(1);
    expect((await report(h.x, mti, psvReportDoc({ caseId: 'PSV-2026-002', issuedAt: '2027-01-31T05:00:00Z', visitDate: '2027-01-30' }))).status).toBe(201);
    expect((await h.x.call(bafa, 'psv.query', {})).result.cases).toEqual(expect.arrayContaining([expect.objectContaining({ caseId: 'PSV-2026-002', status: 'reported' })]));
  });

  it('reads are bounded: a run examines at most its budget and says so, the next continues after its cursor', async () => {
    for (const id of ['PSV-2026-002', 'PSV-2026-003']) expect((await h.x.call(bafa, 'psv.request', psvRequestBody({ caseId: id }))).status).toBe(201);
    at('2027-01-22T06:00:00Z');
    expect(await scanOverdue(h.x.services, 2)).toEqual({ examined: 2, notified: 2, truncated: true });
    expect(await scanOverdue(h.x.services, 2)).toEqual({ examined: 1, notified: 1, truncated: false });
    expect(await scanOverdue(h.x.services, 2)).toEqual({ examined: 0, notified: 0, truncated: false });
  });

  it('a scan that could not run catches up on cases due in the last 14 days; older ones are outside its reads', async () => {
    expect((await h.x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'PSV-2026-002', dueDate: '2027-01-28' }))).status).toBe(201);
    // first run 16 days after PSV-2026-001 fell due and 13 after PSV-2026-002: only the latter is read
    at(new Date(Date.parse('2027-01-22T06:00:00Z') + (SCAN_WINDOW_DAYS + 2) * DAY).toISOString());
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 1, notified: 1, truncated: false });
    await h.pump();
    expect((await received('DE-BAFA')).map((n) => ((n as unknown[])[1] as { caseId: string }).caseId)).toEqual(['PSV-2026-002']);
  });

  it('a failing case stops the run; the cases before it are not read again, and the next run notifies it once', async () => {
    for (const id of ['PSV-2026-002', 'PSV-2026-003']) expect((await h.x.call(bafa, 'psv.request', psvRequestBody({ caseId: id }))).status).toBe(201);
    at('2027-01-22T06:00:00Z');
    const store = h.x.services.store;
    const commit = store.commit.bind(store);
    let commits = 0;
    store.commit = async (writes) => {
      if (writes.some((w) => w.op === 'put' && w.record.pk === 'PSV#DE-BAFA#PSV-2026-002')) throw new DependencyError('dynamodb', new Error('InternalServerError'));
      commits++;
      return commit(writes);
    };
    await expect(scanOverdue(h.x.services)).rejects.toThrow(DependencyError);
    expect(commits).toBe(2); // PSV-2026-001 notified, then the cursor saved after it
    store.commit = commit;
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 2, notified: 2, truncated: false });
    await h.pump();
    expect((await received('DE-BAFA')).map((n) => ((n as unknown[])[1] as { caseId: string }).caseId).sort()).toEqual(['PSV-2026-001', 'PSV-2026-002', 'PSV-2026-003']);
  });

  it('a report committed between the scan\'s read and its commit wins: no notice; a conflict that changed nothing leaves the case to the next run', async () => {
    at('2027-01-22T06:00:00Z');
    const store = h.x.services.store;
    const commit = store.commit.bind(store);
    store.commit = async (writes) => {
      store.commit = commit;
      expect((await report(h.x, mti, psvReportDoc({ issuedAt: '2027-01-22T05:00:00Z', visitDate: '2027-01-21' }))).status).toBe(201);
      return commit(writes);
    };
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 1, notified: 0, truncated: false });
    expect(h.x.store.all('audit').some((r) => r.pk === overdueEventId('DE-BAFA', 'PSV-2026-001'))).toBe(false);

    expect((await h.x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'PSV-2026-002', dueDate: '2027-01-30' }))).status).toBe(201);
    at('2027-01-31T06:00:00Z');
    store.commit = async () => { store.commit = commit; throw new WriteConflict(1); };
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 1, notified: 0, truncated: true });
    expect(await scanOverdue(h.x.services)).toEqual({ examined: 1, notified: 1, truncated: false });
  });
});
