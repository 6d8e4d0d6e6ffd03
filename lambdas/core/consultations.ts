/**
 * No-undercut consultations as stored (protocol.md §5 consultation.open): one record per side in the documents
 * table, `CONSULTS#<agency>` / `<consultationId>`, so each side lists its own with one Query and neither reads
 * the other's partition. Both records change together, each conditioned on its own version. Ids, the two
 * agencies, the denial, state, dates and counts are clear; the summary and the answers (free text) are one
 * envelope per record under the holder's data key (type `consultation`).
 */
import { randomBytes } from 'node:crypto';
import { fieldAad } from './documents.ts';
import type { CipherScope, PayloadCipher } from './payload-cipher.ts';
import type { Store, StoredRecord, Write } from './ports.ts';
import { addWorkingDays } from './working-days.ts';

/** Working days (Monday to Friday, UTC) the consulted authority has to answer, and once extended. */
export const DEADLINE_WORKING_DAYS = 10;
export const EXTENDED_WORKING_DAYS = 30;
/** Answers one consultation holds (information answers before a final one). */
export const MAX_ANSWERS = 20;

export type Side = 'requester' | 'consulted';
export type StoredState = 'open' | 'maintained' | 'withdrawn';
export type AnswerKind = 'maintained' | 'withdrawn' | 'information';

export interface Answer { answer: AnswerKind; text: string; at: string; extended?: true }
export interface Thread { summary: string; answers: Answer[] }

export interface Consultation {
  consultationId: string;
  requester: string;
  consulted: string;
  denialId: string;
  denialVersion: number;
  state: StoredState;
  openedAt: string;
  deadline: string;
  extended: boolean;
}

export interface ConsultationRecord { c: Consultation; side: Side; ver: number; sk: string; attrs: StoredRecord['attrs'] }

export const consultsPk = (agency: string): string => `CONSULTS#${agency}`;
export const CONSULTATION_PREFIX = 'C-';
const scope = (holder: string): CipherScope => ({ owner: holder, type: 'consultation' });
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `C-<opening instant, compact>-<8 random>`: records of a partition sort by opening time. */
export function newConsultationId(nowMs: number): string {
  const t = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${CONSULTATION_PREFIX}${t}-${[...randomBytes(8)].map((b) => BASE32[b & 31]).join('')}`;
}

export function deadlineOf(openedAt: string, extended: boolean): string {
  return addWorkingDays(openedAt.slice(0, 10), extended ? EXTENDED_WORKING_DAYS : DEADLINE_WORKING_DAYS);
}

/** The state either side sees: an open consultation past its deadline has lapsed. */
export function stateOn(c: Pick<Consultation, 'state' | 'deadline'>, today: string): StoredState | 'lapsed' {
  return c.state === 'open' && today > c.deadline ? 'lapsed' : c.state;
}

function fromRecord(rec: StoredRecord): ConsultationRecord {
  const a = rec.attrs;
  const c: Consultation = {
    consultationId: String(a.consultationId), requester: String(a.requester), consulted: String(a.consulted),
    denialId: String(a.denialId), denialVersion: Number(a.denialVersion), state: a.state as StoredState,
    openedAt: String(a.openedAt), deadline: String(a.deadline), extended: a.extended === true,
  };
  return { c, side: a.side as Side, ver: Number(a.ver), sk: rec.sk!, attrs: a };
}

/** The caller's own record of a consultation, or null. */
export async function getConsultation(store: Store, holder: string, consultationId: string): Promise<ConsultationRecord | null> {
  const rec = await store.get('documents', consultsPk(holder), consultationId);
  return rec ? fromRecord(rec) : null;
}

/** Up to `limit` of the holder's records after `after`, oldest first. */
export async function listConsultations(store: Store, holder: string, after: string | undefined, limit: number): Promise<ConsultationRecord[]> {
  const recs = await store.queryPage('documents', { pk: consultsPk(holder), skPrefix: CONSULTATION_PREFIX, ...(after ? { after } : {}), limit });
  return recs.map(fromRecord);
}

export async function readThread(cipher: PayloadCipher, holder: string, rec: ConsultationRecord): Promise<Thread> {
  const blob = rec.attrs.thread;
  if (!(blob instanceof Uint8Array)) throw new Error('consultation record without its thread');
  return JSON.parse((await cipher.decrypt(blob, scope(holder), fieldAad(consultsPk(holder), rec.sk, 'thread'))).toString('utf8')) as Thread;
}

/** The put of one side's record (`previousVer` null: it must not exist yet). */
export async function consultationWrite(cipher: PayloadCipher, holder: string, side: Side, c: Consultation, thread: Thread, previousVer: number | null): Promise<Write> {
  const pk = consultsPk(holder);
  const sk = c.consultationId;
  const attrs: Record<string, StoredRecord['attrs'][string]> = {
    ...c, side, answers: thread.answers.length, ver: previousVer === null ? 1 : previousVer + 1,
    thread: await cipher.encrypt(JSON.stringify(thread), scope(holder), fieldAad(pk, sk, 'thread')),
  };
  return { op: 'put', record: { table: 'documents', pk, sk, attrs }, condition: previousVer === null ? { kind: 'absent' } : { kind: 'version', equals: previousVer } };
}

/** A consultation as its result schema gives it (schemas/consultation.schema.json). */
export function consultationView(c: Consultation, side: Side, thread: Thread, today: string): Record<string, unknown> {
  return { ...c, side, state: stateOn(c, today), summary: thread.summary, answers: thread.answers };
}
