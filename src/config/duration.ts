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

function describeBad(value: unknown, positive = false): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return (
    `invalid duration ${shown}: use a number of milliseconds ${positive ? '> 0' : '≥ 0'} or a string like ` +
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
 * The duration schema: a number of milliseconds or a duration string, parsed to milliseconds;
 * `positive` refuses zero too, with its own message.
 */
function durationSchema(positive: boolean) {
  // The same message from every branch: zod reports only the branch whose type matched.
  const bad = { error: (issue: { input?: unknown }) => describeBad(issue.input, positive) };
  const zero = { error: (issue: { input?: unknown }) => `invalid duration ${JSON.stringify(issue.input)}: must be more than 0 ms` };
  // `abort` stops at the first failed check, so a bad value gets one message, not one per check.
  const last = { ...bad, abort: true };
  const number = z.number(bad).finite(bad).min(0, last);
  const text = z.string(bad).regex(DURATION_STRING, last);
  if (!positive) return z.union([number, text], bad).transform(toMs);
  // Zero is told apart from other bad values: it is a duration, just not one that works here.
  return z.union([number.gt(0, zero), text.refine((t) => toMs(t) > 0, zero)], bad).transform(toMs);
}

const toMs = (value: number | string): number => (typeof value === 'number' ? value : parseDuration(value));

/**
 * A duration that may be zero: a non-negative number of milliseconds, or a string such as
 * `"250ms"`, `"30s"`, `"5m"`, `"1h"`, `"1.5s"` or `"1h30m"`. Parses to a number of milliseconds.
 * For the few fields where zero means something ("retry at once", "no grace", "no grouping").
 *
 * @example
 * duration.parse('30s'); // 30000
 */
export const duration = durationSchema(false).describe(
  'A duration: milliseconds (a number) or a string such as "250ms", "30s", "5m", "1h".',
);

/**
 * A duration that must be more than zero: timeouts, intervals, windows and deadlines, where zero
 * would time out at once or fire in a loop. `0` and `"0s"` are config errors.
 *
 * @example
 * positiveDuration.parse('30s'); // 30000
 * positiveDuration.safeParse(0).success; // false: "invalid duration 0: must be more than 0 ms"
 */
export const positiveDuration = durationSchema(true).describe(
  'A duration above zero: milliseconds (a number) or a string such as "250ms", "30s", "5m", "1h".',
);

/** A duration as written in a config file: milliseconds or a string such as `"30s"`. */
export type DurationInput = z.input<typeof duration>;
