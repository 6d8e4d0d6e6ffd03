// X-Ray in the bench's cost model (bench/cost.ts): Lambda active tracing records, by X-Ray's default
// rule, the first request each second and 5 % of the others, at $5.00 per million traces recorded;
// perMillion charges that share at the sustained rate ASSUMPTIONS states.
import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, perMillion, PRICES, xrayTracedFraction } from '../../bench/cost.ts';

const input = { rru: 0.5, wru: 5, indexWru: {}, dynamodbCalls: 2, kmsCalls: 0, cpuMs: 1, initMs: 200 };

describe('X-Ray traces in the cost model', () => {
  it('records every request up to 1/s, then 1/s plus 5 % of the rest', () => {
    expect([0.5, 1, 10, 100, 1000].map((rps) => Number(xrayTracedFraction(rps).toFixed(5)))).toEqual([1, 1, 0.145, 0.0595, 0.05095]);
  });

  it('a cost line at the assumed rate, in every front door\'s total', () => {
    const { lines, fronts } = perMillion(input, 0);
    const xray = lines.find((l) => l.item === 'X-Ray traces')!;
    expect(PRICES.xrayTracesRecordedPerMillion!.usd).toBe(5);
    expect(xray.usd).toBeCloseTo(xrayTracedFraction(ASSUMPTIONS.xrayRequestsPerSecond) * 5, 10);
    expect(xray.formula).toContain(`at ${ASSUMPTIONS.xrayRequestsPerSecond}/s sustained`);
    const backend = lines.reduce((s, l) => s + l.usd, 0);
    expect(fronts['HTTP API (deployed)']).toBeCloseTo(backend + PRICES.apiGatewayHttpPerMillion!.usd, 10);
  });
});
