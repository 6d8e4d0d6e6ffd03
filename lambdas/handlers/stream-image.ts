/**
 * A DynamoDB stream record's new image as the core's record shape. Lambda's event source mapping hands binary
 * attributes over base64-encoded in JSON; the SDK's GetRecords (the local poller) as bytes: both are accepted.
 */
import type { AttrValue } from '../core/ports.ts';

/** The attribute shapes the exchange stores (attribute-codec.ts), as a stream delivers them. */
export interface StreamAttribute { S?: string; N?: string; B?: string | Uint8Array; BOOL?: boolean; L?: StreamAttribute[] }

/** The part of a stream record the handlers read (aws-lambda's DynamoDBRecord and the SDK's _Record both fit). */
export interface StreamRecordLike {
  eventName?: string;
  /** ApproximateCreationDateTime: epoch seconds in a Lambda event, a Date from the SDK's GetRecords. */
  dynamodb?: { SequenceNumber?: string; ApproximateCreationDateTime?: number | Date; Keys?: Record<string, StreamAttribute>; NewImage?: Record<string, StreamAttribute> };
}

function value(a: StreamAttribute): AttrValue {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.B !== undefined) return typeof a.B === 'string' ? new Uint8Array(Buffer.from(a.B, 'base64')) : a.B;
  if (a.L !== undefined) return a.L.map((x) => x.S ?? '');
  throw new TypeError('unsupported attribute type in a stream image');
}

/** The new image's partition key and its other attributes. */
export function imageOf(record: StreamRecordLike): { pk: string; attrs: Record<string, AttrValue> } {
  const image = record.dynamodb?.NewImage ?? {};
  const { pk, ...rest } = image;
  return { pk: pk?.S ?? '', attrs: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, value(v)])) };
}

/** When DynamoDB wrote the record's item, in ms (whole seconds from the stream), if the record says. */
export function writtenAt(record: StreamRecordLike): number | undefined {
  const t = record.dynamodb?.ApproximateCreationDateTime;
  return t instanceof Date ? t.getTime() : typeof t === 'number' ? t * 1000 : undefined;
}

/** The event source mapping's filter, in code: the local poller applies it as Lambda would. */
export function isInsertWithKeyPrefix(record: StreamRecordLike, prefix: string): boolean {
  return record.eventName === 'INSERT' && (record.dynamodb?.Keys?.pk?.S ?? '').startsWith(prefix);
}
