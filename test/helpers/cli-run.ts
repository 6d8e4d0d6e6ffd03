/** Runs the corridor CLI in this process (bin/cli/main.ts) with stdout and stderr captured. */
import { vi } from 'vitest';
import { main } from '../../bin/cli/main.ts';

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
