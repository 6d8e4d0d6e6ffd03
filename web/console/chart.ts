/**
 * Calls and denials over time as a plain inline SVG bar chart: no chart library (nothing to
 * vet, nothing loaded from elsewhere under the console's CSP). Colours come from style.css
 * classes because the CSP allows no inline styles.
 */
const SVG = 'http://www.w3.org/2000/svg';
const MINUTE = 60_000;
/** Bucket widths tried in order; the first giving at most MAX_BUCKETS buckets wins. */
const BUCKETS = [1, 5, 15, 60, 360, 1440].map((m) => m * MINUTE);
const MAX_BUCKETS = 60;
const MIN_BUCKETS = 12;
const W = 720;
const H = 240;
const M = { left: 48, right: 12, top: 30, bottom: 40 };

export interface ChartEvent { ts: string; decision: string }

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** 1, 2 or 5 × 10^k, so that max fits in about four steps. */
function niceStep(max: number): number {
  const raw = Math.max(1, max / 4);
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

function label(t: number, size: number): string {
  const d = new Date(t);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return size >= 1440 * MINUTE ? d.toLocaleDateString() : size >= 360 * MINUTE ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}

export function buildChart(events: readonly ChartEvent[]): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', 'data-testid': 'chart-svg', class: 'chart' });
  const times = events.map((e) => Date.parse(e.ts)).filter(Number.isFinite);
  if (times.length === 0) {
    root.append(svg('title', { id: 'chart-title' }, 'Calls and denials over time'), svg('desc', { id: 'chart-desc' }, 'No events to chart.'));
    root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis-label' }, 'no events'));
    return root;
  }
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const size = BUCKETS.find((b) => Math.floor(hi / b) - Math.floor(lo / b) + 1 <= MAX_BUCKETS) ?? BUCKETS.at(-1)!;
  // a burst within a few minutes still gets a time axis around it: at least MIN_BUCKETS, data centred
  const span = Math.floor(hi / size) - Math.floor(lo / size) + 1;
  const n = Math.max(span, MIN_BUCKETS);
  const start = (Math.floor(lo / size) - Math.floor((n - span) / 2)) * size;
  const calls = new Array<number>(n).fill(0);
  const denials = new Array<number>(n).fill(0);
  for (const e of events) {
    const t = Date.parse(e.ts);
    if (!Number.isFinite(t)) continue;
    const b = Math.floor((t - start) / size);
    calls[b]! += 1;
    if (e.decision === 'deny') denials[b]! += 1;
  }

  const step = niceStep(Math.max(...calls));
  const top = Math.ceil(Math.max(...calls) / step) * step;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const y = (v: number): number => M.top + plotH - (v / top) * plotH;
  const slot = plotW / n;
  const bar = Math.min(28, (slot * 0.8) / 2);
  const minutes = size / MINUTE;
  const totalDenied = denials.reduce((a, b) => a + b, 0);

  root.append(
    svg('title', { id: 'chart-title' }, 'Calls and denials over time'),
    svg('desc', { id: 'chart-desc' }, `${times.length} calls, ${totalDenied} denied, in ${minutes}-minute buckets from ${new Date(start).toLocaleString()}.`),
  );
  for (let v = 0; v <= top; v += step) {
    root.append(svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grid' }));
    root.append(svg('text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)));
  }
  const every = Math.ceil(n / 8);
  for (let b = 0; b < n; b++) {
    const x = M.left + b * slot + slot / 2;
    const t = start + b * size;
    const tip = `${label(t, size)}: ${calls[b]} calls, ${denials[b]} denied`;
    const g = svg('g', {});
    g.append(svg('title', {}, tip));
    g.append(svg('rect', { x: x - bar, y: y(calls[b]!), width: bar, height: y(0) - y(calls[b]!), class: 'bar-calls' }));
    g.append(svg('rect', { x, y: y(denials[b]!), width: bar, height: y(0) - y(denials[b]!), class: 'bar-denials' }));
    root.append(g);
    if (b % every === 0) root.append(svg('text', { x, y: H - M.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, label(t, size)));
  }
  root.append(svg('line', { x1: M.left, x2: W - M.right, y1: y(0), y2: y(0), class: 'axis' }));
  root.append(svg('line', { x1: M.left, x2: M.left, y1: M.top, y2: y(0), class: 'axis' }));
  root.append(svg('text', { x: M.left + plotW / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, `time (local), ${minutes}-minute buckets`));
  root.append(svg('text', { x: 14, y: M.top + plotH / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${M.top + plotH / 2})` }, 'events'));
  const legend = svg('g', { class: 'legend' });
  legend.append(svg('rect', { x: M.left, y: 8, width: 12, height: 12, class: 'bar-calls' }), svg('text', { x: M.left + 18, y: 18 }, 'calls'));
  legend.append(svg('rect', { x: M.left + 80, y: 8, width: 12, height: 12, class: 'bar-denials' }), svg('text', { x: M.left + 98, y: 18 }, 'denials'));
  root.append(legend);
  return root;
}
