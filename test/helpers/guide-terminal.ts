/**
 * The reader's terminal for the guides' steps (test/e2e/partner-guide.test.ts): bash with the environment a reader
 * has — none of the CORRIDOR_* or npm_* variables of the test runner, no node_modules/.bin on PATH — and what the
 * steps export kept from one step to the next, as a shell session keeps it (values, not re-run commands).
 *
 * `npx corridor …` runs the CLI straight from the checkout's sources (`node --import tsx bin/corridor.ts`, what npx
 * ends up running through the bin's `tsx` shebang) by an `npx` first on PATH: npm's own start-up, paid on each of
 * the walk's CLI calls, was most of the test's time. Every other `npx` goes to the real one, and so does nothing
 * outside the checkout — a reader's npx would not find the CLI there, so neither does the shim.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface StepResult { code: number; stdout: string; stderr: string }

/** Set by bash itself, or by this harness: never part of what a step exported. */
const SHELL_OWN = new Set(['PWD', 'OLDPWD', 'SHLVL', '_', 'GUIDE_ENV_OUT']);

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export class GuideTerminal {
  /** Variables the steps exported so far (new, or changed from the base environment). */
  readonly exported = new Map<string, string>();
  private readonly base: Record<string, string>;
  private readonly envOut: string;

  /** `root`: the checkout (where `npx corridor` works); `work`: a scratch directory for the shim and the step's env dump. */
  constructor(readonly root: string, work: string) {
    const bin = join(work, 'reader-bin');
    mkdirSync(bin, { recursive: true });
    this.envOut = join(work, 'step.env');
    const path = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !/node_modules[\\/]\.bin|node-gyp-bin/.test(d));
    const npx = path.map((d) => join(d, 'npx')).find((f) => existsSync(f));
    if (!npx) throw new Error('no npx on PATH');
    const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
    writeFileSync(join(bin, 'npx'), [
      '#!/usr/bin/env bash',
      `if [ "$1" = corridor ]; then`,
      `  case "$PWD/" in ${quote(`${root}/`)}*) ;; *) echo "npx corridor outside the checkout ($PWD): npx would not find the CLI here" >&2; exit 127 ;; esac`,
      `  shift; exec ${quote(process.execPath)} --import ${quote(tsx)} ${quote(join(root, 'bin/corridor.ts'))} "$@"`,
      'fi',
      `exec ${quote(npx)} "$@"`,
      '',
    ].join('\n'));
    chmodSync(join(bin, 'npx'), 0o755);
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(CORRIDOR_|npm_|INIT_CWD$)/i.test(k)) base[k] = v;
    base.PATH = [bin, ...path].join(delimiter);
    base.NODE_NO_WARNINGS = '1';
    base.PYTHONDONTWRITEBYTECODE = '1'; // a Python step must not leave __pycache__ in the checkout
    // As a reader's ~/.npmrc might say: packages from the npm cache when it has them, no audit or funding report.
    Object.assign(base, { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' });
    this.base = base;
  }

  /** Run one step's script in `cwd`, as `set -eo pipefail` bash in this session; what it exports stays for the next. */
  run(script: string, cwd: string): Promise<StepResult> {
    const env = { ...this.base, ...Object.fromEntries(this.exported), GUIDE_ENV_OUT: this.envOut };
    rmSync(this.envOut, { force: true });
    return new Promise((done) => {
      // The trap runs on every exit, a failing command's under set -e included.
      execFile('bash', ['-c', `trap 'env -0 > "$GUIDE_ENV_OUT"' EXIT\nset -eo pipefail\n${script}`], { cwd, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (existsSync(this.envOut)) this.keep(readFileSync(this.envOut, 'utf8'));
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  private keep(dump: string): void {
    for (const entry of dump.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const [name, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
      if (SHELL_OWN.has(name) || this.base[name] === value) continue;
      this.exported.set(name, value);
    }
  }
}
