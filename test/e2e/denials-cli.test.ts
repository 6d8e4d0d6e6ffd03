// Denials, screening and consultation through the CLI as a real process against the real local exchange (`npm start
// -- --demo`): the demo's printed commands run as printed — the screening hit through a variant spelling, the
// consultation answer — and a CSV batch goes in chunks of 100 with its progress on stderr.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startLocal, type LocalExchange } from '../helpers/local-process.ts';

let ex: LocalExchange;

beforeAll(async () => {
  ex = await startLocal();
}, 90_000);

afterAll(async () => {
  await ex?.stop();
});

/** The printed hint that contains `needle`, as CLI arguments. */
const hint = (needle: string): string[] => {
  const line = ex.output().split('\n').find((l) => l.includes(needle));
  expect(line, `the demo prints a "${needle}" command`).toBeDefined();
  return line!.trim().replace(/^npx corridor /, '').match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
};

describe('the denials demo, as printed', () => {
  it('corridor screen: the variant spelling hits DE-BAFA\'s denial (exit 1), items flagged, no document with screen', async () => {
    const r = await cli(ex.home, hint('corridor screen'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 party screened against 2 denial\(s\): 1 matched \(threshold 0\.8\)/);
    expect(r.stdout).toMatch(/#1\s+Pаrs Optronik Industries LLC\s+DE-BAFA\/DE-DEN-2026-0042 v1\s+end-user\s+0\.\d{3}\s+fuzzy,country · items 1/);
    expect(r.stdout).toContain('denial DE-BAFA/DE-DEN-2026-0042 v1 (screen, until ');
    expect(r.stdout).toContain('✓ response signature verified');
  });

  it('consultation answer: DE-BAFA extends NL-CDIU\'s consultation once; a second extension is refused (exit 1)', async () => {
    const args = hint('consultation answer');
    const r = await cli(ex.home, args);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/asked by NL-CDIU\) on denial DE-BAFA\/DE-DEN-2026-0042 v1: OPEN, deadline \d{4}-\d{2}-\d{2} \(extended\)/);
    expect(r.stdout).toContain('information (deadline extended): checking the end user');
    const again = await cli(ex.home, args);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('409 Refused by current state: the deadline of consultation');
  });

  it('consultation list: NL-CDIU sees its consultation with the answer', async () => {
    const r = await cli(ex.home, [...hint('consultation list'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { result: { consultations: { side: string; state: string; extended: boolean; answers: unknown[] }[] } };
    expect(out.result.consultations.map((c) => [c.side, c.state, c.extended, c.answers.length])).toEqual([['requester', 'open', true, 1]]);
  });
});

describe('screening a CSV file', () => {
  it('150 rows go in two batches with a progress bar; matches come back with their row references', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => `"Harmless Trader ${i}, Ltd.",DE,,,row-${i}`);
    rows[7] = 'CASPIAN PRECISION MACHINERY,IR,"Industrial Zone 3, Bandar Anzali",,row-7';
    rows[120] = 'Kavir Machine Tool,IR,,KMT;Kavir Tools,row-120';
    const file = join(ex.home, 'parties.csv');
    writeFileSync(file, `name,country,address,aliases,reference\n${rows.join('\n')}\n`);
    const r = await cli(ex.home, ['screen', '--as', 'NL-DOUANE', '--csv', file, '--item', '2B001', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { batches: number; auditIds: string[]; result: { parties: { index: number; matches: { denialId: string; role: string; overlappingItems?: number[] }[] }[] } };
    expect([out.batches, out.auditIds.length, out.result.parties.length]).toEqual([2, 2, 150]);
    const hits = out.result.parties.filter((p) => p.matches.length).map((p) => [p.index, p.matches[0]!.denialId, p.matches[0]!.role, p.matches[0]!.overlappingItems]);
    expect(hits).toEqual([[7, 'DE-DEN-2026-0057', 'consignee', [0]], [120, 'DE-DEN-2026-0057', 'purchaser', [0]]]);
    expect(r.stderr).toMatch(/\[█+\] 150\/150 parties · 2 matched/);
  });

  it('a CSV without the name column, or a row without a country, is a usage error (exit 2), nothing sent', async () => {
    const file = join(ex.home, 'bad.csv');
    writeFileSync(file, 'party,country\nX,DE\n');
    const r = await cli(ex.home, ['screen', '--as', 'NL-DOUANE', '--csv', file]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('CSV column(s) party unknown: use name, country, address, aliases, reference')]);
    writeFileSync(file, 'name,country\nSomeone,\n');
    expect((await cli(ex.home, ['screen', '--as', 'NL-DOUANE', '--csv', file])).stderr).toContain('CSV row 2: needs a name and a two-letter country');
  });
});

describe('denial notify and revoke', () => {
  it('an amendment from the demo file, then a revocation: the listed purchaser no longer matches', async () => {
    const file = join(ex.home, 'demo', 'DE-DEN-2026-0057.json');
    const { readFileSync } = await import('node:fs');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(ex.home, 'amended.json'), JSON.stringify({ ...doc, version: 2, validUntil: String(doc.date).replace(/^(\d{4})/, (y) => String(Number(y) + 1)) }));
    const n = await cli(ex.home, ['denial', 'notify', '--as', 'DE-BAFA', '--file', join(ex.home, 'amended.json')]);
    expect([n.code, n.stdout]).toEqual([0, expect.stringMatching(/shared denial DE-DEN-2026-0057 version 2, in force until \d{4}-\d{2}-\d{2}/)]);
    const v = await cli(ex.home, ['denial', 'revoke', '--as', 'DE-BAFA', '--denial', 'DE-DEN-2026-0057', '--reason', 'appeal granted']);
    expect([v.code, v.stdout]).toEqual([0, expect.stringContaining('denial DE-DEN-2026-0057 is revoked')]);
    const s = await cli(ex.home, ['screen', '--as', 'NL-DOUANE', '--name', 'Kavir Machine Tools', '--country', 'IR']);
    expect([s.code, s.stdout]).toEqual([0, expect.stringContaining('1 party screened against 1 denial(s): 0 matched')]);
  });
});
