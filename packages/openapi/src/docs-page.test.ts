import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOCS_CSP, docsPage } from './docs-page.js';

const page = docsPage({ basePath: '/docs', specUrl: '/v1/openapi.json' });
const directives = new Map(DOCS_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

describe('docs page', () => {
  it('sends a CSP that allows only same-origin code: no inline, no eval, no other host', () => {
    expect(page.headers['Content-Security-Policy']).toBe(DOCS_CSP);
    expect(DOCS_CSP).not.toMatch(/unsafe-|https?:|\*/);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(page.headers).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' });
    expect(page.headers).not.toHaveProperty('Content-Type');
  });

  it('has no inline script or style, and loads each asset from this origin with its integrity hash', () => {
    expect(page.html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:|https?:\/\//i);
    const scripts = [...page.html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, , content] of scripts) expect(content).toBe('');
    const references = [...page.html.matchAll(/(?:src|href)="([^"]+)"(?: integrity="([^"]+)")?/g)];
    expect(references.map(([, path]) => path).sort()).toEqual([...page.assets.keys()].sort());
    for (const [, path, integrity] of references) {
      const asset = page.assets.get(path as string);
      expect(asset?.body.length).toBeGreaterThan(0);
      if (integrity) expect(integrity).toBe(`sha384-${createHash('sha384').update(asset?.body ?? '').digest('base64')}`);
      else expect(asset?.contentType).toBe('image/png');
    }
  });

  it('escapes the spec URL it writes into the page', () => {
    const hostile = docsPage({ basePath: '/docs', specUrl: '/x"><script>alert(1)</script>' });
    expect(hostile.html).not.toContain('<script>alert');
    expect(hostile.html).toContain('data-spec-url="/x&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
  });
});
