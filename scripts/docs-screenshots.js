// Refreshes the dashboard screenshots the README links, in docs/dashboard/. The browser test takes
// every screenshot into test-output/dashboard/ (git-ignored) on each run, so running it never
// dirties the tree; this script runs it and copies the linked ones into docs/ on purpose.
// It needs a build and /usr/bin/chromium: `npm run docs:screenshots` builds first.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const from = new URL('../test-output/dashboard/', import.meta.url);
const to = new URL('../docs/dashboard/', import.meta.url);
/** The pictures the README links; the other screenshots stay in test-output/. */
const LINKED = ['tasks.png', 'task.png', 'agents.png', 'escalations.png', 'supervisor.png'];

const started = Date.now();
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const run = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.browser.config.ts', 'test/browser/dashboard.test.ts'], {
  cwd: root,
  stdio: 'inherit',
});
if (run.status !== 0) {
  console.error('the dashboard browser test failed: docs/dashboard/ left as it was');
  process.exit(1);
}
// Only pictures this run took: a stale one left in test-output/ is never published.
for (const name of LINKED) {
  const { mtimeMs } = await stat(new URL(name, from));
  if (mtimeMs < started) {
    console.error(`test-output/dashboard/${name} was not taken by this run: docs/dashboard/ left as it was`);
    process.exit(1);
  }
}
await mkdir(to, { recursive: true });
for (const name of LINKED) await copyFile(new URL(name, from), new URL(name, to));
console.log(`copied ${LINKED.length} screenshots to docs/dashboard/: ${LINKED.join(', ')}`);
