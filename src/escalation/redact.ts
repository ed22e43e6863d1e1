/**
 * Keeping secrets out of notifications, and keeping notifications within the sizes channels accept.
 * @module
 */

/** Replaces every secret in a string with `[redacted]`. */
export type Redactor = (s: string) => string;

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are ignored: redacting "ab" everywhere would shred the message. */
const MIN_SECRET_LENGTH = 4;

/** A redactor that changes nothing. */
export const noRedaction: Redactor = (s) => s;

/**
 * Builds a redactor that replaces every occurrence of each secret with `[redacted]`.
 *
 * Secrets shorter than 4 characters are ignored. Longer secrets win over shorter ones they
 * contain. Besides the raw value, the forms a secret takes once it has been through
 * `JSON.stringify` or `encodeURIComponent` are redacted too, since notifications embed JSON
 * excerpts and links.
 *
 * @example
 * const redact = createRedactor([process.env.SLACK_BOT_TOKEN ?? '']);
 * redact('token=xoxb-123-abc'); // 'token=[redacted]'
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  if (forms.size === 0) return noRedaction;
  // regex alternation takes the first alternative that matches, so longest first redacts whole secrets
  const pattern = [...forms]
    .filter((f) => f.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  const re = new RegExp(pattern, 'g');
  return (s) => s.replace(re, REDACTED);
}

/** Chains redactors: the result passes through each in turn. */
export function combineRedactors(...redactors: Redactor[]): Redactor {
  const active = redactors.filter((r) => r !== noRedaction);
  if (active.length === 0) return noRedaction;
  if (active.length === 1) return active[0]!;
  return (s) => active.reduce((acc, r) => r(acc), s);
}

/**
 * Shortens `s` to at most `max` characters, ending it with `… (N more chars)` where N is the
 * number of characters cut. The marker counts towards `max`, so the result always fits. A
 * string that already fits is returned unchanged.
 *
 * @example
 * truncate('x'.repeat(100), 30); // 'xxxxxxxxxx… (80 more chars)' (30 chars)
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 0) return '';
  // the marker's own length depends on N, which depends on where the cut is: settle it in two steps
  let keep = Math.max(0, max - marker(s.length).length);
  keep = Math.max(0, max - marker(s.length - keep).length);
  if (keep === 0) return s.slice(0, max);
  // never split a surrogate pair: half an emoji renders as garbage
  const code = s.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep -= 1;
  return s.slice(0, keep) + marker(s.length - keep);
}

function marker(cut: number): string {
  return `… (${cut} more chars)`;
}

/**
 * Pretty JSON of `value`, redacted and then truncated to `maxChars` (redacting first, so a cut
 * can never leave half a secret behind). Values JSON cannot hold are described rather than
 * thrown on: `undefined` gives `undefined`, a bigint its digits, a cycle `[Circular]`.
 *
 * @example
 * safeJson(task.input, 1000, redact);
 */
export function safeJson(value: unknown, maxChars: number, redact: Redactor = noRedaction): string {
  return truncate(redact(stringify(value)), maxChars);
}

function stringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  // the objects on the path from the root to the value being written: only those make a cycle
  const ancestors: unknown[] = [];
  function replacer(this: unknown, _key: string, v: unknown): unknown {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object' || v === null) return v;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(v)) return '[Circular]';
    ancestors.push(v);
    return v;
  }
  try {
    return JSON.stringify(value, replacer, 2) ?? String(value);
  } catch {
    // a throwing toJSON or getter
    return String(value);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
