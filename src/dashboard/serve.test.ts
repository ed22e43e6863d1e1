import { Hono } from 'hono';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { dashboardFiles } from './publicFiles.js';
import { registerDashboard } from './serve.js';

const DASHBOARD_FILES = dashboardFiles().files;

function app() {
  const a = new Hono();
  a.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: 'no route' } }, 404));
  registerDashboard(a);
  return a;
}

describe('registerDashboard', () => {
  it('serves the page at / as HTML under a CSP that allows only its own scripts', async () => {
    const res = await app().request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
    // No inline script, no inline style, nothing from another origin.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves each module with a JavaScript content type and the stylesheet as CSS', async () => {
    const a = app();
    for (const [file] of DASHBOARD_FILES) {
      const res = await a.request(`/dashboard/${file}`);
      expect(res.status, file).toBe(200);
      if (file.endsWith('.js')) expect(res.headers.get('content-type'), file).toMatch(/^text\/javascript/);
      if (file.endsWith('.css')) expect(res.headers.get('content-type'), file).toMatch(/^text\/css/);
    }
  });

  it('links from the page only files it serves', async () => {
    const html = await (await app().request('/')).text();
    const linked = [...html.matchAll(/(?:src|href)="\/dashboard\/([^"]+)"/g)].map(([, file]) => file!);
    expect(linked).toEqual(expect.arrayContaining(['app.js', 'style.css', 'favicon.svg']));
    for (const file of linked) expect(DASHBOARD_FILES.has(file), file).toBe(true);
  });

  it('answers 404 for files it does not have, including paths that climb out', async () => {
    const a = app();
    for (const p of ['/dashboard/nope.js', '/dashboard/..%2Fserve.ts', '/dashboard/../package.json', '/dashboard/assets/index.js']) {
      expect((await a.request(p)).status, p).toBe(404);
    }
  });

  it('serves the lifecycle graph read from the task machine', async () => {
    const res = await app().request('/dashboard/lifecycle.json');
    const graph = (await res.json()) as {
      initial: string;
      states: { name: string }[];
      edges: { from: string; to: string; events: string[] }[];
    };
    expect(graph.initial).toBe('queued');
    expect(graph.states.map((s) => s.name)).toEqual(expect.arrayContaining(['queued', 'degraded', 'failed', 'cancelled']));
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'degrading', to: 'degraded', events: ['DEGRADED'] }));
  });

  it('ships browser modules that parse, pull in only their siblings and never set innerHTML', () => {
    for (const [file, asset] of DASHBOARD_FILES) {
      if (!file.endsWith('.js')) continue;
      const out = ts.transpileModule(asset.body, {
        reportDiagnostics: true,
        fileName: file,
        compilerOptions: { allowJs: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      });
      expect(
        out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
        file,
      ).toEqual([]);
      for (const [, spec] of asset.body.matchAll(/^import .* from '([^']+)';$/gm)) {
        expect(DASHBOARD_FILES.has(spec!.replace(/^\.\//, '')), `${file} imports ${spec}`).toBe(true);
      }
      expect(asset.body, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});
