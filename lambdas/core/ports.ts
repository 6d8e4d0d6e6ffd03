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

/** One page of a global secondary index query, in sort-key order. */
export interface IndexPage { records: StoredRecord[]; next?: string }

export interface IndexQuery {
  index: string;
  partition: string;
  /** Sort keys strictly after this one (exclusive), if given. */
  after?: string;
  /** Sort keys up to and including this one, if given. */
  until?: string;
  limit: number;
  /** Opaque continuation from the previous page. */
  next?: string;
}

export interface Store {
  get(table: TableId, pk: string, sk?: string): Promise<StoredRecord | null>;
  /** Every record of one partition whose sort key starts with `skPrefix`. */
  query(table: TableId, pk: string, skPrefix: string): Promise<StoredRecord[]>;
  /** One page of a GSI (eventually consistent, like DynamoDB's). */
  queryIndex(table: TableId, q: IndexQuery): Promise<IndexPage>;
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

/** The exchange's seal key (a KMS asymmetric P-256 key in AWS): one signature per seal. */
export interface SealSigner {
  /** kid and public JWK of the seal key, for the JWKS and the seal header. */
  publicKey(): Promise<{ kid: string; jwk: Record<string, unknown> }>;
  /** ES256 signature (r ‖ s) over the JWS signing input. */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}
