/**
 * The dashboard's browser files: the page, its ES modules, its stylesheet and its icon, kept as
 * real files in `public/` beside this module. Under vitest that is `src/dashboard/public/`; after
 * `npm run build` it is `dist/dashboard/public/`, which `scripts/copy-dashboard.js` fills. They are
 * served exactly as written (no bundler, no transpiler), so what the browser runs is what
 * `npm run typecheck` checked (`tsconfig.dashboard.json`) and what `npm run lint` linted.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard serves. @internal */
export interface DashboardFile {
  readonly body: string;
  readonly type: string;
}

/** The page served at `/`, and every other file, served at `/dashboard/<name>`. @internal */
export interface DashboardFiles {
  readonly page: string;
  readonly files: ReadonlyMap<string, DashboardFile>;
}

/**
 * The content type of each kind of file served. Anything else in the folder (notes, type
 * declarations) stays private; the build copies only these kinds.
 * @internal
 */
export const DASHBOARD_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

const PAGE = 'index.html';
const HERE = new URL('./public/', import.meta.url);
let cached: DashboardFiles | undefined;

/**
 * Reads the dashboard's files once per process (`createApp` registers the dashboard on every
 * app it builds). `dir` is for tests; it is read afresh each time.
 * @internal
 */
export function dashboardFiles(dir?: URL): DashboardFiles {
  if (dir) return read(dir);
  cached ??= read(HERE);
  return cached;
}

function read(dir: URL): DashboardFiles {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new Error(`the dashboard's files are missing from ${fileURLToPath(dir)}: run \`npm run build\``, { cause: err });
  }
  if (!names.includes(PAGE)) throw new Error(`the dashboard's ${PAGE} is missing from ${fileURLToPath(dir)}: run \`npm run build\``);
  const files = new Map<string, DashboardFile>();
  for (const name of names.sort()) {
    const type = DASHBOARD_TYPES[extname(name)];
    if (type && name !== PAGE) files.set(name, { body: readFileSync(new URL(name, dir), 'utf8'), type });
  }
  return { page: readFileSync(new URL(PAGE, dir), 'utf8'), files };
}
