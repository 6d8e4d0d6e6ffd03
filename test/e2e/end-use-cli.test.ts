// Delivery confirmation and post-shipment verification through the CLI (in process) against the real core behind
// loopback HTTP: corridor delivery confirm | list and corridor psv request | report | query, readable and --json,
// with the report checked offline against the reporter's published keys.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../bin/cli/output.ts';
import { runCli as cli } from '../helpers/cli-run.ts';
import { psvReportDoc } from '../helpers/end-use.ts';
import { publish } from '../helpers/licenses.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';

let ex: HttpExchange;
let home: string;
const keys: Record<string, string> = {};
const LIC = 'DE-2026-000123';
const today = (): string => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'corridor-end-use-'));
  process.env.CORRIDOR_HOME = home;
  process.env.CORRIDOR_RETRIES = '1';
  ex = await startHttpExchange();
  const agencies: [string, string[]][] = [['DE-BAFA', ['licensing']], ['NL-DOUANE', ['customs']], ['SG-CUSTOMS', ['customs']], ['SG-MTI', ['euc-issuer']]];
  const made: Record<string, TestAgency> = {};
  for (const [id, roles] of agencies) {
    made[id] = await ex.x.agency(id, roles);
    keys[id] = join(home, `${id}.jwk.json`);
    writeFileSync(keys[id]!, JSON.stringify(made[id]!.privateJwk));
  }
  expect((await publish(ex.x, made['DE-BAFA']!)).status).toBe(201);
  expect((await ex.x.call(made['DE-BAFA']!, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['drawdown'] })).status).toBe(201);
  expect((await ex.x.call(made['NL-DOUANE']!, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LIC, declarationId: 'NL-EXP-1', date: today(), items: [{ line: 1, quantity: 5 }] })).status).toBe(201);
});

afterAll(async () => {
  await ex?.close();
});

const as = (agency: string) => ['--url', ex.url, '--as', agency, '--key', keys[agency]!];

describe('corridor agreement put: the new permission and type', () => {
  it('grants confirm on licenses and request on psv checks', async () => {
    const confirm = await cli('agreement', 'put', ...as('DE-BAFA'), '--partner', 'SG-CUSTOMS', '--type', 'license', '--permissions', 'confirm', '--json');
    expect(JSON.parse(confirm.stdout)).toMatchObject({ status: 201, result: { documentType: 'license', permissions: ['confirm'] } });
    const psv = await cli('agreement', 'put', ...as('SG-MTI'), '--partner', 'DE-BAFA', '--type', 'psv', '--permissions', 'request', '--json');
    expect(JSON.parse(psv.stdout)).toMatchObject({ status: 201, result: { owner: 'SG-MTI', documentType: 'psv', permissions: ['request'] } });
  });
});

describe('corridor delivery confirm | list', () => {
  const confirmArgs = () => ['delivery', 'confirm', ...as('SG-CUSTOMS'), '--issuer', 'DE-BAFA', '--license', LIC, '--declaration', 'SG-IMP-1', '--date', today(), '--line', '1=5', '--consignee', 'Lumen Trading Pte Ltd', '--end-user', 'Straits Photonics Lab', '--euc', 'SG-MTI/SG-EUC-88121'];

  it('confirms (201), and a resend is answered as the first time (200, replayed)', async () => {
    const first = await cli(...confirmArgs());
    expect(first.code).toBe(EXIT.ok);
    expect(first.stdout).toContain(`import declaration SG-IMP-1 confirmed against DE-BAFA/${LIC}`);
    expect(first.stdout).toContain('line 1: 5 received');
    const again = await cli(...confirmArgs(), '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 200, result: { importDeclarationId: 'SG-IMP-1', replayed: true } });
  });

  it('other content for the same declaration exits 1 with the 409', async () => {
    const args = confirmArgs();
    args[args.indexOf('1=5')] = '1=6';
    const r = await cli(...args);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stdout).toContain('✗ 409 Refused by current state: import declaration SG-IMP-1 was already confirmed with other content');
  });

  it('the issuer sees shipped, delivered and outstanding per line; the confirming agency its own', async () => {
    const r = await cli('delivery', 'list', ...as('DE-BAFA'), '--license', LIC);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain('line 1 6A003.b.4: shipped 5, delivered 5, outstanding 0');
    expect(r.stdout).toContain('line 2 6A004.a: shipped 0, delivered 0, outstanding 0');
    expect(r.stdout).toMatch(/SG-CUSTOMS SG-IMP-1 \(\d{4}-\d\d-\d\d\): line 1 × 5/);
    const mine = await cli('delivery', 'list', ...as('SG-CUSTOMS'), '--issuer', 'DE-BAFA', '--license', LIC, '--json');
    expect(JSON.parse(mine.stdout)).toMatchObject({ status: 200, result: { lines: [{ line: 1, delivered: 5 }], confirmations: [{ importDeclarationId: 'SG-IMP-1' }], cursor: null } });
  });

  it('pages with --limit and keeps the first page\'s line summary', async () => {
    const second = await cli('delivery', 'confirm', ...as('SG-CUSTOMS'), '--issuer', 'DE-BAFA', '--license', LIC, '--declaration', 'SG-IMP-2', '--date', today(), '--line', '2=1', '--consignee', 'Lumen Trading', '--end-user', 'Someone Else');
    expect(second.code).toBe(EXIT.ok);
    const r = await cli('delivery', 'list', ...as('DE-BAFA'), '--license', LIC, '--limit', '1', '--json');
    const out = JSON.parse(r.stdout) as { result: { lines: { line: number; flags: string[] }[]; confirmations: unknown[] }; pages: number };
    expect([out.pages, out.result.confirmations.length]).toEqual([2, 2]);
    expect(out.result.lines.map((l) => [l.line, l.flags])).toEqual([[1, []], [2, ['over-delivered', 'consignee-mismatch', 'end-user-mismatch']]]);
  });

  it('a missing option is a usage error naming it (exit 2), nothing sent', async () => {
    const r = await cli('delivery', 'confirm', ...as('SG-CUSTOMS'), '--issuer', 'DE-BAFA', '--license', LIC, '--declaration', 'X', '--date', today(), '--line', '1=1');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('missing --consignee, --end-user');
  });
});

