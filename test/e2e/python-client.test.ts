// The Python partner client (clients/python) against the local exchange as a real process: its unittest suite — the
// offline checks on the repository's vectors and the live tests (agencies registered with the operator key, a license
// signed in Python, verified and checked offline, signed refusals, an audit proof against a seal) — must all run and
// pass. CORRIDOR_REQUIRE_PYTHON_LIVE=1 makes the live tests fail rather than skip if they cannot reach the exchange.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startLocal, type LocalExchange } from '../helpers/local-process.ts';

const PACKAGE = join(ROOT, 'clients/python');
const TESTS = join(PACKAGE, 'tests');

function hasCryptography(python: string): boolean {
  try {
    execFileSync(python, ['-c', 'import cryptography'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Debian's interpreter with python3-cryptography (what .ci/run installs); python3 on PATH only where it has none. */
const PYTHON = hasCryptography('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const WHICH = PYTHON === '/usr/bin/python3' ? '/usr/bin/python3 (Debian)' : 'python3 on PATH (/usr/bin/python3 has no cryptography)';

/** Every `def test_…` of clients/python/tests/test_*.py: the suite must run all of them, none skipped. */
const EXPECTED = readdirSync(TESTS)
  .filter((f) => /^test_\w+\.py$/.test(f))
  .reduce((n, f) => n + (readFileSync(join(TESTS, f), 'utf8').match(/^\s+def test_\w+\(/gm) ?? []).length, 0);

let ex: LocalExchange;

beforeAll(async () => {
  ex = await startLocal([]);
}, 90_000);

afterAll(async () => {
  await ex?.stop();
});

describe('the Python partner client', () => {
  it(`runs its ${EXPECTED} unittest tests with ${WHICH} against the local exchange, none skipped`, async () => {
    expect(EXPECTED).toBeGreaterThan(40);
    const env = {
      ...process.env,
      CORRIDOR_HOME: ex.home,
      CORRIDOR_REQUIRE_PYTHON_LIVE: '1',
      CORRIDOR_NODE: process.execPath, // the live tests seal through `node --import tsx bin/corridor.ts audit seal`
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONIOENCODING: 'utf-8',
    };
    const run = await new Promise<{ code: number; out: string }>((done) => {
      execFile(PYTHON, ['-m', 'unittest', 'discover', '-s', 'tests', '-v'], { cwd: PACKAGE, env, maxBuffer: 16 << 20, timeout: 300_000 }, (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(new RegExp(`^Ran ${EXPECTED} tests in `, 'm'));
    expect(run.out, run.out).toMatch(/^OK$/m); // not "OK (skipped=…)"
    expect(run.out).toMatch(/^test_an_auditor_proves_a_call_against_a_seal \(test_live\.LiveExchange.*\) \.\.\. ok$/m);
  }, 360_000);
});
