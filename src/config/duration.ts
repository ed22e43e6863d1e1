/**
 * Durations at the edge of the config: a number of milliseconds, or a string such as `"250ms"`,
 * `"30s"`, `"1.5m"` or `"1h30m"`. Inside the engine every duration is a plain `…Ms: number`
 * (house style 7, after Temporal's `Duration` strings).
 */
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** One or more `<number><unit>` parts, e.g. `"250ms"`, `"1.5s"`, `"1h30m"`. Units: ms, s, m, h, d. */
const DURATION_STRING = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** The pattern that duration strings match, as JSON Schema `pattern` source (for editors). */
export const DURATION_PATTERN = DURATION_STRING.source;

function describeBad(value: unknown): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return (
    `invalid duration ${shown}: use a number of milliseconds ≥ 0 or a string like ` +
    `"250ms", "30s", "5m", "1h" or "1h30m" (units ms, s, m, h, d; no spaces)`
  );
}

/**
 * Converts a duration string to milliseconds, or returns `undefined` when it is not one.
 * @internal
 */
function tryParseDurationString(text: string): number | undefined {
  if (!DURATION_STRING.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  // Rounded to a thousandth of a ms so "0.1h" is 360000, not 360000.00000000006.
  return Math.round(ms * 1000) / 1000;
}

/**
 * Converts a duration to milliseconds.
 *
 * @example
 * parseDuration('1.5s'); // 1500
 * parseDuration(250);    // 250
 * @throws RangeError when the value is not a non-negative finite number or a duration string.
 */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new RangeError(describeBad(value));
  }
  const ms = tryParseDurationString(value.trim());
  if (ms === undefined) throw new RangeError(describeBad(value));
  return ms;
}

/**
 * A duration: a non-negative number of milliseconds, or a string such as `"250ms"`, `"30s"`,
 * `"5m"`, `"1h"`, `"1.5s"` or `"1h30m"`. Parses to a number of milliseconds.
 *
 * @example
 * duration.parse('30s'); // 30000
 */
// The same message from every branch: zod reports only the branch whose type matched.
const bad = { error: (issue: { input?: unknown }) => describeBad(issue.input) };

export const duration = z
  .union([z.number(bad).min(0, bad).finite(bad), z.string(bad).regex(DURATION_STRING, bad)], bad)
  .transform((value) => (typeof value === 'number' ? value : parseDuration(value)))
  .describe('A duration: milliseconds (a number) or a string such as "250ms", "30s", "5m", "1h".');

/** A duration as written in a config file: milliseconds or a string such as `"30s"`. */
export type DurationInput = z.input<typeof duration>;
