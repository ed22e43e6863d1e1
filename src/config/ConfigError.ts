/** The one error every config problem ends in, listing all of them at once. */
import path from 'node:path';
import type { z } from 'zod';
import { UNKNOWN_KEY_SEPARATOR } from './strict.js';

/** One thing wrong with a config or workflow file. */
export interface ConfigProblem {
  /** The file, relative to the working directory when inside it; a label such as `<config>` for in-memory objects. */
  readonly file: string;
  /** The dotted path of the field, e.g. `agents.x.retry.maxDelayMs` or `fallbackChains.x.2`; `''` for the whole file. */
  readonly path: string;
  /** What is wrong, e.g. `must be ≥ initialDelayMs (1000)`. */
  readonly message: string;
}

/** Formats one problem as `FILE: dotted.path: message`; the whole file prints as `(root)`. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}: ${problem.path === '' ? '(root)' : problem.path}: ${problem.message}`;
}

/**
 * Thrown by every config loader when anything is wrong. It collects every problem of every file
 * before it is thrown, so one `warden validate` run shows them all.
 *
 * @example
 * try { await loadConfig(); } catch (e) {
 *   if (e instanceof ConfigError) for (const p of e.problems) console.error(formatProblem(p));
 * }
 */
export class ConfigError extends Error {
  override name = 'ConfigError' as const;
  /** Always `CONFIG_INVALID`. */
  readonly code = 'CONFIG_INVALID' as const;
  /** Every problem found, in file order. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/**
 * How a file is named in problems: relative to `cwd` when inside it, as given otherwise.
 * @internal
 */
export function displayFile(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** A zod issue path as a dotted string; array indices stay numbers (`fallbackChains.x.2`). @internal */
export function dottedPath(segments: readonly PropertyKey[]): string {
  return segments.map((s) => String(s)).join('.');
}

/**
 * Turns zod issues into problems of `file`, each unknown key its own problem at its own path.
 * @internal
 */
export function problemsFromIssues(file: string, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split(UNKNOWN_KEY_SEPARATOR);
      issue.keys.forEach((key, i) => {
        problems.push({ file, path: dottedPath([...issue.path, key]), message: messages[i] ?? `unknown key "${key}"` });
      });
    } else if (issue.code === 'invalid_key') {
      problems.push({ file, path: dottedPath(issue.path), message: issue.issues[0]?.message ?? issue.message });
    } else {
      problems.push({ file, path: dottedPath(issue.path), message: readable(issue) });
    }
  }
  return problems;
}

function readable(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `is required (expected ${issue.expected})`;
  }
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
    // Name the branch that came closest: the one with the fewest issues.
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
    if (best?.[0]) return best.map((i) => (i.path.length ? `${dottedPath(i.path)}: ` : '') + readable(i)).join('; ');
  }
  return issue.message;
}
