// The README's "Five minutes with the CLI" walk (steps 1–11 and the public documents), run as written against
// `npm start -- --demo` as a real process, one command at a time in the checkout, with `.corridor/` read as the
// test's own CORRIDOR_HOME. Each command exits as the walk expects, the walk writes nothing outside `.corridor/`,
// later `--as DE-BAFA` commands still work after its first key is retired, and the auditor's `--decision deny`
// query shows the denial the walk itself caused.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startLocal, type LocalExchange } from '../helpers/local-process.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Five minutes with the CLI'));
const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;

interface Step { title: string; commands: string[] }

/** The numbered steps (`# N. …`), each with its commands (continuation lines joined); what follows step 11 joins it. */
function steps(text: string): Step[] {
  const out: Step[] = [];
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const title = /^# (\d+\. .*)$/.exec(line);
    if (title) out.push({ title: title[1]!, commands: [] });
    else if (line.trim() && !line.startsWith('#')) out.at(-1)!.commands.push(line.trim());
  }
  return out;
}

/** Commands that are meant to fail: the over-quantity check (outcome invalid) and FR-DGDDI's drawdown (403). */
const EXPECTED_EXIT: [RegExp, number][] = [
  [/license verify .*--item 6A003\.b\.4=50/, 1],
  [/license drawdown --as FR-DGDDI/, 1],
];

let ex: LocalExchange;
const results: { step: string; command: string; code: number; stdout: string; stderr: string }[] = [];

function bash(command: string, home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CORRIDOR_HOME: home, NODE_NO_WARNINGS: '1' };
  for (const k of ['CORRIDOR_URL', 'CORRIDOR_RETRIES', 'CORRIDOR_CLIENT_CERT', 'CORRIDOR_CLIENT_KEY', 'CORRIDOR_CA']) delete env[k];
  return new Promise((done) => {
    execFile('bash', ['-c', `set -eo pipefail\n${command}`], { cwd: ROOT, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  ex = await startLocal(['--demo']);
}, 90_000);

afterAll(async () => {
  await ex?.stop();
});

describe('README: five minutes with the CLI', () => {
  const walk = steps(block);

  it('has steps 1 to 11, and writes nothing outside .corridor/', () => {
    expect(walk.map((s) => Number.parseInt(s.title, 10))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(block).not.toMatch(/\/tmp\b/);
    const commands = walk.flatMap((s) => s.commands).join('\n');
    const targets = [...commands.matchAll(/(?:\s>>?|--(?:out|public-out|save-document))\s*(\S+)/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const t of targets) expect(t, 'a file the walk writes').toMatch(/^\.corridor\//);
  });

  for (const step of walk) {
    it(step.title, async () => {
      for (const command of step.commands) {
        const r = await bash(command.replaceAll('.corridor/', `${ex.home}/`), ex.home);
        results.push({ step: step.title, command, ...r });
        const expected = EXPECTED_EXIT.find(([re]) => re.test(command))?.[1] ?? 0;
        expect(r.code, `${command}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(expected);
      }
    }, 180_000);
  }

  it('step 5 registered FR-DGDDI from the public key file keygen wrote beside the private one', () => {
    expect(existsSync(join(ex.home, 'keys', 'FR-DGDDI.public.jwk.json'))).toBe(true);
    const register = results.find((r) => r.command.startsWith('npx corridor agency register --id FR-DGDDI'))!;
    expect(register.stdout).toContain('key fr-dgddi-1: active');
  });

  it("step 6's refused drawdown is a signed 403, and step 11's deny query shows it", () => {
    const refused = results.find((r) => r.command.includes('drawdown --as FR-DGDDI'))!;
    expect(refused.stdout).toContain('✗ 403 No sharing agreement allows this');
    const denials = results.find((r) => r.command.includes('--decision deny'))!;
    expect(denials.stdout).toMatch(/deny {2}403 FR-DGDDI +license\.drawdown /);
  });

  it('after step 9 retires de-bafa-1, --as DE-BAFA signs with the active key file', () => {
    const after = results.find((r) => r.step.startsWith('9.') && r.command.includes('drawdowns --as DE-BAFA'))!;
    expect(after.stdout).toContain('NL-2026-0001');
  });

  it('step 10 says by when every warm process signs with the new response key', () => {
    const rotate = results.find((r) => r.command === 'npx corridor keys rotate')!;
    expect(rotate.stdout).toMatch(/new processes sign with rsp-\S+ now; warm ones by \d{4}-\d\d-\d\dT\S+Z \(re-read every 300 s/);
  });
});
