// GET /openapi.json: every action route and public route is described, and every $ref resolves inside the document.
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../lambdas/core/openapi.ts';
import { ACTION_ROUTES } from '../../lambdas/core/routes.ts';

const doc = openApiDocument('http://127.0.0.1:1');

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' && typeof x === 'string' ? out.push(x) : refs(x, out);
  return out;
}

function resolve(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref.slice(2).split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

describe('openapi.json', () => {
  it('is OpenAPI 3.1 with every action route as a POST of application/jose', () => {
    expect(doc.openapi).toBe('3.1.0');
    const paths = doc.paths as Record<string, { post?: Record<string, unknown> }>;
    for (const r of ACTION_ROUTES) {
      expect(paths[r.path]?.post?.['x-corridor-act']).toBe(r.act);
      expect(Object.keys((paths[r.path]!.post!.requestBody as { content: object }).content)).toEqual(['application/jose']);
    }
    for (const p of ['/.well-known/corridor-configuration', '/.well-known/jwks.json', '/v1/agencies/{agencyId}/jwks.json', '/openapi.json']) expect(paths[p]).toBeDefined();
  });

  it('every $ref resolves inside the document (no urn: refs left)', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    for (const r of all) expect(resolve(r), r).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('urn:corridor:schema');
  });
});
