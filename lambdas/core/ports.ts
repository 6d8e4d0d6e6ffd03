/**
 * What the core needs from the world, named for the need. Adapters: `adapters/aws`
 * (DynamoDB, KMS — used by Lambda and by `npm start` against moto) and
 * `adapters/memory` (unit tests only).
 */

export type TableId = 'registry' | 'documents' | 'audit';

/** Attribute values the core stores. Uint8Array holds envelope-encrypted blobs. */
export type AttrValue = string | number | boolean | Uint8Array | string[];

export interface StoredRecord {
  readonly table: TableId;
  readonly pk: string;
  readonly sk?: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export type WriteCondition =
  | { readonly kind: 'absent' }
  | { readonly kind: 'version'; readonly equals: number }
  | { readonly kind: 'none' };

export type Write =
  | { readonly op: 'put'; readonly record: StoredRecord; readonly condition: WriteCondition }
  | { readonly op: 'delete'; readonly table: TableId; readonly pk: string; readonly sk?: string; readonly condition: WriteCondition }
  /** Writes nothing; the transaction fails unless the record still satisfies the condition. */
  | { readonly op: 'check'; readonly table: TableId; readonly pk: string; readonly sk?: string; readonly condition: WriteCondition };

/**
 * Raised by `Store.commit` when a condition failed, or a concurrent transaction touched
 * the same record; `index` is the write that failed. Nothing was written.
 */
export class WriteConflict extends Error {
  constructor(readonly index: number) {
    super(`write ${index} condition failed`);
    this.name = 'WriteConflict';
  }
}

export interface Store {
  get(table: TableId, pk: string, sk?: string): Promise<StoredRecord | null>;
  /** Every record of one partition whose sort key starts with `skPrefix`. */
  query(table: TableId, pk: string, skPrefix: string): Promise<StoredRecord[]>;
  /** All writes or none (one transaction). Throws WriteConflict or DependencyError. */
  commit(writes: readonly Write[]): Promise<void>;
}

/** KMS data keys for envelope encryption (PROTOCOL §7). */
export interface DataKeys {
  generate(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; encrypted: Uint8Array }>;
  decrypt(encrypted: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
