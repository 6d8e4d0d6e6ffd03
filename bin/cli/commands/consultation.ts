/** `corridor consultation open | answer | list`: the no-undercut consultation on a partner's denial. */
import type { Consultation, ConsultationListResult } from '../../../lambdas/client/types.generated.ts';
import { client, parse, str, UsageError } from '../context.ts';
import { show } from '../output.ts';
import { PAGE_OPTIONS, pages } from '../pages.ts';

export const openHelp = `corridor consultation open --as REQUESTER --issuer AUTHORITY --denial ID --summary TEXT
  Before granting an essentially identical transaction, consult the authority that denied it (you need screen or
  read on its denials). It has 10 working days to answer (extendable once to 30); silence counts as no objection.
  Example: corridor consultation open --as FR-SBDU --issuer DE-BAFA --denial DE-DEN-2026-0042 --summary "40 thermal cameras for Pars Optronic via Dubai"`;

export const answerHelp = `corridor consultation answer --as AUTHORITY --consultation ID --answer maintained|withdrawn|information --text TEXT [--extend]
  The consulted authority answers: maintained (the denial stands), withdrawn (also revokes the denial), or
  information (the consultation stays open; --extend moves the deadline to 30 working days, once).
  Example: corridor consultation answer --as DE-BAFA --consultation C-20261122T100000Z-ABCDEFGH --answer maintained --text "the concern stands"`;

export const listHelp = `corridor consultation list --as AGENCY [--limit N] [--cursor CURSOR] [--json]
  Your consultations, those you opened and those you are consulted on, oldest first, with state (open, maintained,
  withdrawn, lapsed), deadline and answers. Follows the exchange's pages (--limit per page, 1–100, default 50).
  Example: corridor consultation list --as DE-BAFA`;

const ANSWERS = ['maintained', 'withdrawn', 'information'] as const;

function lines(c: Consultation): string[] {
  const other = c.side === 'requester' ? `asked ${c.consulted}` : `asked by ${c.requester}`;
  return [
    `consultation ${c.consultationId} (${other}) on denial ${c.consulted}/${c.denialId} v${c.denialVersion}: ${c.state.toUpperCase()}, deadline ${c.deadline}${c.extended ? ' (extended)' : ''}`,
    `  summary: ${c.summary}`,
    ...c.answers.map((a) => `  ${a.at} ${a.answer}${a.extended ? ' (deadline extended)' : ''}: ${a.text}`),
  ];
}

export async function open(argv: string[]): Promise<number> {
  const v = parse(argv, { issuer: { type: 'string' }, denial: { type: 'string' }, summary: { type: 'string' } }, ['issuer', 'denial', 'summary', 'as']);
  const body = { issuer: str(v, 'issuer')!, denialId: str(v, 'denial')!, summary: str(v, 'summary')! };
  return show(await (await client(v)).call('consultation.open', body), !!v.json, (r) => lines(r.consultation));
}

export async function answer(argv: string[]): Promise<number> {
  const v = parse(argv, { consultation: { type: 'string' }, answer: { type: 'string' }, text: { type: 'string' }, extend: { type: 'boolean', default: false } }, ['consultation', 'answer', 'text', 'as']);
  const kind = str(v, 'answer') as (typeof ANSWERS)[number];
  if (!ANSWERS.includes(kind)) throw new UsageError(`--answer must be one of ${ANSWERS.join(', ')}`);
  if (v.extend && kind !== 'information') throw new UsageError('--extend goes with --answer information');
  const body = { consultationId: str(v, 'consultation')!, answer: kind, text: str(v, 'text')!, ...(v.extend ? { extend: true as const } : {}) };
  return show(await (await client(v)).call('consultation.answer', body), !!v.json, (r) => [
    ...lines(r.consultation),
    ...(r.denialRevoked ? [`  denial ${r.consultation.denialId} revoked`] : []),
  ]);
}

export async function list(argv: string[]): Promise<number> {
  const v = parse(argv, PAGE_OPTIONS, ['as']);
  const limit = v.limit === undefined ? undefined : Number(v.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) throw new UsageError('--limit must be an integer from 1 to 100');
  const c = await client(v);
  const { answer: a, extra } = await pages<ConsultationListResult, 'consultations'>((cursor) => c.call('consultation.list', { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) }), 'consultations', 'consultation', str(v, 'cursor', false));
  return show(a, !!v.json, (r) => [
    `${r.consultations.length} consultation(s)`,
    ...r.consultations.flatMap(lines),
    ...(r.cursor ? [`  more: --cursor ${r.cursor}`] : []),
  ], extra);
}
