/**
 * Managed agent processes: a program Warden starts with the engine, restarts when it exits (with
 * Kubernetes-style backoff under an OTP-style restart intensity) and stops on shutdown.
 */
import { z } from 'zod';
import { duration, positiveDuration } from './duration.js';
import { envName, strictObject } from './strict.js';

/**
 * The delay before each restart: `initialMs` (defaults to 10000), doubling to `maxMs` (defaults
 * to 300000), reset to `initialMs` once the process has run `resetAfterMs` (defaults to 600000)
 * without exiting. The Kubernetes CrashLoopBackOff numbers.
 */
export const restartBackoffSchema = strictObject({
  initialMs: duration.default(10_000).describe('The delay before the first restart.'),
  maxMs: duration.default(300_000).describe('The cap of the doubling delay.'),
  resetAfterMs: positiveDuration.default(600_000).describe('A process that ran this long without exiting restarts at initialMs again.'),
}).describe('Restart backoff: initialMs doubling to maxMs.');

/**
 * A program Warden runs for the agent (no shell). Its stdout and stderr lines go to the log with
 * the agent id.
 *
 * - `args`: defaults to `[]`. `cwd`: relative to the config file's folder, and defaults to it.
 * - The program gets only `PATH`, `HOME`, `LANG`, `TZ` and the temp dirs of Warden's environment
 *   (as the `command` adapter), the variables `inheritEnv` names (defaults to `[]`; this is how a
 *   secret reaches it), and `env`.
 * - `restartBackoff`: see {@link restartBackoffSchema}.
 * - `maxRestarts` in `withinMs`: the restart intensity (OTP's MaxR in MaxT). One exit more than
 *   `maxRestarts` (defaults to 5) within `withinMs` (defaults to 600000) and the agent is `failed`,
 *   escalated once and not restarted again.
 * - `stopTimeoutMs`: on shutdown the process gets SIGTERM, then SIGKILL after this long. Defaults to 5000.
 */
export const processSchema = strictObject({
  command: z.string().min(1).describe('The program to run (no shell).'),
  args: z
    .array(z.string())
    .default(() => [])
    .describe('Its arguments.'),
  env: z
    .record(z.string().min(1), z.string())
    .optional()
    .describe('Environment variables for the program. Never put secrets here; use inheritEnv.'),
  inheritEnv: z
    .array(envName)
    .default(() => [])
    .describe(
      "Names of Warden's environment variables the program also gets (for secrets), besides PATH, HOME, LANG, TZ and the temp dirs.",
    ),
  cwd: z.string().min(1).optional().describe("Working directory, relative to the config file's folder. Defaults to that folder."),
  restartBackoff: restartBackoffSchema.prefault({}),
  maxRestarts: z.number().int().min(0).default(5).describe('Restarts allowed within withinMs; one more and the agent is failed.'),
  withinMs: positiveDuration.default(600_000).describe('The window of the restart intensity.'),
  stopTimeoutMs: positiveDuration.default(5000).describe('Time between SIGTERM and SIGKILL on shutdown.'),
}).describe('A process Warden starts, restarts and stops for the agent.');

/** A parsed managed-process config. */
export type ProcessConfig = z.output<typeof processSchema>;
/** A managed-process config as written in a file. */
export type ProcessConfigInput = z.input<typeof processSchema>;
