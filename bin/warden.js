#!/usr/bin/env node
// The version guard lives in plain JS with no static imports so that it runs, and says
// something useful, even on a Node too old to load the CLI itself.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  // In a clone, npm installed Node 24 (the `node` devDependency): run the CLI on it, so that
  // `/path/to/warden/bin/warden.js`, an alias to it or `npm link` work from any folder.
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const pinned = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
  if (!process.env.WARDEN_PINNED_NODE && existsSync(pinned)) {
    const { spawn } = await import('node:child_process');
    const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, WARDEN_PINNED_NODE: '1' },
    });
    // The CLI does its own signal handling (serve drains on SIGTERM): pass signals on, then leave as it leaves.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => {
      if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      }
      process.exit(code ?? 1);
    });
  } else {
    process.stderr.write(
      `warden: Node ${process.versions.node} is too old; Warden needs Node >= 22.13 (24 LTS recommended). ` +
        'Run it through npm (`npx warden`, `npm start`) in the clone, which uses the Node 24 pinned in devDependencies, or install Node 24.\n',
    );
    process.exit(1);
  }
} else {
  await import('../dist/cli/main.js');
}
