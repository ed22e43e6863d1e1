// Links node_modules/.bin/warden to bin/warden.js. Run by `npm install` (the prepare script).
//
// npx looks for a command in node_modules/.bin, where a package's own bin never is. Without this
// link, the first `npx warden` in a clone installs the clone into npx's cache as a package of its
// own: 13 s or more, with npm's engine warnings printed twice. With it, npx runs the CLI at once,
// on the Node 24 pinned in devDependencies (npx puts node_modules/.bin first on PATH).
import { mkdir, readlink, symlink, unlink } from 'node:fs/promises';

const dir = new URL('../node_modules/.bin/', import.meta.url);
const link = new URL('warden', dir);
const target = '../../bin/warden.js';
try {
  await mkdir(dir, { recursive: true });
  if ((await readlink(link).catch(() => undefined)) !== target) {
    await unlink(link).catch(() => {});
    await symlink(target, link);
  }
} catch (err) {
  // Not fatal: npx still finds the CLI, only slower the first time.
  console.warn(`note: could not link node_modules/.bin/warden (${err?.code ?? err}); npx warden is slower the first time`);
}
