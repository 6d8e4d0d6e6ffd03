/**
 * `npm run bench`: every performance and cost metric of docs/performance.md, each against a baseline
 * measured in the same run. Prints one table (metric, ours, baseline, ratio, target, pass/fail),
 * writes bench/results.json and bench/latency.svg. A benchmark, not a test: it never fails
 * `npm test` and its exit code is 0 whatever it measures (1 only if it could not run).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorMissingError, MOTO_MISSING } from '../lambdas/local/emulator.ts';
import { PROJECT_ROOT } from '../lib/constructs/handler-function.ts';
import { latencyChart, percentile } from './chart.ts';
import { coldStart } from './cold-start.ts';
import { DEFAULT_METRICS_DETAIL, METRICS_DETAILS, type MetricsDetail } from '../lambdas/config.ts';
import { ASSUMPTIONS, monthlyFloor, perMillion, PRICES, telemetryLogBytes, xrayTracedFraction } from './cost.ts';
import { motoBench, type PhaseResult } from './moto.ts';
import { itemSize } from './capacity.ts';
import { screeningBench } from './screening.ts';
import { notificationBench, notificationCost, NOTIFY_ASSUMPTIONS, type NotificationBench, type NotifyCostLine } from './notifications.ts';
import { regexAdversarial, validationLinearity } from './validation-regex.ts';
import { warmCost } from './warm-cost.ts';

interface Row { metric: string; ours: number | string; baseline: number | string; ratio: number | string; target: string; pass: boolean | null }

const rows: Row[] = [];
const row = (metric: string, ours: number | string, baseline: number | string, ratio: number | string, target: string, pass: boolean | null): void => {
  rows.push({ metric, ours, baseline, ratio, target, pass });
};
const r2 = (v: number): number => Math.round(v * 100) / 100;
const sum = (o: Record<string, number>): number => Object.values(o).reduce((s, v) => s + v, 0);
const step = (what: string): void => console.error(`bench: ${what}…`);

const quick = process.argv.includes('--quick');
/**
 * `--only warm,cold` (or `--only=warm`) runs just those sections of warm, cold, moto, cost, validation, screening, prints
 * their rows and writes no file: a partial run never replaces the last full one. `cost` implies warm, cold, moto.
 */
const SECTIONS = ['warm', 'cold', 'moto', 'cost', 'validation', 'screening', 'notifications'] as const;
type Section = (typeof SECTIONS)[number];
const onlyAt = process.argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
const only = onlyAt < 0 ? null : new Set((process.argv[onlyAt]!.startsWith('--only=') ? process.argv[onlyAt]!.slice('--only='.length) : (process.argv[onlyAt + 1] ?? '')).split(',').map((x) => x.trim()).filter(Boolean));
for (const x of only ?? []) if (!(SECTIONS as readonly string[]).includes(x)) throw new Error(`--only: unknown section '${x}' (one of ${SECTIONS.join(', ')})`);
const runs = (section: Section): boolean => !only || only.has(section) || (only.has('cost') && ['warm', 'cold', 'moto'].includes(section));

let warm!: Awaited<ReturnType<typeof warmCost>>;
let cold!: Awaited<ReturnType<typeof coldStart>>;
let moto!: Awaited<ReturnType<typeof motoBench>>;
let lin!: ReturnType<typeof validationLinearity>;
let regex!: ReturnType<typeof regexAdversarial>;
let screening: ReturnType<typeof screeningBench> | undefined;
let notifications: (Omit<NotificationBench, 'delaysMs'> & { delayMs: Record<string, number>; cost: NotifyCostLine[]; usdPerMillion: number; assumptions: typeof NOTIFY_ASSUMPTIONS }) | undefined;
let verifyCost!: ReturnType<typeof perMillion>;
let drawdownCost!: ReturnType<typeof perMillion>;
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
let templates: Record<MetricsDetail, Template>;
let floors: ReturnType<typeof monthlyFloor>[] = [];
let logBytes = 0;
let templateSource = 'synthesized (test/infra/synth.ts)';
const per = (p: PhaseResult, k: 'dynamodb' | 'kms'): number => sum(p.calls[k]) / p.n;

