/** How the CLI shows answers: readable by default, the verified payload as JSON with --json. */
import type { ExchangeAnswer } from '../../lambdas/client/corridor-client.ts';

export const EXIT = { ok: 0, refused: 1, usage: 2, untrusted: 3 } as const;

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Print an answer; returns the exit code (0 success, 1 refused). */
export function show<T>(a: ExchangeAnswer<T>, json: boolean, readable: (result: T) => string[]): number {
  if (json) {
    out(JSON.stringify({ status: a.status, ...(a.result !== undefined ? { result: a.result } : {}), ...(a.problem ? { problem: a.problem } : {}), auditId: a.auditId }, null, 2));
    return a.problem ? EXIT.refused : EXIT.ok;
  }
  if (a.problem) {
    out(`✗ ${a.status} ${a.problem.title}: ${a.problem.detail}`);
    for (const e of a.problem.errors ?? []) out(`    ${e.pointer}: ${e.detail}`);
    if (a.auditId) out(`  audit event ${a.auditId}`);
    return EXIT.refused;
  }
  for (const line of readable(a.result as T)) out(line);
  out(`  ✓ response signature verified · audit event ${a.auditId}`);
  return EXIT.ok;
}
