/**
 * Reads the runnable steps out of a Markdown guide. A step is a fenced block right after a marker comment:
 *
 *   <!-- e2e -->                    ```sh block, run with bash in the repository checkout
 *   <!-- e2e:script-dir -->         ```sh block, run in the reader's own integration directory
 *   <!-- e2e:file NAME -->          any fenced block, saved as NAME in that directory
 *   … exit=N                        expected exit code (default 0)
 *
 * A ```text block right after a run step is its expected output: each non-empty line must be a whole line of stdout,
 * in order (other lines may come between), where `…` stands for any text.
 */
import { expect } from 'vitest';

export interface GuideStep {
  kind: 'run' | 'script-dir' | 'file';
  file?: string;
  exit: number;
  code: string;
  expected?: string[];
  /** 1-based line of the marker. */
  line: number;
}

const MARKER = /^<!--\s*e2e(:script-dir|:file\s+(\S+))?((?:\s+\w+=\S+)*)\s*-->$/;

function fenceAt(lines: string[], i: number): { lang: string; body: string[]; end: number } | null {
  let j = i;
  while (j < lines.length && lines[j]!.trim() === '') j++;
  const open = /^```(\w*)\s*$/.exec(lines[j] ?? '');
  if (!open) return null;
  const body: string[] = [];
  let k = j + 1;
  while (k < lines.length && !/^```\s*$/.test(lines[k]!)) body.push(lines[k++]!);
  if (k >= lines.length) throw new Error(`unclosed code block at line ${j + 1}`);
  return { lang: open[1]!, body, end: k + 1 };
}

export function guideSteps(markdown: string): GuideStep[] {
  const lines = markdown.split('\n');
  const steps: GuideStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]!.trim());
    if (!m) continue;
    const block = fenceAt(lines, i + 1);
    if (!block) throw new Error(`marker at line ${i + 1} is not followed by a code block`);
    const opts = Object.fromEntries([...m[3]!.matchAll(/(\w+)=(\S+)/g)].map((x) => [x[1]!, x[2]!]));
    const kind: GuideStep['kind'] = m[1]?.startsWith(':file') ? 'file' : m[1] === ':script-dir' ? 'script-dir' : 'run';
    if (kind !== 'file' && block.lang !== 'sh') throw new Error(`step at line ${i + 1} must be a sh block`);
    const step: GuideStep = { kind, exit: Number(opts.exit ?? 0), code: `${block.body.join('\n')}\n`, line: i + 1 };
    if (m[2]) step.file = m[2];
    if (kind !== 'file') {
      const out = fenceAt(lines, block.end);
      if (out?.lang === 'text') step.expected = out.body.filter((l) => l.trim() !== '');
    }
    steps.push(step);
  }
  return steps;
}

function linePattern(expected: string): RegExp {
  const parts = expected.trimEnd().split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** Every expected line matches a whole line of `stdout`, in order. */
export function expectLines(stdout: string, expected: string[]): void {
  const got = stdout.split('\n').map((l) => l.trimEnd());
  let at = 0;
  for (const e of expected) {
    const re = linePattern(e);
    const found = got.findIndex((l, i) => i >= at && re.test(l));
    expect(found, `expected a line matching\n  ${e}\nafter line ${at} of:\n${stdout}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

export interface CorridorCommand { command: string; flags: string[] }

/** Every `npx corridor …` invocation in the guide's sh blocks (continuation lines joined): command words and flags. */
export function corridorCommandsIn(markdown: string): CorridorCommand[] {
  const found: CorridorCommand[] = [];
  for (const m of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const script = m[1]!.replace(/\\\n/g, ' ');
    for (const use of script.matchAll(/npx corridor ([^\n|;&#)]*)/g)) {
      const words = use[1]!.trim().split(/\s+/);
      const command = words[1] && !words[1].startsWith('-') && !words[1].startsWith('"') && /^[a-z]+$/.test(words[1]) && ['agency', 'agreement', 'license', 'euc', 'audit', 'keys'].includes(words[0]!) ? `${words[0]} ${words[1]}` : words[0]!;
      found.push({ command, flags: words.filter((w) => /^--[a-z][a-z-]*$/.test(w)) });
    }
  }
  return found;
}
