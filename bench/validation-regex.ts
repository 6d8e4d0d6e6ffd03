/**
 * Two input-abuse costs, as measurements rather than timed tests:
 * - validation linearity: agency.keys with `retire` of 1,000 vs 4,000 distinct kids (over maxItems,
 *   so refused, but every item is still checked under allErrors, uniqueItems included). Linear
 *   work gives ~4×; a pairwise uniqueItems would give ~16×.
 * - every `pattern` in schemas/ against adversarial strings (long runs of characters the pattern
 *   accepts, then one it does not), at two lengths: a linear-time pattern doubles, not squares.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateBody } from '../lambdas/core/validation.ts';
import { PROJECT_ROOT } from '../lib/constructs/handler-function.ts';


/** Wall time per call (ns resolution): regex runs are microseconds, below cpuUsage's useful grain. */
const wallMs = (f: () => void, reps: number): number => {
  for (let i = 0; i < 10; i++) f();
  const t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) f();
  return Number(process.hrtime.bigint() - t) / 1e6 / reps;
};

export interface Linearity { ms1000: number; ms4000: number; ratio: number }

export function validationLinearity(): Linearity {
  const body = (n: number) => ({ retire: Array.from({ length: n }, (_, i) => `kid-${i}`) });
  const small = body(1000);
  const large = body(4000);
  // Alternating batches, best of each: load spikes and GC pauses only ever add time.
  let ms1000 = Infinity;
  let ms4000 = Infinity;
  for (let b = 0; b < 7; b++) {
    ms1000 = Math.min(ms1000, wallMs(() => validateBody('agency.keys', small), 100));
    ms4000 = Math.min(ms4000, wallMs(() => validateBody('agency.keys', large), 25));
  }
  return { ms1000, ms4000, ratio: ms4000 / ms1000 };
}

function patternsOf(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => patternsOf(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'pattern' && typeof v === 'string') out.add(v);
      else if (k === 'patternProperties' && v && typeof v === 'object') Object.keys(v).forEach((p) => out.add(p));
      patternsOf(v, out);
    }
  }
}

export function schemaPatterns(): string[] {
  const dir = join(PROJECT_ROOT, 'schemas');
  const out = new Set<string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) patternsOf(JSON.parse(readFileSync(join(dir, f), 'utf8')), out);
  return [...out].sort();
}

/** Runs of one accepted-looking unit, then a character most patterns refuse. */
const UNITS = ['a', 'A', '0', '-', '.', ' ', '_', ':', 'aA0', 'a-', 'a.', 'a ', '0.', 'A-0'];
const TAILS = ['!', '\n', '\u0000', '-', '.', ' '];

export interface RegexCost { pattern: string; worstMs: number; growth: number }


export function regexAdversarial(short = 10_000, long = 40_000): RegexCost[] {
  return schemaPatterns().map((pattern) => {
    const re = new RegExp(pattern, 'u'); // as Ajv compiles them
    let worst = { ms: 0, growth: 1 };
    for (const unit of UNITS) {
      for (const tail of TAILS) {
        const at = (n: number) => unit.repeat(Math.ceil(n / unit.length)) + tail;
        const a = at(short);
        const b = at(long);
        const ms = wallMs(() => re.test(a), 200);
        const msLong = wallMs(() => re.test(b), 50);
        if (msLong > worst.ms) worst = { ms: msLong, growth: msLong / ms };
      }
    }
    return { pattern, worstMs: worst.ms, growth: worst.growth };
  });
}
