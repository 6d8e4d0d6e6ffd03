// Progress on stderr: rewritten in place on a terminal, throttled lines in a pipe or CI log.
import { describe, expect, it } from 'vitest';
import { Progress } from '../../bin/cli/progress.ts';

function stream(isTTY: boolean): { s: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { written, s: { isTTY, write: (x: string) => written.push(x) > 0 } as unknown as NodeJS.WriteStream };
}

describe('Progress', () => {
  it('on a terminal every update rewrites one line, and done clears it before the summary', () => {
    const { s, written } = stream(true);
    const p = new Progress(s);
    p.update('verified 1/3 seal(s)');
    p.update('verified 2/3 seal(s)');
    p.done('verified 3 seal(s)');
    expect(written).toEqual(['\r\x1b[2Kverified 1/3 seal(s)', '\r\x1b[2Kverified 2/3 seal(s)', '\r\x1b[2K', 'verified 3 seal(s)\n']);
  });

  it('in a pipe at most one line per interval, whole lines, and the summary always', () => {
    const { s, written } = stream(false);
    let t = 10_000;
    const p = new Progress(s, 2_000, () => t);
    for (let i = 1; i <= 100; i++) {
      p.update(`verified ${i}/100 seal(s)`);
      t += 50; // 100 updates over 5 s
    }
    p.done('verified 100 seal(s)');
    expect(written).toEqual(['verified 1/100 seal(s)\n', 'verified 41/100 seal(s)\n', 'verified 81/100 seal(s)\n', 'verified 100 seal(s)\n']);
  });
});
