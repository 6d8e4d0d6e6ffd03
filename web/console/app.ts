/**
 * The auditor console: load the exchange's configuration and keys, import the auditor's
 * private key into this page, query the audit log page by page, chart and list the events,
 * and check an event's inclusion proof — all verified here before anything is shown.
 */
import { buildChart } from './chart.ts';
import { call, describeProblem, discover, identity, importKeyFile, UntrustedAnswer, type Answer, type Discovery, type SigningKey } from './exchange.ts';
import { verifyProof, type ProofAnswer } from './proof.ts';
import { byId, el, localToIso, markSelected, renderEvents, say, type AuditEvent } from './view.ts';

/** 20 pages of 500: enough for a console; narrower filters beat an endless scroll. */
const MAX_PAGES = 20;
const PAGE = 500;

type QueryResult = { events: AuditEvent[]; cursor: string | null };

let discovery: Discovery | null = null;
let signingKey: SigningKey | null = null;
let queryRun = 0;
let proofRun = 0;

const $ = {
  exchange: byId('exchange-status'),
  agency: byId<HTMLInputElement>('agency-id'),
  keyFile: byId<HTMLInputElement>('key-file'),
  keyStatus: byId('key-status'),
  form: byId<HTMLFormElement>('query-form'),
  actions: byId<HTMLDataListElement>('action-list'),
  queryStatus: byId('query-status'),
  chart: byId('chart'),
  events: byId<HTMLTableSectionElement>('events-body'),
  proof: byId('proof-result'),
  proofEvent: byId('proof-event'),
};

function field(name: string): string {
  return (($.form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '').trim();
}

function failure(e: unknown): string {
  return e instanceof UntrustedAnswer ? `✗ answer did not verify: ${e.message}. Nothing from it is shown.` : `✗ ${(e as Error).message}`;
}

async function start(): Promise<void> {
  try {
    discovery = await discover();
    $.actions.replaceChildren(...[...discovery.routes.keys()].map((act) => el('option', { value: act })));
    say($.exchange, 'ok', `Exchange ${discovery.exchangeId}: ${discovery.responseKeyIds.length} response key(s), ${discovery.sealKeyIds.length} seal key(s) loaded from its JWKS.`);
  } catch (e) {
    say($.exchange, 'fail', `✗ could not load the exchange configuration: ${(e as Error).message}`);
  }
}

function readKeyFile(): void {
  const file = $.keyFile.files?.[0];
  signingKey = null;
  if (!file) return say($.keyStatus, 'idle', 'No key loaded.');
  const reader = new FileReader();
  reader.onerror = () => say($.keyStatus, 'fail', `✗ could not read ${file.name}`);
  reader.onload = async () => {
    try {
      signingKey = await importKeyFile(String(reader.result));
      say($.keyStatus, 'ok', `✓ key ${signingKey.kid} (${signingKey.alg}) is ready in this page; it signs here and is never sent.`);
    } catch (e) {
      say($.keyStatus, 'fail', `✗ ${(e as Error).message}`);
    }
  };
  reader.readAsText(file);
}

const DAY = 86_400_000;

/**
 * The filters, with the time window made explicit: the exchange binds its cursor to the window,
 * and an open "to" would mean a different "now" on every page.
 */
function queryBody(): Record<string, unknown> {
  const to = localToIso(field('to')) ?? new Date().toISOString();
  const from = localToIso(field('from')) ?? new Date(Date.parse(to) - DAY).toISOString();
  // data-page-size lets the e2e test exercise paging without 500 events; people never see it
  const limit = Math.min(PAGE, Math.max(1, Number($.form.dataset.pageSize) || PAGE));
  const body: Record<string, unknown> = { from, to, limit };
  for (const name of ['actor', 'owner', 'action', 'decision']) if (field(name)) body[name] = field(name);
  return body;
}

async function runQuery(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  const run = ++queryRun;
  if (!discovery) return say($.queryStatus, 'fail', '✗ the exchange configuration is not loaded; reload the page.');
  if (!signingKey) return say($.queryStatus, 'fail', '✗ load your private key file first.');
  try {
    const id = identity($.agency.value.trim(), signingKey);
    const body = queryBody();
    const events: AuditEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      say($.queryStatus, 'pending', `Querying… page ${pages + 1}, ${events.length} events so far`);
      const a: Answer<QueryResult> = await call<QueryResult>(discovery, id, 'audit.query', cursor ? { ...body, cursor } : body);
      if (run !== queryRun) return; // a newer query replaced this one
      if (!a.result) return say($.queryStatus, 'fail', `✗ ${describeProblem(a)}`);
      events.push(...a.result.events);
      cursor = a.result.cursor;
    } while (cursor && ++pages < MAX_PAGES);
    const more = cursor ? ` Showing the first ${events.length}; narrow the filters to see the rest.` : '';
    const denied = events.filter((e) => e.decision === 'deny').length;
    const pageCount = cursor ? MAX_PAGES : pages + 1;
    say($.queryStatus, 'ok', `✓ ${events.length} events (${denied} denied) in ${pageCount} page${pageCount > 1 ? 's' : ''}; every answer was signed by the exchange and verified.${more}`);
    $.chart.replaceChildren(buildChart(events));
    renderEvents($.events, events, (e, row) => void prove(e, row));
  } catch (e) {
    if (run === queryRun) say($.queryStatus, 'fail', failure(e));
  }
}

async function prove(event: AuditEvent, row: HTMLTableRowElement): Promise<void> {
  const run = ++proofRun;
  markSelected($.events, row);
  $.proofEvent.textContent = JSON.stringify(event, null, 2);
  if (!discovery || !signingKey) return say($.proof, 'fail', '✗ load your key first.');
  say($.proof, 'pending', `Fetching and checking the proof of ${event.id}…`);
  try {
    const a = await call<ProofAnswer>(discovery, identity($.agency.value.trim(), signingKey), 'audit.proof', { eventId: event.id });
    if (run !== proofRun) return;
    if (a.status === 404) {
      return say($.proof, 'unsealed', '… not sealed yet: this event is in no seal so far (seals are made every minute); try again shortly.',
        el('span', { class: 'detail' }, `The exchange answered ${describeProblem(a)}`));
    }
    if (!a.result) return say($.proof, 'fail', `✗ ${describeProblem(a)}`);
    const v = await verifyProof(a.result, event, discovery);
    if (run !== proofRun) return;
    if (!v.ok) return say($.proof, 'fail', `✗ proof failed: ${v.reason}`);
    const when = v.sealedAt && !Number.isNaN(Date.parse(v.sealedAt)) ? `, sealed ${new Date(v.sealedAt).toLocaleString()}` : '';
    say($.proof, 'ok', `✓ proof verified: event in seal ${v.seq} at leaf ${v.leafIndex} of ${v.count}${when}`,
      el('span', { class: 'detail' }, `Checked in this browser: the leaf hash recomputed from the event (JCS, SHA-256), the ${a.result.path.length}-step RFC 9162 path up to the seal's root, and the seal's signature under a published seal key.`));
  } catch (e) {
    if (run === proofRun) say($.proof, 'fail', failure(e));
  }
}

$.keyFile.addEventListener('change', readKeyFile);
$.form.addEventListener('submit', (ev) => void runQuery(ev));
void start();
