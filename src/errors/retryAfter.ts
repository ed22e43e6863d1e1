/**
 * Reading the `Retry-After` header (RFC 9110 §10.2.3) into a delay.
 */

const SECONDS = /^\d+(?:\.\d+)?$/;
// IMF-fixdate and the obsolete RFC 850 form both end in "GMT"
const GMT_DATE = /^[A-Za-z]{3,9}, .+ GMT$/;
// asctime has no zone; HTTP says it is GMT, and Date.parse would read it as local time
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * The delay a `Retry-After` value asks for, in milliseconds: a number of seconds (decimals
 * are accepted, as some servers send them) or an HTTP date, measured from `nowMs`. A date in
 * the past gives 0. Anything else (missing, negative, garbage) gives `undefined`.
 * Fractions of a millisecond round up, so the delay is never shorter than asked.
 *
 * @example
 * parseRetryAfter(res.headers.get('retry-after'), clock.now()); // '120' → 120000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (SECONDS.test(v)) {
    const ms = Math.ceil(Number(v) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  let at = Number.NaN;
  if (GMT_DATE.test(v)) at = Date.parse(v);
  else if (ASCTIME.test(v)) at = Date.parse(`${v} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
