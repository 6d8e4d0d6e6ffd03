// Keeps the guides honest: the marked steps of docs/partner-guide.md (the worked exchange), then those of
// docs/operating.md and docs/auditing.md (which continue on the same exchange), run in order, as written, against the
// local exchange started as a real process (one moto, one server for the file), and each shows the output lines the
// guide says it does. Every `npx corridor …` command in the three guides names a command that exists, with flags that
// command accepts. The steps run in a reader's terminal (test/helpers/guide-terminal.ts), where `npx corridor` starts
// the CLI from the checkout's sources without npm's start-up; the commands' --help is read in this process.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startLocal, type LocalExchange } from '../helpers/local-process.ts';
import { runCli } from '../helpers/cli-run.ts';
import { corridorCommandsIn, expectLines, guideSteps, type GuideStep } from '../helpers/guide-steps.ts';
import { GuideTerminal } from '../helpers/guide-terminal.ts';

/** Run in this order: operating.md and auditing.md continue the partner guide's walk. */
const GUIDES = ['docs/partner-guide.md', 'docs/operating.md', 'docs/auditing.md'];
/** The scratch CORRIDOR_HOME the guide tells the reader to use; the test uses a fresh temp directory in its place. */
const GUIDE_HOME = '/tmp/corridor-walk';

const texts = GUIDES.map((doc) => ({ doc, text: readFileSync(join(ROOT, doc), 'utf8') }));
const guide = texts[0]!.text;
const steps = texts.flatMap(({ doc, text }) => guideSteps(text).map((step) => ({ doc, ...step })));
const work = mkdtempSync(join(tmpdir(), 'corridor-guide-'));
const home = join(work, 'corridor-walk');
/** "A directory of your own", where the reader ran `npm install jose` (§7) before the steps there. */
const scriptDir = join(work, 'integration');
const terminal = new GuideTerminal(ROOT, work);
let ex: LocalExchange;

beforeAll(async () => {
  mkdirSync(scriptDir);
  // From the npm cache when it holds jose, else from the registry (guide-terminal.ts); meanwhile the exchange starts.
  const jose = terminal.run('npm install jose', scriptDir);
  const sealInterval = process.env.CORRIDOR_SEAL_INTERVAL_MS;
  process.env.CORRIDOR_SEAL_INTERVAL_MS = '3600000'; // the walk seals explicitly (step 8); no timer in between
  try {
    ex = await startLocal([], home);
  } finally {
    if (sealInterval === undefined) delete process.env.CORRIDOR_SEAL_INTERVAL_MS;
    else process.env.CORRIDOR_SEAL_INTERVAL_MS = sealInterval;
  }
  const installed = await jose;
  expect(installed.code, `npm install jose in the integration directory:\n${installed.stderr}`).toBe(0);
}, 90_000);

afterAll(async () => {
  await ex?.stop();
  rmSync(work, { recursive: true, force: true });
});

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
        mkdirSync(dirname(join(scriptDir, step.file!)), { recursive: true });
        writeFileSync(join(scriptDir, step.file!), code);
        return;
      }
      const r = await terminal.run(code, step.kind === 'script-dir' ? scriptDir : ROOT);
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
      const r = await runCli(...command.split(' '), '--help');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`corridor ${command}`);
      for (const f of flags) if (!['--url', '--as', '--key', '--json', '--help'].includes(f)) expect(r.stdout, `corridor ${command} --help`).toContain(f);
    });
  }
});

export type { GuideStep };
