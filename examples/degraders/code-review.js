/**
 * The degraded answer of the code-review workflow: checks cheap enough to need no agent at all,
 * after the code review degradation of the design notes. Named by `workflows/code-review.json`
 * as `"degraded": { "module": "../examples/degraders/code-review.js" }`.
 *
 * A degrader is `(task, failures) => response` (it may also return a promise):
 * - `task`: `{ id, workflow, input }`;
 * - `failures`: the classified errors of every attempt, `{ code, category, severity, retryable, message }`.
 */

/** Files larger than this are flagged; the full review is the place to judge them. */
const MAX_SIZE = 50_000;

const PAIRS = { ')': '(', ']': '[', '}': '{' };

/**
 * Whether brackets balance, skipping string literals: a coarse syntax check that fits any
 * C-like language and never runs the code.
 * @param {string} text
 */
function bracketsBalance(text) {
  const stack = [];
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
    } else if (c === '(' || c === '[' || c === '{') {
      stack.push(c);
    } else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== PAIRS[c]) return false;
    }
  }
  return stack.length === 0 && quote === '';
}

/**
 * @param {{ id: string, workflow: string, input: unknown }} task
 * @param {Array<{ code: string, message: string }>} failures
 */
export default function codeReviewDegrader(task, failures) {
  const input = /** @type {{ content?: unknown }} */ (task.input ?? {});
  const content = typeof input.content === 'string' ? input.content : '';
  return {
    status: 'degraded',
    basic_checks: {
      syntax_valid: bracketsBalance(content),
      file_size_ok: content.length < MAX_SIZE,
      line_count: content === '' ? 0 : content.split('\n').length,
    },
    message: 'Full AI review unavailable. Basic checks completed.',
    recommendation: 'Manual review recommended',
    errors: [...new Set(failures.map((f) => f.code))],
  };
}
