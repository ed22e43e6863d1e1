import { pino } from 'pino';

/** The logging surface the engine uses: pino's, so any pino logger fits. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A pino logger writing JSON lines to stderr, leaving stdout to the CLI. Defaults to level `info` (`WARDEN_LOG_LEVEL`). */
export function createLogger(level = process.env.WARDEN_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { name: 'warden' } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
