/**
 * Canary search over raw DynamoDB items: every attribute of every item, strings as they
 * are, binary as UTF-8, Latin-1, hex and base64 text, and in each of those the canary
 * itself, its hex, and its base64 / base64url forms at all three byte alignments (so a
 * canary inside a JWS segment or a base64 blob is found wherever it starts).
 */
import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { TableId } from '../../lambdas/core/ports.ts';
import type { MotoExchange } from '../helpers/moto-exchange.ts';

/** A unique marker: long enough that no random ciphertext or hash text contains it by chance. */
export function canary(label: string): string {
  return `${label}-cnry${randomBytes(8).toString('hex')}`;
}

export interface RawItem { table: TableId; item: Record<string, AttributeValue> }

export async function rawItems(x: MotoExchange): Promise<RawItem[]> {
  const out: RawItem[] = [];
  for (const table of ['registry', 'documents', 'audit'] as TableId[]) for (const item of await x.scan(table)) out.push({ table, item });
  return out;
}

/** Forms of `needle` to look for in text: itself, hex, and base64/base64url at each alignment. */
export function encodedForms(needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  const forms = [needle, bytes.toString('hex')];
  for (const pad of [0, 1, 2]) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64').replace(/=+$/, '');
    // Drop the characters that also encode pad bits (front) or the unknown next byte (back).
    const core = b64.slice([0, 2, 3][pad], b64.length - 2);
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

function texts(v: AttributeValue): string[] {
  if (v.S !== undefined) return [v.S];
  if (v.N !== undefined) return [v.N];
  if (v.B !== undefined) {
    const b = Buffer.from(v.B);
    return [b.toString('utf8'), b.toString('latin1'), b.toString('hex'), b.toString('base64')];
  }
  if (v.SS) return v.SS;
  if (v.NS) return v.NS;
  if (v.BS) return v.BS.flatMap((b) => texts({ B: b }));
  if (v.L) return v.L.flatMap(texts);
  if (v.M) return Object.entries(v.M).flatMap(([k, m]) => [k, ...texts(m)]);
  return [];
}

/** Where any canary occurs: `table/pk/attribute: canary`. Empty means none anywhere. */
export function findCanaries(items: readonly RawItem[], canaries: readonly string[]): string[] {
  const forms = canaries.map((c) => ({ c, forms: encodedForms(c) }));
  const hits: string[] = [];
  for (const { table, item } of items) {
    for (const [attr, value] of Object.entries(item)) {
      const all = [attr, ...texts(value)];
      for (const { c, forms: f } of forms) if (all.some((t) => f.some((form) => t.includes(form)))) hits.push(`${table}/${item.pk?.S}/${attr}: ${c}`);
    }
  }
  return hits;
}
