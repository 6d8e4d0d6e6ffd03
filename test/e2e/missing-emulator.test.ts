// Without moto_server on PATH, `npm start` exits non-zero with one line saying how to get it or use another endpoint.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOTO_MISSING } from '../../lambdas/local/emulator.ts';
import { ROOT } from '../helpers/local-process.ts';

describe('serve without an emulator', () => {
  it('exits 2 with one clear line', async () => {
    const env = { HOME: process.env.HOME ?? '/tmp', PATH: dirname(process.execPath), CORRIDOR_HOME: mkdtempSync(join(tmpdir(), 'corridor-nomoto-')) };
    const r = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'bin/corridor.ts'), 'serve'], { cwd: ROOT, env }, (err, _o, stderr) => done({ code: Number((err as { code?: number } | null)?.code ?? 0), stderr })),
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => !/Warning|upgrade|node >=22|a\.co|trace-warnings|^$|versions published|continue receiving|More information/.test(l))).toEqual([MOTO_MISSING]);
    expect(MOTO_MISSING).toMatch(/CORRIDOR_AWS_ENDPOINT/);
  });
});
