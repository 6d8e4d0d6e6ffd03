/**
 * Paged list commands (`license drawdowns`, `agreement list`): every page, following the exchange's cursor until it
 * is null, with progress on stderr — or, with --cursor, the one page there. A refusal on any page stops the walk and
 * is what the command shows. Every page is a verified answer with its own audit event.
 */
import type { ExchangeAnswer } from '../../lambdas/client/corridor-client.ts';
import { Progress } from './progress.ts';

/** What a paged command adds to its own options. */
export const PAGE_OPTIONS = {
  limit: { type: 'string' },
  cursor: { type: 'string' },
} as const;

export interface Paged<T> {
  /** The one answer to show: a refusal as received, or every page's items merged into the last page's result. */
  answer: ExchangeAnswer<T>;
  /** With --json: the page count and each page's audit event. */
  extra: Record<string, unknown>;
}

/**
 * Fetch one page at `cursor`, or (without it) every page from the first. `items` names the result's list member;
 * `noun` is what the progress line counts.
 */
export async function pages<T extends { cursor?: string | null }, K extends keyof T>(
  fetch: (cursor: string | undefined) => Promise<ExchangeAnswer<T>>,
  items: K,
  noun: string,
  cursor: string | undefined,
): Promise<Paged<T>> {
  if (cursor) return { answer: await fetch(cursor), extra: {} };
  const progress = new Progress();
  const merged: unknown[] = [];
  const auditIds: string[] = [];
  let next: string | undefined;
  for (;;) {
    const a = await fetch(next);
    if (!a.result) {
      progress.done();
      return { answer: a, extra: { pages: auditIds.length + 1 } };
    }
    merged.push(...(a.result[items] as unknown[]));
    if (a.auditId) auditIds.push(a.auditId);
    next = a.result.cursor ?? undefined;
    if (!next) {
      progress.done(auditIds.length > 1 ? `${merged.length} ${noun}(s) in ${auditIds.length} pages` : undefined);
      return { answer: { ...a, result: { ...a.result, [items]: merged } }, extra: { pages: auditIds.length, auditIds } };
    }
    progress.update(`downloaded ${merged.length} ${noun}(s) in ${auditIds.length} page(s)`);
  }
}

/** `--limit N` as a page size for the body, checked here (usage error) rather than refused by the exchange. */
export function pageLimit(value: string | boolean | string[] | undefined, usage: (message: string) => Error): { limit?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw usage('--limit must be an integer from 1 to 500');
  return { limit: n };
}
