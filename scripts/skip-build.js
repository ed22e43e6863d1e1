// Exits 0 when `npm install`'s prepare script may skip the build, 1 when it must build
// (`"prepare": "node scripts/skip-build.js || npm run build"`).
//
// npm runs prepare after `npm install` in a clone, and builds. But npm 7+ also runs it when the
// first `npx warden` in a clone installs the clone into npx's cache, to link the project's own
// bin: the clone is built already, and building it again made that first `npx warden` take 13 s
// or more. So under `npm exec` (npx), with the CLI built, the build is skipped.
import { existsSync } from 'node:fs';

const built = existsSync(new URL('../dist/cli/main.js', import.meta.url));
process.exit(process.env.npm_command === 'exec' && built ? 0 : 1);
