// Copies the dashboard's browser files from src/dashboard/public/ to dist/dashboard/public/, where the
// built server reads them. Run by `npm run build` after tsc, so it can read from the compiled dist/
// which kinds of file are served. The target is emptied first: a file deleted from src is not served.
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { DASHBOARD_TYPES } from '../dist/dashboard/publicFiles.js';

const from = new URL('../src/dashboard/public/', import.meta.url);
const to = new URL('../dist/dashboard/public/', import.meta.url);
await rm(to, { recursive: true, force: true });
await mkdir(to, { recursive: true });
const names = (await readdir(from)).filter((name) => extname(name) in DASHBOARD_TYPES);
await Promise.all(names.map((name) => copyFile(new URL(name, from), new URL(name, to))));
console.log(`copied ${names.length} dashboard files to dist/dashboard/public/`);
