/**
 * DOM helpers and the events table. Every value from the exchange goes in as text, never as
 * markup: `claimedIssuer` is whatever an unauthenticated caller put in `iss`.
 */
export interface AuditEvent extends Record<string, unknown> {
  id: string;
  ts: string;
  actor?: string;
  claimedIssuer?: string;
  action?: string;
  resource?: string;
  owner?: string;
  decision: 'allow' | 'deny';
  status: number;
  code?: string;
}

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

export type State = 'idle' | 'pending' | 'ok' | 'fail' | 'unsealed';

/** A status line: its text, and a data-state the stylesheet (and the tests) key on. */
export function say(target: HTMLElement, state: State, text: string, ...more: Child[]): void {
  target.dataset.state = state;
  target.replaceChildren(text, ...more);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local time as 2026-11-22 10:05:09: unambiguous, sortable, and the chart's clock; the exact UTC value on hover. */
function when(ts: string): HTMLTimeElement {
  const d = new Date(ts);
  const shown = Number.isNaN(d.getTime()) ? ts : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return el('time', { datetime: ts, title: ts }, shown);
}

function who(e: AuditEvent): Child {
  if (e.actor) return e.actor;
  if (e.claimedIssuer) return el('span', { class: 'unverified', title: 'signature did not verify: this is only what the caller claimed' }, `${e.claimedIssuer} (claimed)`);
  return el('span', { class: 'muted' }, '—');
}

/** One row per event; activating a row (click, Enter, Space, or its button) asks for its proof. */
export function renderEvents(body: HTMLTableSectionElement, events: readonly AuditEvent[], onSelect: (e: AuditEvent, row: HTMLTableRowElement) => void): void {
  const rows = events.map((e) => {
    const button = el('button', { type: 'button', class: 'prove', 'aria-label': `Verify the inclusion proof of event ${e.id}` }, 'Verify');
    const row = el(
      'tr',
      { 'data-testid': 'event-row', 'data-event-id': e.id, 'data-decision': e.decision },
      el('td', {}, when(e.ts)),
      el('td', {}, who(e)),
      el('td', {}, e.action ?? '—'),
      el('td', { class: 'resource', title: e.resource ?? '' }, e.resource ?? '—'),
      el('td', {}, e.owner ?? '—'),
      el('td', {}, el('span', { class: `badge ${e.decision}` }, e.decision)),
      el('td', {}, String(e.status), ...(e.code ? [' ', el('span', { class: 'muted' }, e.code)] : [])),
      el('td', {}, button),
    );
    row.addEventListener('click', () => onSelect(e, row));
    return row;
  });
  body.replaceChildren(...rows);
}

export function markSelected(body: HTMLTableSectionElement, row: HTMLTableRowElement): void {
  for (const r of body.querySelectorAll('tr[aria-current]')) r.removeAttribute('aria-current');
  row.setAttribute('aria-current', 'true');
}

/** datetime-local value (the browser's local time) → RFC 3339 UTC, or undefined when empty. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
