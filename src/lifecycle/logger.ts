import { createRequire } from 'node:module';
import { pino } from 'pino';

/** The logging surface the engine uses: pino's, so any pino logger fits. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How log lines are written: JSON lines for machines, or pino-pretty's readable lines for a person. */
export type LogFormat = 'json' | 'pretty';

/**
 * The log format: `WARDEN_LOG_FORMAT` (`json` or `pretty`) when set, else pretty when the log's
 * stream (stderr) is a terminal and JSON lines everywhere else (a pipe, a file, a container's log).
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env, tty = process.stderr.isTTY === true): LogFormat {
  const chosen = env.WARDEN_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return tty ? 'pretty' : 'json';
}

/**
 * A pino logger writing to stderr, leaving stdout to the CLI: JSON lines, or on a terminal
 * readable lines (see {@link logFormat}). Defaults to level `info` (`WARDEN_LOG_LEVEL`).
 */
export function createLogger(level = process.env.WARDEN_LOG_LEVEL ?? 'info', format: LogFormat = logFormat()): Logger {
  const options = { level, base: { name: 'warden' } };
  if (format === 'json') return pino(options, pino.destination({ fd: 2, sync: false }));
  // Loaded only when wanted: the other commands start without it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pino(
    options,
    pretty.build({
      destination: 2,
      colorize: process.stderr.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
    }),
  );
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
