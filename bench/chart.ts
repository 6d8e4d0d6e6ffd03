/**
 * The latency distribution as a standalone SVG: one cumulative curve per series on a log time axis,
 * with p50/p95/p99 listed in the legend. No dependencies; the file opens in any browser.
 */
export interface Series { name: string; ms: number[]; color: string }

const W = 760;
const H = 360;
const M = { left: 60, right: 20, top: 40, bottom: 50 };

export function percentile(ms: number[], q: number): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function latencyChart(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.ms).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const x = (v: number): number => M.left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - M.left - M.right);
  const y = (f: number): number => H - M.bottom - f * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img" aria-label="${esc(title)}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15">${esc(title)}</text>`,
  ];
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${x(d)}" x2="${x(d)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#ddd"/>`, `<text x="${x(d)}" y="${H - M.bottom + 16}" text-anchor="middle">${d >= 1 ? d : d.toPrecision(1)} ms</text>`);
  }
  for (const f of [0, 0.5, 0.95, 1]) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(f)}" y2="${y(f)}" stroke="#ddd"/>`, `<text x="${M.left - 6}" y="${y(f) + 4}" text-anchor="end">${f * 100}%</text>`);
  }
  out.push(`<text x="${(W + M.left) / 2}" y="${H - 12}" text-anchor="middle">latency (log scale)</text>`);
  series.forEach((s, i) => {
    const sorted = [...s.ms].sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const pts = sorted.flatMap((v, k) => (k % step === 0 || k === sorted.length - 1 ? [`${x(v).toFixed(1)},${y((k + 1) / sorted.length).toFixed(1)}`] : []));
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    const label = `${s.name}: n=${s.ms.length}, p50 ${percentile(s.ms, 0.5).toFixed(2)} ms, p95 ${percentile(s.ms, 0.95).toFixed(2)} ms, p99 ${percentile(s.ms, 0.99).toFixed(2)} ms`;
    out.push(`<rect x="${M.left + 10}" y="${M.top + 8 + i * 18}" width="12" height="4" fill="${s.color}"/>`, `<text x="${M.left + 28}" y="${M.top + 14 + i * 18}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