if (runs('warm')) {
  step('warm request cost (in-process, memory adapters)');
  warm = await warmCost(quick ? 6 : 20, quick ? 40 : 60);
  row('warm CPU per license.verify, µs (baseline: crypto floor)', r2(warm.cpuUsPerVerify), r2(warm.floorCpuUsPerVerify), r2(warm.ratio), '≤ 1.3×', warm.ratio <= 1.3);
  row('warm wall time per license.verify, µs (what Lambda bills)', r2(warm.wallUsPerVerify), r2(warm.floorWallUsPerVerify), r2(warm.wallRatio), 'info', null);
}

if (runs('cold')) {
  step('cold start (esbuild bundles as CDK builds them)');
  cold = await coldStart(quick ? 3 : 11);
  for (const b of cold.bundles) {
    const maps = b.sourceMaps ? ', --enable-source-maps' : '';
    row(`cold init ${b.name}, ms (${(b.bytes / 1024).toFixed(0)} KB; baseline ${(cold.baselineBytes / 1024).toFixed(0)} KB${maps})`, r2(b.initMs), r2(b.sourceMaps ? cold.baselineSourceMapsMs : cold.baselineMs), r2(b.ratio), '≤ 1.15×', b.ratio <= 1.15);
  }
  // What the API functions would pay with --enable-source-maps, as deployed until issue 16 (lib/constructs/handler-function.ts nodeOptions).
  const api = cold.bundles.filter((b) => b.name !== 'console' && !b.sourceMaps);
  const worstMapped = api.reduce((a, b) => (b.otherRatio > a.otherRatio ? b : a));
  row(`cold init with --enable-source-maps, worst API bundle (${worstMapped.name}), ms`, r2(worstMapped.otherMs), r2(cold.baselineSourceMapsMs), r2(worstMapped.otherRatio), 'info (not deployed)', null);
  const sdk = cold.sdkTracing;
  row(`cold init ${sdk.name} (corridor:tracing=sdk: X-Ray SDK subsegments), ms (${(sdk.bytes / 1024).toFixed(0)} KB)`, r2(sdk.initMs), r2(cold.baselineMs), r2(sdk.ratio), 'info (opt-in)', null);
  row(`cold init reference: baseline with the functions' environment-only credential chain, ms (${(cold.trimmedBaselineBytes / 1024).toFixed(0)} KB)`, r2(cold.trimmedBaselineMs), r2(cold.baselineMs), r2(cold.trimmedBaselineMs / cold.baselineMs), 'info', null);
  const worstApi = cold.bundles.filter((b) => b.name !== 'console' && !b.sourceMaps).reduce((w, b) => (b.initMs > w.initMs ? b : w));
  row(`cold init worst API bundle (${worstApi.name}) over that trimmed baseline`, r2(worstApi.initMs), r2(cold.trimmedBaselineMs), r2(worstApi.initMs / cold.trimmedBaselineMs), 'info', null);
  row(`cold init reference: baseline + Powertools Logger and Metrics (what every function holds), ms (${(cold.powertoolsBytes / 1024).toFixed(0)} KB)`, r2(cold.powertoolsMs), r2(cold.baselineMs), r2(cold.powertoolsMs / cold.baselineMs), 'info', null);
  row('Ajv schema compiler in any API bundle', cold.bundles.some((b) => b.hasAjvCompiler) ? 'yes' : 'no', '—', '—', 'no', !cold.bundles.some((b) => b.hasAjvCompiler));
}

if (runs('moto')) {
  step('calls, capacity and throughput against moto');
  moto = await motoBench(quick ? 200 : 1000, quick ? 60 : 200).catch((e: unknown) => {
    // Counting calls needs a real emulator: without moto_server there is nothing honest to report.
    if (e instanceof EmulatorMissingError) {
      console.error(`bench: ${MOTO_MISSING}`);
      process.exit(1);
    }
    throw e;
  });
  row('DynamoDB requests per verification', r2(per(moto.verify, 'dynamodb')), '—', '—', '≤ 2', per(moto.verify, 'dynamodb') <= 2);
  row('KMS calls per 1,000 verifications (warm)', r2(per(moto.verify, 'kms') * 1000), '—', '—', '≤ 1', per(moto.verify, 'kms') * 1000 <= 1);
  row('KMS calls per response', 0, '—', '—', '0 (signed in process)', per(moto.verify, 'kms') === 0);
  row('cold process, first verification: DynamoDB / KMS calls', `${sum(moto.coldFirstVerify.dynamodb)} / ${sum(moto.coldFirstVerify.kms)}`, '—', '—', 'info', null);
  row('verifications/s on moto (8 in flight)', r2(moto.verify.perSecond), '—', '—', 'info', null);
  row(`drawdowns/s, one license, 8 in flight (${moto.drawdown.statuses['503'] ?? 0} × 503 of ${moto.drawdown.n})`, r2((moto.drawdown.statuses['201'] ?? 0) / moto.drawdown.seconds), r2(moto.drawdownUncontended.perSecond), r2((moto.drawdown.statuses['201'] ?? 0) / moto.drawdown.seconds / moto.drawdownUncontended.perSecond), 'info (baseline: one at a time)', null);
  row('DynamoDB requests per drawdown (one at a time / contended)', r2(per(moto.drawdownUncontended, 'dynamodb')), r2(per(moto.drawdown, 'dynamodb')), '—', 'info', null);
  row('sealing from the stream: events/s, writes to events', `${r2(moto.seal.events / moto.seal.seconds)} ev/s, ${moto.seal.calls.dynamodb.BatchWriteItemCommand ?? 0} batch writes`, '—', '—', '0 (an event is never rewritten)', (moto.seal.calls.dynamodb.BatchWriteItemCommand ?? 0) === 0);
}

