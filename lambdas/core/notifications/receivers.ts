/**
 * Who a notification is addressed to, from the agreements as they stand when it is fanned out (protocol.md §10):
 * an agency without the agreement receives nothing. Read from the registry (an owner's partition, and the
 * `inverted` index for agreements an agency received); never from a cache, so a withdrawn agreement stops
 * notifications at once.
 */
import { agencyPk } from '../agencies.ts';
import { agreementFromRecord, GRANT_PREFIX, type Agreement, type DocumentType, type Permission } from '../agreements.ts';
import { grants } from '../policy.ts';
import type { Store } from '../ports.ts';
import type { Notice } from './types.ts';

/** One receiver: `reader` when it may read the subject's content (the owner, or a partner holding `read`). */
export interface Audience { readonly agencyId: string; readonly reader: boolean }

/** What audiences are computed from: the registry. */
export type AgreementReader = Pick<Store, 'query' | 'queryIndex'>;

/**
 * Every agreement type: the `inverted` index is partitioned by type, so each is one Query. A type listed here that
 * has no agreements costs one empty Query; one missing here would hide its agreements from agency.key — add new
 * DocumentTypes here (denial agreements of the denials work are listed already).
 */
const AGREEMENT_TYPES = ['license', 'euc', 'psv', 'denial'] as readonly string[] as readonly DocumentType[];

/** Grants something today: some permission, not past validUntil. */
function inForce(a: Agreement, today: string): boolean {
  return a.permissions.length > 0 && (!a.validUntil || today <= a.validUntil);
}

function unique(list: Audience[]): Audience[] {
  const by = new Map<string, Audience>();
  for (const a of list) by.set(a.agencyId, { agencyId: a.agencyId, reader: a.reader || !!by.get(a.agencyId)?.reader });
  return [...by.values()];
}

/** Agreements `owner` gave on its documents of `type` (every type when omitted). */
async function given(store: AgreementReader, owner: string, type?: DocumentType): Promise<Agreement[]> {
  const recs = await store.query('registry', agencyPk(owner), type ? `${GRANT_PREFIX}${type}#` : GRANT_PREFIX);
  return recs.map(agreementFromRecord);
}

/** Agreements `partner` received, of every type (the registry's `inverted` index; a moment behind the table). */
async function received(store: AgreementReader, partner: string): Promise<Agreement[]> {
  const out: Agreement[] = [];
  for (const type of AGREEMENT_TYPES) {
    let next: string | undefined;
    do {
      const page = await store.queryIndex('registry', { index: 'inverted', partition: `${GRANT_PREFIX}${type}#${partner}`, limit: 500, ...(next ? { next } : {}) });
      out.push(...page.records.map(agreementFromRecord));
      next = page.next;
    } while (next);
  }
  return out;
}

/** Partners holding an agreement of `type` from the owner (with `need`, when given). */
export function partners(type: DocumentType, need?: Permission) {
  return async (store: AgreementReader, notice: Notice, today: string): Promise<Audience[]> =>
    (await given(store, notice.owner, type))
      .filter((a) => inForce(a, today) && (!need || grants(a, need, today)))
      .map((a) => ({ agencyId: a.partner, reader: grants(a, 'read', today) }));
}

/** The owner itself (the issuer of a license: its drawdowns). */
export async function theIssuer(_store: AgreementReader, notice: Notice): Promise<Audience[]> {
  return [{ agencyId: notice.owner, reader: true }];
}

/**
 * The other side of a case, named by the action (`to`): the checking agency of a psv case, the consulted authority.
 * The case's own access rule (the psv agreement, the denial agreement) was checked when the case was opened.
 */
export async function named(_store: AgreementReader, notice: Notice): Promise<Audience[]> {
  return unique((notice.to ?? []).filter((a) => a !== notice.owner).map((agencyId) => ({ agencyId, reader: true })));
}

/** The owner, and whoever `more` adds. */
export function issuerAnd(more: (store: AgreementReader, notice: Notice, today: string) => Promise<Audience[]>) {
  return async (store: AgreementReader, notice: Notice, today: string): Promise<Audience[]> =>
    unique([{ agencyId: notice.owner, reader: true }, ...(await more(store, notice, today))]);
}

/** Every agency with an agreement with the key's agency, in either direction: they verify its signatures or it theirs. */
export async function keyCounterparts(store: AgreementReader, notice: Notice, today: string): Promise<Audience[]> {
  const out = (await given(store, notice.owner)).filter((a) => inForce(a, today)).map((a) => ({ agencyId: a.partner, reader: false }));
  for (const a of await received(store, notice.owner)) if (inForce(a, today)) out.push({ agencyId: a.owner, reader: false });
  return unique(out.filter((a) => a.agencyId !== notice.owner));
}
