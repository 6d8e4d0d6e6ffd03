/** The four things every refusal must show: its status, its problem type, one deny audit event, and storage unchanged. */
import { expect } from 'vitest';
import type { TestExchange } from './memory-exchange.ts';

interface Refusal { status: number; problem: { type: string; detail: string } }

/** Run `send`, assert it was refused as `status`/`slug` and changed nothing but one audit event; returns the detail. */
export async function expectRefusal(x: TestExchange, send: () => Promise<Refusal>, status: number, slug: string): Promise<string> {
  const before = x.snapshot();
  const events = x.auditEvents().length;
  const a = await send();
  expect([a.status, a.problem?.type]).toEqual([status, `urn:corridor:problem:${slug}`]);
  expect(x.snapshot()).toBe(before);
  expect(x.auditEvents().length).toBe(events + 1);
  expect(x.auditEvents().at(-1)).toMatchObject({ decision: 'deny', status, code: slug });
  return a.problem.detail;
}