if (runs('cost')) {
  step('cost');
  const sealWru = moto.seal.calls.capacity.wru / Math.max(1, moto.seal.events);
  const sealRru = moto.seal.calls.capacity.rru / Math.max(1, moto.seal.events);
  // Index WRU per request of a phase, plus each event's share of sealing.
  const indexShare = (phase: Record<string, number>, n: number): Record<string, number> => Object.fromEntries(
    [...new Set([...Object.keys(phase), ...Object.keys(moto.seal.calls.capacity.indexWru)])]
      .map((k) => [k, (phase[k] ?? 0) / n + (moto.seal.calls.capacity.indexWru[k] ?? 0) / Math.max(1, moto.seal.events)]));
  logBytes = telemetryLogBytes();
  const initMs = cold.bundles.find((b) => b.name === 'licenses')!.initMs;
  verifyCost = perMillion({ rru: moto.verify.calls.capacity.rru / moto.verify.n + sealRru, wru: moto.verify.calls.capacity.wru / moto.verify.n + sealWru, indexWru: indexShare(moto.verify.calls.capacity.indexWru, moto.verify.n), dynamodbCalls: per(moto.verify, 'dynamodb'), kmsCalls: per(moto.verify, 'kms'), cpuMs: warm.cpuUsPerVerify / 1000, initMs }, logBytes);
  const d = moto.drawdownUncontended;
  drawdownCost = perMillion({ rru: d.calls.capacity.rru / d.n + sealRru, wru: d.calls.capacity.wru / d.n + sealWru, indexWru: indexShare(d.calls.capacity.indexWru, d.n), dynamodbCalls: per(d, 'dynamodb'), kmsCalls: per(d, 'kms'), cpuMs: warm.cpuUsPerVerify / 1000, initMs }, logBytes);
  const vIndex = indexShare(moto.verify.calls.capacity.indexWru, moto.verify.n);
  row(`DynamoDB WRU per verification, sealing included (of which indexes: ${Object.entries(vIndex).map(([k, v]) => `${k} ${r2(v)}`).join(', ')})`,
    r2(moto.verify.calls.capacity.wru / moto.verify.n + sealWru), '—', '—', 'info', null);
  // Why `byTime` is kept (issue 16): audit.query by time without it needs time-ordered keys in the base table, and then
  // the event can no longer be the jti guard (its key is the (iss, jti) hash): an accepted call would write a guard
  // item of its own, kept until exp + 60. Both computed by DynamoDB's rule (1 WRU per KB, at least 1) from real sizes.
  const guard = { pk: { S: `JTI#${'A'.repeat(43)}` }, expiresAt: { N: String(Math.floor(Date.now() / 1000) + 420) } };
  const guardWru = Math.max(1, Math.ceil(itemSize(guard) / 1024));
  row('byTime entry per event vs the replay-guard item time-ordered keys would need per accepted call, WRU',
    `${r2(vIndex.byTime ?? 0)} vs ${guardWru} (guard ${itemSize(guard)} B)`, '—', '—', 'info: no saving for accepted calls', null);
  for (const [front, usd] of Object.entries(verifyCost.fronts)) {
    const deployed = front.startsWith('HTTP API');
    row(`$ per million verifications, ${front}`, r2(usd), '—', '—', deployed ? '≤ $2.00' : 'info', deployed ? usd <= 2 : null);
  }
  row('$ per million drawdowns, HTTP API', r2(drawdownCost.fronts['HTTP API (deployed)']!), '—', '—', 'info', null);
  row(`X-Ray traces, $ per million requests at 1 / 10 / 100 / 1,000 requests/s on a function (model: ${ASSUMPTIONS.xrayRequestsPerSecond}/s)`,
    [1, 10, 100, 1000].map((rps) => (xrayTracedFraction(rps) * PRICES.xrayTracesRecordedPerMillion!.usd).toFixed(2)).join(' / '), '—', '—', 'info', null);
  // A partial run prints no cost table at the end: the lines go to stderr here.
  if (only) for (const l of verifyCost.lines) console.error(`  verification: ${l.item}: $${l.usd.toFixed(4)} per million = ${l.formula}`);

  // The floor for each corridor:metricsDetail, each from its own template and the metrics its telemetry creates.
  try {
    const { synthesize, synthesizeVariant } = await import('../test/infra/synth.ts');
    const deployed = synthesize();
    templateSource = 'synthesized (test/infra/synth.ts), one per corridor:metricsDetail';
    templates = Object.fromEntries(METRICS_DETAILS.map((detail) => [detail, (detail === deployed.settings.metricsDetail
      ? deployed.template
      : synthesizeVariant({ 'corridor:metricsDetail': detail }).templates[0]!.template).toJSON() as Template])) as Record<MetricsDetail, Template>;
  } catch (e) {
    const file = join(PROJECT_ROOT, 'cdk.out/Corridor.template.json');
    if (!existsSync(file)) throw e;
    templateSource = `cdk.out/Corridor.template.json, for both details (synth failed: ${e instanceof Error ? e.message.slice(0, 80) : String(e)})`;
    const t = JSON.parse(readFileSync(file, 'utf8')) as Template;
    templates = { decision: t, action: t };
  }
  floors = METRICS_DETAILS.map((detail) => monthlyFloor(templates[detail], moto.seal.idleRunMs, detail));
  for (const f of floors) {
    const isDefault = f.detail === DEFAULT_METRICS_DETAIL;
    if (isDefault) for (const l of f.lines) process.stderr.write(`  floor: ${l.item}: $${l.usd.toFixed(2)} = ${l.formula}\n`);
    row(`fixed monthly floor, $, metricsDetail=${f.detail}${isDefault ? ' (default)' : ''} (keys, alarms, dashboard, WAF, sealer, ${f.counted.customMetrics} metrics)`,
      r2(f.total), '—', '—', isDefault ? '≤ $15' : 'info', isDefault ? f.total <= 15 : null);
  }
}

