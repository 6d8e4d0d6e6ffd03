/**
 * How the CLI shows answers and which exit code it gives. Readable text by default; with
 * --json exactly one JSON document on stdout (the verified payload, or an `error`), and
 * every message for humans — progress, retries, errors — on stderr.
 */
import type { ExchangeAnswer } from '../../lambdas/client/corridor-client.ts';

export const EXIT = {
  /** Done; a verification came out valid. */
  ok: 0,
  /** The exchange refused (4xx problem), or a check failed: outcome invalid, an audit problem, an offline signature check. */
  refused: 1,
  /** Usage or configuration: unknown or missing option, unreadable key or document file, no exchange URL. */
  usage: 2,
  /** The exchange is unavailable: unreachable, timed out, or still 429/503 when the retries ran out. Try again later. */
  unavailable: 3,
  /** An answer did not verify (unsigned, wrong key, not for this request or agency): treat as an attack or a misconfiguration. */
  untrusted: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_HELP = `Exit codes: 0 ok · 1 refused by the exchange, or a check failed (outcome invalid, audit problem) · 2 usage or configuration error
            3 exchange unavailable (unreachable, or 429/503 after retries) · 4 an answer did not verify (untrusted)`;

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The exit code an answer gives: 429/503 that outlived the retries are "unavailable", other problems "refused". */
export function answerCode(a: ExchangeAnswer<unknown>): ExitCode {
  if (!a.problem) return EXIT.ok;
  return a.status === 429 || a.status === 503 ? EXIT.unavailable : EXIT.refused;
}

/** Print an answer (with --json, `extra` joins it: what the CLI checked besides); returns its exit code. */
export function show<T>(a: ExchangeAnswer<T>, json: boolean, readable: (result: T) => string[], extra: Record<string, unknown> = {}): ExitCode {
  if (json) {
    out(JSON.stringify({ status: a.status, ...(a.result !== undefined ? { result: a.result } : {}), ...(a.problem ? { problem: a.problem } : {}), auditId: a.auditId, ...extra }, null, 2));
    return answerCode(a);
  }
  if (a.problem) {
    out(`✗ ${a.status} ${a.problem.title}: ${a.problem.detail}`);
    for (const e of a.problem.errors ?? []) out(`    ${e.pointer}: ${e.detail}`);
    if (a.auditId) out(`  audit event ${a.auditId}`);
    return answerCode(a);
  }
  for (const line of readable(a.result as T)) out(line);
  out(`  ✓ response signature verified · audit event ${a.auditId}`);
  return EXIT.ok;
}

/** A failure before or instead of an answer: the message on stderr, and with --json an `error` document on stdout. */
export function fail(command: string, code: ExitCode, message: string, json: boolean, hint?: string): ExitCode {
  err(`corridor ${command}: ${message}${hint ? `\n${hint}` : ''}`);
  const kind = { [EXIT.ok]: 'ok', [EXIT.refused]: 'failed', [EXIT.usage]: 'usage', [EXIT.unavailable]: 'unavailable', [EXIT.untrusted]: 'untrusted' }[code];
  if (json) out(JSON.stringify({ error: { kind, message, exitCode: code } }, null, 2));
  return code;
}
