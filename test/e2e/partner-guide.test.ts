// Keeps the guides honest: the marked steps of docs/partner-guide.md (the worked exchange), then those of
// docs/operating.md and docs/auditing.md (which continue on the same exchange), run in order, as written, against the
// local exchange started as a real process (one moto, one server for the file), and each shows the output lines the
// guide says it does. Every `npx corridor …` command in the three guides names a command that exists, with flags that
// command accepts.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT, startLocal, type LocalExchange } from '../helpers/local-process.ts';
import { corridorCommandsIn, expectLines, guideSteps, type GuideStep } from '../helpers/guide-steps.ts';

/** Run in this order: operating.md and auditing.md continue the partner guide's walk. */
const GUIDES = ['docs/partner-guide.md', 'docs/operating.md', 'docs/auditing.md'];
/** The scratch CORRIDOR_HOME the guide tells the reader to use; the test uses a fresh temp directory in its place. */
const GUIDE_HOME = '/tmp/corridor-walk';

const texts = GUIDES.map((doc) => ({ doc, text: readFileSync(join(ROOT, doc), 'utf8') }));
const guide = texts[0]!.text;
const steps = texts.flatMap(({ doc, text }) => guideSteps(text).map((step) => ({ doc, ...step })));
const work = mkdtempSync(join(tmpdir(), 'corridor-guide-'));
const home = join(work, 'corridor-walk');
/** "A directory of your own" where `npm install jose` ran: node_modules is the checkout's (jose is a dependency). */
const scriptDir = join(work, 'integration');
let ex: LocalExchange;
const exported: string[] = [];

beforeAll(async () => {
  mkdirSync(scriptDir);
  symlinkSync(join(ROOT, 'node_modules'), join(scriptDir, 'node_modules'));
  const sealInterval = process.env.CORRIDOR_SEAL_INTERVAL_MS;
  process.env.CORRIDOR_SEAL_INTERVAL_MS = '3600000'; // the walk seals explicitly (step 8); no timer in between
  try {
    ex = await startLocal([], home);
  } finally {
    if (sealInterval === undefined) delete process.env.CORRIDOR_SEAL_INTERVAL_MS;
    else process.env.CORRIDOR_SEAL_INTERVAL_MS = sealInterval;
  }
}, 90_000);

afterAll(async () => {
  await ex?.stop();
  rmSync(work, { recursive: true, force: true });
});

function bash(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('CORRIDOR_')) delete env[k]; // only what the guide sets
  return new Promise((done) => {
    execFile('bash', ['-c', `set -eo pipefail\n${script}`], { cwd, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the guides, step by step', () => {
  it('tells the reader to start the exchange the way this test does', () => {
    expect(guide).toContain(`rm -rf ${GUIDE_HOME} && CORRIDOR_HOME=${GUIDE_HOME} npm start`);
    expect(steps.length).toBeGreaterThan(10);
    expect(steps[0]!.code).toContain(`export CORRIDOR_HOME=${GUIDE_HOME}`);
  });

  // One test per marked block, in document order: the walk is a sequence, each step needs the ones before it.
  for (const [i, step] of steps.entries()) {
    const title = `${i + 1}. ${step.doc}:${step.line}: ${step.code.split('\n').find((l) => l && !l.startsWith('#'))!.slice(0, 90)}`;
    it(title, async () => {
      const code = step.code.replaceAll(GUIDE_HOME, home);
      if (step.kind === 'file') {
        writeFileSync(join(scriptDir, step.file!), code);
        return;
      }
      const r = await bash(`${exported.join('\n')}\n${code}`, step.kind === 'script-dir' ? scriptDir : ROOT);
      exported.push(...code.replace(/\\\n/g, ' ').split('\n').filter((l) => /^export \w+=/.test(l)));
      expect(r.code, `exit code of:\n${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(step.exit);
      if (step.expected) expectLines(r.stdout, step.expected);
    }, 120_000);
  }
});

describe('every `npx corridor` command in the guides exists with the flags used', () => {
  const commands = new Map<string, Set<string>>();
  for (const { text } of texts) {
    for (const c of corridorCommandsIn(text)) {
      const flags = commands.get(c.command) ?? new Set<string>();
      for (const f of c.flags) flags.add(f);
      commands.set(c.command, flags);
    }
  }
  it('found the commands', () => expect(commands.size).toBeGreaterThan(8));
  for (const [command, flags] of commands) {
    it(`corridor ${command} ${[...flags].join(' ')}`, async () => {
      const r = await cli(ex.home, [...command.split(' '), '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`corridor ${command}`);
      for (const f of flags) if (!['--url', '--as', '--key', '--json', '--help'].includes(f)) expect(r.stdout, `corridor ${command} --help`).toContain(f);
    });
  }
});

export type { GuideStep };