if (runs('validation')) {
  step('validation linearity and regex');
  lin = validationLinearity();
  row('validation agency.keys retire 4,000 ÷ 1,000 items, ms', r2(lin.ms4000), r2(lin.ms1000), r2(lin.ratio), '~4× (≤ 6×; pairwise would be ~16×)', lin.ratio <= 6);
  regex = regexAdversarial();
  const worst = regex.reduce((a, b) => (b.worstMs > a.worstMs ? b : a));
  row(`regex: worst of ${regex.length} schema patterns on 40,000-char adversarial input, ms`, Math.round(worst.worstMs * 1000) / 1000, '—', '—', '≤ 5 ms', worst.worstMs <= 5);
}

if (runs('screening')) {
  step('screening: 100 parties against 100,000 listed parties (one core)');
  screening = screeningBench(quick ? 20_000 : 100_000);
  row(`screening.check CPU per batch of ${screening.screenedParties} parties against ${screening.listedParties.toLocaleString('en')} listed, ms (baseline: exact name-key lookup)`, r2(screening.cpuMsPerBatch), Math.round(screening.exactKeyCpuMsPerBatch * 1000) / 1000, Math.round(screening.ratio), '≤ 50 ms', screening.cpuMsPerBatch <= 50);
  row(`screening index: build ms, heap MB (${screening.listedParties.toLocaleString('en')} listed parties; ${screening.matches} matches in the batch)`, `${Math.round(screening.buildMs)} ms, ${Math.round(screening.heapMb)} MB`, '—', '—', 'info', null);
}

