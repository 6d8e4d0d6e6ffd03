/** The few attribute shapes the core stores, to and from DynamoDB's wire format. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttrValue } from '../../core/ports.ts';

export function toAttribute(v: AttrValue): AttributeValue {
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (v instanceof Uint8Array) return { B: v };
  return { L: v.map((s) => ({ S: s })) };
}

export function fromAttribute(a: AttributeValue): AttrValue {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.B !== undefined) return a.B;
  if (a.L !== undefined) return a.L.map((x) => x.S ?? '');
  throw new TypeError('unsupported attribute type');
}

export function toItem(attrs: Readonly<Record<string, AttrValue>>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, toAttribute(v)]));
}
