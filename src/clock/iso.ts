/**
 * ISO 8601 text of an engine time. One helper for every module that dates a row or an event.
 * @module
 */

let lastMs = Number.NaN;
let lastText = '';

/**
 * The ISO text of `ms` (epoch milliseconds). Steps come in bursts within one millisecond, so the
 * last answer is kept: `toISOString` was 3 % of a lifecycle step.
 */
export function iso(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = new Date(ms).toISOString();
  }
  return lastText;
}