if (runs('notifications')) {
  step('notifications: commit → delivery locally (moto, poller, loopback receiver), cost per million');
  const b = await notificationBench(quick ? 8 : 20, 5);
  const cost = notificationCost(b);
  const usdPerMillion = cost.reduce((s, l) => s + l.usd, 0);
  const delayMs = { p50: r2(percentile(b.delaysMs, 0.5)), p95: r2(percentile(b.delaysMs, 0.95)), max: r2(Math.max(...b.delaysMs)) };
  notifications = { receivers: b.receivers, changes: b.changes, perNotification: b.perNotification, outboxWruPerChange: b.outboxWruPerChange, delayMs, cost, usdPerMillion, assumptions: NOTIFY_ASSUMPTIONS };
  row(`notification delay, commit → delivered, local, ms p50 / p95 / max (${b.delaysMs.length} notifications, ${b.receivers} receivers per change)`, `${delayMs.p50} / ${delayMs.p95} / ${delayMs.max}`, '—', '—', 'p95 ≤ 5000 ms', delayMs.p95 <= 5000);
  row('cost per million notifications, $ (delivered at the first attempt; lines below)', r2(usdPerMillion), '—', '—', 'info', null);
  for (const l of cost) console.error(`  notifications: ${l.item}: $${l.usd.toFixed(4)} per million = ${l.formula}`);
}

// Output: table, results.json, chart.
const cells = rows.map((r) => [r.metric, String(r.ours), String(r.baseline), String(r.ratio), r.target, r.pass === null ? '' : r.pass ? 'pass' : 'FAIL']);
const head = ['metric', 'ours', 'baseline', 'ratio', 'target', ''];
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]): string => c.map((v, i) => v.padEnd(widths[i]!)).join('  ');
console.log([line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n'));
if (only) {
  console.error(`bench: --only ${[...only].join(',')}: wrote no file (bench/results.json and bench/latency.svg are the last full run's)`);
  process.exit(0);
}
console.log(`\nCost lines per million verifications (${PRICES.region}, prices checked ${PRICES.checked}):`);
for (const l of verifyCost.lines) console.log(`  ${l.item.padEnd(18)} $${l.usd.toFixed(4)}  = ${l.formula}`);
for (const f of floors) {
  console.log(`Monthly floor, corridor:metricsDetail=${f.detail}${f.detail === DEFAULT_METRICS_DETAIL ? ' (default)' : ''}: $${f.total.toFixed(2)} (${templateSource}):`);
  for (const l of f.lines) console.log(`  ${l.item.padEnd(22)} $${l.usd.toFixed(2)}  = ${l.formula}`);
}

const latency = { inProcess: warm.latenciesMs, moto: moto.verify.latenciesMs, motoDrawdown: moto.drawdown.latenciesMs };
writeFileSync(join(PROJECT_ROOT, 'bench/latency.svg'), latencyChart('license.verify latency: in process (memory adapters) and against moto', [
  { name: 'in process', ms: latency.inProcess, color: '#1f77b4' },
  { name: 'moto, 8 in flight', ms: latency.moto, color: '#d62728' },
  { name: 'drawdown, moto, contended', ms: latency.motoDrawdown, color: '#2ca02c' },
]));
const pct = (ms: number[]) => ({ p50: r2(percentile(ms, 0.5)), p95: r2(percentile(ms, 0.95)), p99: r2(percentile(ms, 0.99)) });
writeFileSync(join(PROJECT_ROOT, 'bench/results.json'), `${JSON.stringify({
  ranAt: new Date().toISOString(),
  node: process.version,
  quick,
  rows,
  latencyMs: { inProcess: pct(latency.inProcess), moto: pct(latency.moto), motoDrawdown: pct(latency.motoDrawdown) },
  warm: { ...warm, latenciesMs: undefined },
  cold,
  moto: { coldFirstVerify: moto.coldFirstVerify, verify: { ...moto.verify, latenciesMs: undefined }, drawdown: { ...moto.drawdown, latenciesMs: undefined }, drawdownUncontended: { ...moto.drawdownUncontended, latenciesMs: undefined }, seal: moto.seal },
  cost: { assumptions: ASSUMPTIONS, logBytesPerRequest: logBytes, verification: verifyCost, drawdown: drawdownCost, floor: Object.fromEntries(floors.map((f) => [f.detail, { ...f, template: templateSource }])) },
  validation: lin,
  regex,
  screening,
  notifications,
}, null, 2)}\n`);
console.error('bench: wrote bench/results.json and bench/latency.svg');
