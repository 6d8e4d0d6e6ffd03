/**
 * Captures what this process writes to stdout and stderr (where Powertools Logger and Metrics
 * print), so tests can read the JSON lines a handler would leave in CloudWatch.
 */
import { vi } from 'vitest';

export interface Captured {
  /** Everything written, as written. */
  text(): string;
  /** Every line parsed as JSON; a line that is not one JSON object fails the test. */
  json(): Record<string, unknown>[];
  restore(): void;
}

export function captureOutput(): Captured {
  const chunks: string[] = [];
  const keep = ((chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(keep), vi.spyOn(process.stderr, 'write').mockImplementation(keep)];
  const text = (): string => chunks.join('');
  return {
    text,
    json: () => text().split('\n').filter((l) => l.trim() !== '').map((l) => {
      const v: unknown = JSON.parse(l);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not a JSON object line: ${l}`);
      return v as Record<string, unknown>;
    }),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}
