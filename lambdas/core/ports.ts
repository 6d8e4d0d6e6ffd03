/**
 * What the core needs from the world, named for the need. Adapters: `adapters/aws`
 * (DynamoDB, KMS — used by Lambda and by `npm start` against moto) and
 * `adapters/memory` (unit tests only).
 */

import type { RequestAggregate } from './request-metrics.ts';

export type TableId = 'registry' | 'documents' | 'audit' | 'notifications';

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

/** One page of a partition of a table itself (not an index), for the list actions' cursors. */
export interface PartitionPageQuery {
  pk: string;
  /** Only sort keys that start with this. */
  skPrefix: string;
  /** Sort keys strictly after this one (exclusive), if given. */
  after?: string;
  /** At most this many records. */
  limit: number;
}

/**
 * How a table read is served. Reads are strongly consistent unless `consistent: false`: an eventually consistent
 * read costs half (DynamoDB bills ½ RRU per 4 KB) and may miss writes of about the last second. Only reads whose
 * answer the revocation bound already lets be stale take it (protocol.md §1): never one that guards a write, a
 * balance or a replay (docs/performance.md, "Eventually consistent reads").
 */
export interface ReadOptions { readonly consistent?: boolean }

export interface Store {
  get(table: TableId, pk: string, sk?: string, opts?: ReadOptions): Promise<StoredRecord | null>;
  /**
   * The records of these keys that exist, strongly consistent like `get`, in no particular order. Batched
   * (BatchGetItem, 100 keys per request on DynamoDB); anything a backend leaves unprocessed is retried here.
   */
  getMany(table: TableId, keys: readonly { pk: string; sk?: string }[]): Promise<StoredRecord[]>;
  /** Every record of one partition whose sort key starts with `skPrefix` (strongly consistent unless `opts` say not). */
  query(table: TableId, pk: string, skPrefix: string, opts?: ReadOptions): Promise<StoredRecord[]>;
  /** Up to `limit` records of one partition, in sort-key (byte) order, strongly consistent. */
  queryPage(table: TableId, q: PartitionPageQuery): Promise<StoredRecord[]>;
  /** One page of a GSI (eventually consistent, like DynamoDB's). */
  queryIndex(table: TableId, q: IndexQuery): Promise<IndexPage>;
  /** All writes or none (one transaction). Throws WriteConflict or DependencyError. */
  commit(writes: readonly Write[]): Promise<void>;
}

/** KMS data keys for envelope encryption (protocol.md §7). */
export interface DataKeys {
  generate(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; encrypted: Uint8Array }>;
  decrypt(encrypted: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** One answered request as operations see it: ids, codes and numbers, never content. */
export interface RequestObservation {
  /** The API Gateway request id (the audit event's `requestId`). */
  readonly requestId: string;
  readonly auditId?: string;
  /** The verified caller; absent when the signature did not verify (a claimed issuer is input). */
  readonly actor?: string;
  readonly action: string;
  readonly status: number;
  readonly decision: 'allow' | 'deny';
  /** The problem code of a refusal, e.g. `ERR_SIGNATURE_INVALID`. */
  readonly code?: string;
  readonly durationMs: number;
}

/** A dependency that failed: its name (`dynamodb`, `kms`, …) and the error's class, never its message. */
export interface FailureObservation {
  readonly requestId?: string;
  readonly action?: string;
  readonly dependency: string;
  readonly errorClass: string;
}

/** Which integrity check failed, naming records by id only (never content). */
export interface IntegrityObservation extends FailureObservation {
  readonly check: string;
}

/** One sealer run: how old the oldest unsealed event was when it started (0 when none). */
export interface SealRunObservation {
  readonly lagSeconds: number;
  readonly seals: number;
  readonly events: number;
}

/**
 * What the core reports about its own work (logs, metrics and trace annotations in AWS).
 * Observations carry only ids, codes and numbers, so no adapter can leak document content,
 * names, JWS or keys: it never receives them.
 */
export interface Telemetry {
  /** One answered request: its log line when denied, failed or slow (counts and latency come from requestsAggregated). */
  requestCompleted(o: RequestObservation): void;
  /**
   * The requests of a batch of audit events (aggregateRequests), read from the audit stream: their count and latency per
   * action and decision, reported once per batch instead of once per request.
   */
  requestsAggregated(aggregates: readonly RequestAggregate[]): void;
  /** An audit event could not be written (the request fails closed with 503). */
  auditWriteFailed(o: FailureObservation): void;
  dependencyFailed(o: FailureObservation): void;
  /** Stored data failed an integrity check (a blob that does not authenticate, a rolled-back balance): always alarmed. */
  integrityFailed(o: IntegrityObservation): void;
  sealRun(o: SealRunObservation): void;
}

/** The exchange's seal key (a KMS asymmetric P-256 key in AWS): one signature per seal. */
export interface SealSigner {
  /** kid and public JWK of the seal key, for the JWKS and the seal header. */
  publicKey(): Promise<{ kid: string; jwk: Record<string, unknown> }>;
  /** ES256 signature (r ‖ s) over the JWS signing input. */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}
