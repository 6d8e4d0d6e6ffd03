// The repository stands on its own: every relative link in README.md and docs/*.md resolves to a
// file in this repository (anchors included, against the target's headings), and no tracked file
// refers to a folder beside the checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading slugs: lower case, punctuation other than - and _ dropped, spaces to -, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]!.replace(/`/g, '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]!);
  return out;
}

/** Markdown links and images outside code: [text](target) and [text]: target. */
function linksOf(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) fenced = !fenced;
    if (fenced) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line: i + 1 });
    const ref = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(prose);
    if (ref) links.push({ target: ref[1]!, line: i + 1 });
  });
  return links;
}

describe('documentation links', () => {
  it.each(DOCS)('every relative link in %s resolves inside the repository', (doc) => {
    const markdown = readFileSync(join(ROOT, doc), 'utf8');
    const broken: string[] = [];
    for (const { target, line } of linksOf(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: — not a file
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? join(ROOT, doc) : resolve(dirname(join(ROOT, doc)), decodeURIComponent(path));
      const where = `${doc}:${line} → ${target}`;
      if (relative(ROOT, file).startsWith('..')) broken.push(`${where} (outside the repository)`);
      else if (!existsSync(file)) broken.push(`${where} (no such file)`);
      else if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${where} (no such heading)`);
      else if (anchor && statSync(file).isDirectory()) broken.push(`${where} (anchor on a folder)`);
    }
    expect(broken).toEqual([]);
  });

  it('finds links and anchors the way GitHub renders them (the check can fail)', () => {
    const md = '# Title\n## 2. Signed requests\n## Same\n## Same\n```\n[x](nowhere.md)\n```\nsee [a](b.md#c) and `[no](code.md)`\n[ref]: ../x.md\n';
    expect([...anchorsOf(md)]).toEqual(['title', '2-signed-requests', 'same', 'same-1']);
    expect(linksOf(md).map((l) => l.target)).toEqual(['b.md#c', '../x.md']);
  });
});

describe('nothing refers outside the repository', () => {
  it('no tracked file names the folder beside the checkout', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f && f !== 'package-lock.json' && existsSync(join(ROOT, f)));
    const needle = ['..', 'shared'].join('/'); // written apart, so this file does not match itself
    const hits = files.filter((f) => !/\.(png|svg|ico)$/.test(f) && readFileSync(join(ROOT, f), 'utf8').includes(needle));
    expect(hits).toEqual([]);
  });
});
