/**
 * The balance of a license bound to its drawdown records (issue 17): the balance is one small item
 * rewritten by every drawdown, so a copy of an older one, put back with the documents table's write
 * access, would still decrypt and would raise what remains. Every drawdown therefore also creates a
 * marker `DRAWSEQ#<n>` (create-only; no function may delete in the documents table), and the balance
 * carries n inside its ciphertext (documents.ts). A balance of version n whose marker n+1 exists is
 * older than the records: refused as an integrity failure (503, alarmed), never drawn on.
 */
import { BALANCE_SK, balancePlaintext, drawSeqSk, DRAWSEQ_FROM_SK, readBalance, type Balance, type DocumentHead } from '../documents.ts';
import { IntegrityError } from '../errors.ts';
import type { StoredRecord, Write } from '../ports.ts';
import type { ActionContext } from '../services.ts';

/**
 * The balance as read, proven current: no marker after it, and no marker at all for a balance without a count.
 * A marker met with a balance read just before a concurrent drawdown committed is told apart by reading the
 * balance again: a rolled-back copy stays where it is. A balance that moved is returned as first read: the
 * transaction's version condition then fails and the pipeline retries on fresh state, as for any contention.
 */
export async function currentBalance(ctx: ActionContext, head: DocumentHead, pk: string, rec: StoredRecord | null): Promise<Balance> {
  const { store, cipher } = ctx.services;
  const balance = await readBalance(cipher, head, rec);
  const after = await store.get('documents', pk, drawSeqSk((balance.ver ?? 0) + 1));
  const counted = balance.seq === null ? await store.get('documents', pk, DRAWSEQ_FROM_SK) : null;
  if (!after && !counted) return balance;
  const again = await readBalance(cipher, head, await store.get('documents', pk, BALANCE_SK));
  if (again.ver !== balance.ver) return balance;
  throw new IntegrityError(`the balance of ${head.spec.kind}:${head.issuer}/${head.id} (version ${balance.ver ?? 'none'}) is older than its drawdown records`);
}

/** The balance's new version with its count, the marker of this drawdown, and (the first time) where counting began. */
export function balanceWrites(pk: string, previous: Balance, drawn: Uint8Array): Write[] {
  const seq = (previous.ver ?? 0) + 1;
  return [
    { op: 'put', record: { table: 'documents', pk, sk: BALANCE_SK, attrs: { drawn, ver: seq } }, condition: previous.ver === null ? { kind: 'absent' } : { kind: 'version', equals: previous.ver } },
    { op: 'put', record: { table: 'documents', pk, sk: drawSeqSk(seq), attrs: { seq } }, condition: { kind: 'absent' } },
    ...(previous.seq === null ? [{ op: 'put', record: { table: 'documents', pk, sk: DRAWSEQ_FROM_SK, attrs: { from: seq } }, condition: { kind: 'absent' } } satisfies Write] : []),
  ];
}

/** The plaintext of the next balance (the count is its version). */
export const nextBalancePlaintext = (previous: Balance, drawn: Record<string, number>): string => balancePlaintext(drawn, (previous.ver ?? 0) + 1);
