/**
 * Small zod building blocks shared by the config schemas: strict objects whose unknown keys are
 * reported one by one with a "did you mean", ids, and discriminated unions with readable errors.
 * @internal
 */
import { z } from 'zod';

/** Agent, channel and workflow ids: letters, digits, `.`, `_`, `-`; starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** An agent, channel or workflow id. */
export const idSchema = z.string().regex(ID_PATTERN, {
  error: (issue) => `invalid id ${JSON.stringify(issue.input)}: use letters, digits, ".", "_" and "-", starting with a letter or digit`,
});

/** The name of an environment variable that holds a secret (the value of a `…Env` field). */
export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (issue) => `invalid environment variable name ${JSON.stringify(issue.input)}` });

/**
 * Separates the per-key messages of one `unrecognized_keys` issue; the problem formatter splits
 * on it so that every unknown key becomes its own problem at its own path.
 * @internal
 */
export const UNKNOWN_KEY_SEPARATOR = '\u001f';

/**
 * A strict object: unknown keys are errors so that typos are caught, each reported with the
 * closest known key when there is one.
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => unknownKeyMessage(key, known)).join(UNKNOWN_KEY_SEPARATOR) : undefined,
  });
}

/** The message for one unknown key. @internal */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  const hint = guess ? `did you mean "${guess}"? ` : '';
  return `unknown key "${key}" (${hint}unknown keys are rejected so that typos are caught; known keys: ${known.join(', ')})`;
}

/** A discriminated union whose bad or missing discriminator reads `type must be one of "a", "b"`. */
export function taggedUnion<const Options extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(
  discriminator: string,
  options: Options,
) {
  return z.discriminatedUnion(discriminator, options, {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const allowed = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
      return `must be one of ${allowed.map((o) => JSON.stringify(o)).join(', ')}`;
    },
  });
}

/** The known key closest to `key` by edit distance, when it is close enough to be a likely typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
