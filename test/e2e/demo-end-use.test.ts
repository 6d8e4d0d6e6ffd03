// `npm start -- --demo` seeds one confirmed delivery and one reported post-shipment verification case (issue 13): the
// demo commands it prints for them run as printed, through the CLI as a real process against the real local exchange.
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

describe('the end-use demo', () => {
  it('delivery list: the shipped license line is delivered in full by SG-CUSTOMS, nothing flagged', async () => {
    const r = await cli(ex.home, [...hint('delivery list'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { result: { lines: unknown[]; confirmations: { agency: string; importDeclarationId: string }[] } };
    expect(out.result.lines).toEqual([{ line: 1, controlCode: '6A003.b.4', licensed: 10, shipped: 10, delivered: 10, outstanding: 0, flags: [] }]);
    expect(out.result.confirmations.map((c) => [c.agency, c.importDeclarationId])).toEqual([['SG-CUSTOMS', 'SG-IMP-2026-0417']]);
  });

  it('psv query: the case is reported, and the report SG-MTI signed verifies offline', async () => {
    const r = await cli(ex.home, hint('psv query'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DE-BAFA/PSV-2026-001 → SG-MTI, license DE-2026-000098: REPORTED');
    expect(r.stdout).toContain(': VERIFIED');
    expect(r.stdout).toContain('✓ reporter-signed report checked offline: signed by SG-MTI');
  });
});
