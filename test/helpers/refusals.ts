/** The four things every refusal must show: its status, its problem type, one deny audit event, and storage unchanged. */
import { expect } from 'vitest';
import type { TestExchange } from './memory-exchange.ts';

interface Refusal { status: number; problem: { type: string; detail: string } }

/** Run `send`, assert it was refused as `status`/`slug` and changed nothing but one audit event; returns the detail. */
export async function expectRefusal(x: TestExchange, send: () => Promise<Refusal>, status: number, slug: string): Promise<string> {
  const before = x.snapshot();
  const prior = new Map(x.auditEvents().map((e) => [e.id, JSON.stringify(e)]));
  const a = await send();
  expect([a.status, a.problem?.type]).toEqual([status, `urn:corridor:problem:${slug}`]);
  expect(x.snapshot()).toBe(before);
  const after = x.auditEvents();
  // The audit log only grows: every earlier event is still there, byte for byte.
  const kept = new Map(after.filter((e) => prior.has(e.id)).map((e) => [e.id, JSON.stringify(e)]));
  expect(kept).toEqual(prior);
  // Found by id, not by position: a test clock moved backwards must not pick an older event.
  const added = after.filter((e) => !prior.has(e.id));
  expect(added).toHaveLength(1);
  expect(added[0]).toMatchObject({ decision: 'deny', status, code: slug });
  return a.problem.detail;
}
