import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardFiles } from './publicFiles.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function folder(files: Record<string, string>): Promise<URL> {
  const dir = await mkdtemp(path.join(tmpdir(), 'warden-dashboard-'));
  dirs.push(dir);
  await Promise.all(Object.entries(files).map(([name, body]) => writeFile(path.join(dir, name), body)));
  return pathToFileURL(`${dir}/`);
}

describe('dashboardFiles', () => {
  it('keeps the page apart and serves only scripts, stylesheets and images, each with its content type', async () => {
    const dir = await folder({
      'index.html': '<!doctype html><title>page</title>',
      'app.js': 'export {};',
      'style.css': 'body {}',
      'icon.svg': '<svg/>',
      'notes.md': '# not served',
      'types.d.ts': 'export {};',
    });
    const { page, files } = dashboardFiles(dir);
    expect(page).toBe('<!doctype html><title>page</title>');
    expect([...files.keys()]).toEqual(['app.js', 'icon.svg', 'style.css']);
    expect(files.get('app.js')).toEqual({ body: 'export {};', type: 'text/javascript; charset=utf-8' });
    expect(files.get('style.css')?.type).toBe('text/css; charset=utf-8');
    expect(files.get('icon.svg')?.type).toBe('image/svg+xml');
  });

  it('says to run the build when the folder or its page is missing', async () => {
    const withoutPage = await folder({ 'app.js': 'export {};' });
    expect(() => dashboardFiles(new URL('./no-such-folder/', withoutPage))).toThrow(
      /files are missing from .*no-such-folder.*npm run build/,
    );
    expect(() => dashboardFiles(withoutPage)).toThrow(/index\.html is missing from .*npm run build/);
  });

  it('reads its own page and modules from beside the module by default', () => {
    const { page, files } = dashboardFiles();
    expect(page).toContain('<script type="module" src="/dashboard/app.js"></script>');
    expect(files.has('app.js')).toBe(true);
  });
});
