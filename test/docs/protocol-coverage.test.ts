// docs/protocol.md keeps up with the code: every action of the route table has its own `### <act>` subsection in §5
// that names its route and links its request and result schemas, every problem code of the error table is in the
// refusal table of §3 under its status, and the version the document names is the one the configuration serves.
// Adding an action or a problem code without documenting it fails here.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../lambdas/core/discovery.ts';
import { ERRORS } from '../../lambdas/core/errors.ts';
import { ACTION_ROUTES } from '../../lambdas/core/routes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PROTOCOL = readFileSync(join(ROOT, 'docs/protocol.md'), 'utf8');

interface Section { title: string; level: number; body: string }

/** Headings and the text under each (up to the next heading of any level), outside code fences. */
function sectionsOf(markdown: string): Section[] {
  const out: Section[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^(#{1,6})\s+(.*?)\s*$/.exec(line);
    if (m) out.push({ title: m[2]!, level: m[1]!.length, body: '' });
    else if (out.length) out.at(-1)!.body += `${line}\n`;
  }
  return out;
}

/** The level-3 subsections of the level-2 section whose title starts with `prefix`. */
function subsectionsOf(markdown: string, prefix: string): Map<string, string> {
  const sections = sectionsOf(markdown);
  const start = sections.findIndex((s) => s.level === 2 && s.title.startsWith(prefix));
  const out = new Map<string, string>();
  if (start < 0) return out;
  for (const s of sections.slice(start + 1)) {
    if (s.level <= 2) break;
    if (s.level === 3) out.set(s.title.replace(/`/g, ''), s.body);
  }
  return out;
}

/** Relative link targets of a piece of Markdown (inline links, code spans excluded). */
function linkTargets(markdown: string): string[] {
  return [...markdown.replace(/`[^`\n]*`/g, '').matchAll(/\]\(\s*<?([^)\s>]+)>?\s*\)/g)].map((m) => m[1]!);
}

/** What is missing for each action in §5 of `markdown`: its subsection, its route, its two schema links. */
function actionGaps(markdown: string, routes: readonly { act: string; path: string }[]): string[] {
  const actions = subsectionsOf(markdown, '5.');
  const gaps: string[] = [];
  for (const { act, path } of routes) {
    const body = actions.get(act);
    if (body === undefined) {
      gaps.push(`${act}: no "### ${act}" subsection in §5`);
      continue;
    }
    if (!body.includes(`POST ${path}`)) gaps.push(`${act}: its subsection does not name its route POST ${path}`);
    const links = linkTargets(body);
    for (const kind of ['request', 'result']) {
      const target = `../schemas/${act}.${kind}.schema.json`;
      if (!links.includes(target)) gaps.push(`${act}: its subsection does not link ${target}`);
      else if (!existsSync(join(ROOT, 'docs', target))) gaps.push(`${act}: ${target} does not exist`);
    }
  }
  return gaps;
}

/** Rows `| status | codes | when |` of the refusal table in §3: each backticked code with the row's status. */
function refusalTable(markdown: string): Map<string, number> {
  const table = subsectionsOf(markdown, '3.').get('Status codes and problem types') ?? '';
  const codes = new Map<string, number>();
  for (const row of table.split('\n')) {
    const m = /^\|\s*(\d{3})\s*\|([^|]*)\|/.exec(row);
    if (!m) continue;
    for (const c of m[2]!.matchAll(/`([a-z-]+)`/g)) codes.set(c[1]!, Number(m[1]));
  }
  return codes;
}

describe('docs/protocol.md covers every action', () => {
  it('each action of ACTION_ROUTES has a §5 subsection naming its route and linking its request and result schemas', () => {
    expect(actionGaps(PROTOCOL, ACTION_ROUTES)).toEqual([]);
  });

  it('the §5 overview table lists each action with its route', () => {
    const overview = sectionsOf(PROTOCOL).find((s) => s.level === 2 && s.title.startsWith('5.'))!.body;
    const missing = ACTION_ROUTES.filter(({ act, path }) => !new RegExp(`^\\| \`${act.replace('.', '\\.')}\` \\| \`POST ${path}\` \\|`, 'm').test(overview));
    expect(missing.map((r) => r.act)).toEqual([]);
  });

  it('the check fails for an action added without its subsection, route or schema links', () => {
    const doc = '## 5. Actions\n\n### a.one\n\n`POST /v1/one` [b](../schemas/agency.keys.request.schema.json) [r](../schemas/agency.keys.result.schema.json)\n\n## 6. Next\n\n### a.two\n';
    expect(actionGaps(doc, [{ act: 'a.one', path: '/v1/one' }, { act: 'a.two', path: '/v1/two' }])).toEqual([
      'a.one: its subsection does not link ../schemas/a.one.request.schema.json',
      'a.one: its subsection does not link ../schemas/a.one.result.schema.json',
      'a.two: no "### a.two" subsection in §5',
    ]);
    expect(actionGaps(doc.replace('POST /v1/one', 'POST /v1/other'), [{ act: 'a.one', path: '/v1/one' }])).toContain('a.one: its subsection does not name its route POST /v1/one');
  });
});

describe('docs/protocol.md covers every problem code', () => {
  const documented = refusalTable(PROTOCOL);

  it('each code of lambdas/core/errors.ts is in the §3 refusal table under its status, and the table has no other', () => {
    const expected = new Map(Object.values(ERRORS).map((e) => [e.slug, e.status]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
  });

  it('the table reader finds codes per row (the check can fail)', () => {
    const doc = '## 3. Answers\n\n### Status codes and problem types\n\n| status | code | when |\n|---|---|---|\n| 400 | `a-b` | x `not-a-code` |\n| 409 | `c`, `d` | y |\n\n### Next\n\n| 500 | `e` | z |\n';
    expect(Object.fromEntries(refusalTable(doc))).toEqual({ 'a-b': 400, c: 409, d: 409 });
  });
});

describe('docs/protocol.md names the protocol version the exchange serves', () => {
  it('the version line and the first changelog entry name PROTOCOL_VERSION', () => {
    const versionLine = PROTOCOL.split('\n').find((l) => /^Protocol version/.test(l));
    expect(versionLine).toContain(`\`${PROTOCOL_VERSION}\``);
    const changelog = sectionsOf(PROTOCOL).find((s) => s.level === 2 && s.title === 'Changelog')!.body;
    expect(/^- \*\*`([^`]+)`\*\*/m.exec(changelog)?.[1]).toBe(PROTOCOL_VERSION);
  });
});