describe('corridor psv request | report | query', () => {
  it('requests a check, the checker reads it, reports, and the requester gets the report as signed, checked offline', async () => {
    const req = await cli('psv', 'request', ...as('DE-BAFA'), '--case', 'PSV-1', '--checker', 'SG-MTI', '--license', LIC, '--end-user', 'Straits Photonics Lab', '--end-user-country', 'SG',
      '--site-address', '1 Fusionopolis Way', '--site-country', 'SG', '--line', '1=5', '--question', 'Are the five cameras installed, and in what use?', '--question', 'Serial numbers, please');
    expect(req.code).toBe(EXIT.ok);
    expect(req.stdout).toMatch(/case DE-BAFA\/PSV-1 requested: SG-MTI to check license DE-2026-000123 by \d{4}-\d\d-\d\d/);

    const asked = await cli('psv', 'query', ...as('SG-MTI'), '--case', 'PSV-1', '--requester', 'DE-BAFA', '--json');
    expect(JSON.parse(asked.stdout)).toMatchObject({ status: 200, result: { cases: [{ status: 'requested', request: { questions: ['Are the five cameras installed, and in what use?', 'Serial numbers, please'] } }] } });

    const file = join(home, 'PSV-1.report.json');
    writeFileSync(file, JSON.stringify(psvReportDoc({ caseId: 'PSV-1', outcome: 'verified', issuedAt: new Date().toISOString(), visitDate: today() })));
    const rep = await cli('psv', 'report', ...as('SG-MTI'), '--file', file);
    expect(rep.code).toBe(EXIT.ok);
    expect(rep.stdout).toContain('report version 1 on case DE-BAFA/PSV-1 stored');

    const saved = join(home, 'PSV-1.report.jws');
    const got = await cli('psv', 'query', ...as('DE-BAFA'), '--case', 'PSV-1', '--save-report', saved);
    expect(got.code).toBe(EXIT.ok);
    expect(got.stdout).toContain('REPORTED');
    expect(got.stdout).toContain('report v1');
    expect(got.stdout).toContain(': VERIFIED');
    expect(got.stdout).toContain('✓ reporter-signed report checked offline: signed by SG-MTI');
    const jws = readFileSync(saved, 'utf8').trim();
    expect(JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({ caseId: 'PSV-1', issuer: 'SG-MTI', outcome: 'verified' });
  });

  it('lists one\'s cases (both sides); a customs agency may not query cases (403, exit 1)', async () => {
    for (const who of ['DE-BAFA', 'SG-MTI']) {
      const r = await cli('psv', 'query', ...as(who), '--json');
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 200, result: { cases: [{ caseId: 'PSV-1', status: 'reported', reportVersion: 1 }], cursor: null } });
    }
    const r = await cli('psv', 'query', ...as('NL-DOUANE'), '--case', 'PSV-1', '--requester', 'DE-BAFA');
    expect(r.code).toBe(EXIT.refused);
    expect(r.stdout).toContain('✗ 403 Role may not call this action');
    expect((await cli('psv', 'query', ...as('DE-BAFA'), '--version', '1')).code).toBe(EXIT.usage);
  });
});
