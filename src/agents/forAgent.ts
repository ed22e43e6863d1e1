import type { WardenError } from '../errors/index.js';

const REDACTED = '[redacted]';

/**
 * Stamps `agent` on an error an adapter is about to throw (unless one is already set) and
 * blanks out any of `secrets` from its message and its cause's message and stack, so a secret
 * header or API key can never reach a log, a task record or a notification.
 *
 * The error is changed in place, which keeps its class, stack and identity.
 *
 * @internal
 */
export function forAgent(err: WardenError, agent: string, secrets: readonly string[] = []): WardenError {
  // `agent` is readonly for users of the error; the adapter that made it is its last writer
  if (err.agent === undefined) (err as { agent?: string }).agent = agent;
  const live = secrets.filter((s) => s.length > 0);
  if (live.length === 0) return err;
  err.message = redact(err.message, live);
  if (err.stack !== undefined) err.stack = redact(err.stack, live);
  const cause: unknown = err.cause;
  if (cause instanceof Error && live.some((s) => cause.message.includes(s) || (cause.stack ?? '').includes(s))) {
    // the cause (often a platform error quoting its input) is replaced rather than edited: it may be shared
    const clean = new Error(redact(cause.message, live));
    clean.name = cause.name;
    (err as { cause?: unknown }).cause = clean;
  }
  return err;
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
