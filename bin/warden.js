#!/usr/bin/env node
// The version guard lives in plain JS with no imports so that it runs, and says
// something useful, even on a Node too old to load the CLI itself.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `warden: Node ${process.versions.node} is too old; Warden needs Node >= 22.13 (24 LTS recommended). ` +
      'Run it through npm (`npx warden`, `npm start`), which uses the Node 24 pinned in devDependencies, or install Node 24.\n',
  );
  process.exit(1);
}
await import('../dist/cli/main.js');
