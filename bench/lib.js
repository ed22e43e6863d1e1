/**
 * Small helpers shared by the benchmark's sections.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The `q` quantile (nearest rank) of numbers.
 * @param {number[]} xs @param {number} q
 */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Milliseconds since an origin, from the monotonic clock. */
export const nowMs = () => performance.now();

/** Lets pending I/O and immediates run. */
export const tick = () => new Promise((r) => setImmediate(r));

/** Runs a full GC when the process was started with --expose-gc. */
export async function gc() {
  const g = /** @type {undefined | (() => void)} */ (globalThis.gc);
  if (!g) return;
  for (let i = 0; i < 3; i++) {
    g();
    await tick();
  }
}

/**
 * A temp directory, removed by the returned `remove`.
 * @param {string} prefix
 */
export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** @param {number} x @param {number} [digits] */
export const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A logger that drops everything (pino's shape). */
export const silent = { debug() {}, info() {}, warn() {}, error() {} };
