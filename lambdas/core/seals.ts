/** Seal records in the audit table: `SEAL#<seq>` (the JWS, its leaf hashes and event ids) and the `SEALS` head. */
import type { Store, StoredRecord } from './ports.ts';

export const SEALS_HEAD = 'SEALS';
export const sealPk = (seq: number): string => `SEAL#${String(seq).padStart(12, '0')}`;

export interface SealHead { last: number; prevHash: string; ver: number }

export interface StoredSeal { seq: number; jws: string; leaves: string[]; ids: string[] }

export async function getSealHead(store: Store): Promise<SealHead | null> {
  const r = await store.get('audit', SEALS_HEAD);
  return r ? { last: Number(r.attrs.last), prevHash: String(r.attrs.prevHash), ver: Number(r.attrs.ver) } : null;
}

export function sealFrom(r: StoredRecord): StoredSeal {
  return { seq: Number(r.attrs.seq), jws: String(r.attrs.jws), leaves: r.attrs.leaves as string[], ids: r.attrs.ids as string[] };
}

export async function getSeal(store: Store, seq: number): Promise<StoredSeal | null> {
  const r = await store.get('audit', sealPk(seq));
  return r ? sealFrom(r) : null;
}
