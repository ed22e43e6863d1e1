/**
 * What the agents said: each failed attempt's own message, as every channel lists it. The codes
 * tell what kind of failure it was (`AGENT_HTTP_5XX` four times); the messages tell why (`HTTP
 * 502 from the upstream model`, `invalid api key`). Values here are raw but for the message,
 * which is redacted before it is cut so that a cut never leaves half a secret behind.
 * @module
 */
import type { Redactor } from '../redact.js';
import { truncate } from '../redact.js';
import type { AttemptFailure } from './NotificationFacts.js';
import { elide } from './timeline.js';

/** How much of the agents' messages a notification carries. */
export const FAILURE_LIMITS = Object.freeze({
  /** The longest message of one attempt, in characters; a stack trace or an HTML error page is cut here. */
  messageChars: 300,
});

/** The heading of the list, e.g. `Failed attempts (4)`. */
export function failuresHeading(failures: readonly AttemptFailure[]): string {
  return `Failed attempts (${failures.length})`;
}

/** An attempt's message: redacted, its whitespace folded to single spaces, and cut to `maxChars`. */
export function failureMessage(f: AttemptFailure, redact: Redactor, maxChars: number = FAILURE_LIMITS.messageChars): string {
  return truncate(redact(f.message).replace(/\s+/g, ' ').trim(), maxChars);
}

/**
 * One failed attempt on one line, e.g.
 * `senior-ai-engineer#1 AGENT_UNAVAILABLE: HTTP 503 Service Unavailable: {"error":"overloaded"}`.
 */
export function failureLine(f: AttemptFailure, redact: Redactor): string {
  const message = failureMessage(f, redact);
  return `${f.agent}#${f.attempt} ${f.code}${message ? `: ${message}` : ''}`;
}

/** The line in place of the attempts left out of a long list, e.g. `… 12 more failed attempts`. */
export function moreFailuresLine(n: number): string {
  return `… ${n} more failed attempt${n === 1 ? '' : 's'}`;
}

/**
 * At most `max` rows for `failures`: all of them when they fit, else the first and the last
 * attempts (how it started to go wrong, and how it ended) with a line counting those between.
 */
export function listedFailures(failures: readonly AttemptFailure[], max: number): (AttemptFailure | string)[] {
  const { head, omitted, tail } = elide(
    failures,
    () => 1,
    max,
    () => 1,
  );
  return omitted > 0 ? [...head, moreFailuresLine(omitted), ...tail] : head;
}
