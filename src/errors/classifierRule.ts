/**
 * User classifier rules (config `errors.rules`): a match on what is known about a failure, and
 * the code, and optionally the category, severity and retryability, to give it instead of the
 * built-in classification.
 */
import { z } from 'zod';
import { errorCategorySchema, severitySchema } from './taxonomy.js';

const httpStatusSchema = z.number().int().min(100).max(599);

const regexSourceSchema = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, 'i');
    } catch (e) {
      // V8 says "Invalid regular expression: /source/flags: reason"; the reason is the news
      const reason = String((e as Error).message)
        .split(': ')
        .at(-1);
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${reason})` });
    }
  });

const MATCH_KEYS = ['status', 'errorCode', 'agentErrorCode', 'message', 'name'] as const;

/** What a rule matches on. Every key given must match; at least one key is required. */
export const classifierMatchSchema = z
  .strictObject({
    status: z
      .union([httpStatusSchema, z.array(httpStatusSchema).min(1)])
      .optional()
      .describe("The agent's HTTP status, or a list of them."),
    errorCode: z
      .string()
      .min(1)
      .optional()
      .describe('A Node or system error code such as ECONNREFUSED, on the error or anywhere in its cause chain.'),
    agentErrorCode: z.string().min(1).optional().describe('The code in an agent response body { "error": { "code" } }.'),
    message: regexSourceSchema
      .optional()
      .describe("A regular expression, matched case-insensitively against the error's messages and the response body."),
    name: z.string().min(1).optional().describe('An error name such as TimeoutError, on the error or in its cause chain.'),
  })
  .refine((m) => MATCH_KEYS.some((k) => m[k] !== undefined), {
    message: `needs at least one of ${MATCH_KEYS.join(', ')}`,
  });

/**
 * One classifier rule. Rules are checked in order before the built-in classification, and the
 * first match wins. `code` may be a built-in code or a new one; a new code defaults to
 * category `logic`, severity `medium`, not retryable, unless the rule says otherwise.
 *
 * @example
 * { "match": { "status": 404, "agentErrorCode": "MODEL_LOADING" }, "code": "MODEL_LOADING", "retryable": true }
 */
export const classifierRuleSchema = z.strictObject({
  match: classifierMatchSchema,
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'must be UPPER_SNAKE_CASE, e.g. MODEL_LOADING')
    .describe('The code to give a matching error: a built-in one or a new one.'),
  category: errorCategorySchema.optional().describe("Defaults to the code's category, or logic for a new code."),
  severity: severitySchema.optional().describe("Defaults to the code's severity, or medium for a new code."),
  retryable: z.boolean().optional().describe("Defaults to the code's retryability, or false for a new code."),
});

/** See {@link classifierRuleSchema}. */
export type ClassifierRule = z.infer<typeof classifierRuleSchema>;

/**
 * What is known about one failure, gathered once and tested against every rule.
 *
 * @internal
 */
export interface ErrorFacts {
  status?: number;
  /** Node/system codes, outermost first. */
  errorCodes: readonly string[];
  agentErrorCode?: string;
  messages: readonly string[];
  names: readonly string[];
}

/**
 * A rule with its regex compiled once.
 *
 * @internal
 */
export interface CompiledRule {
  readonly rule: ClassifierRule;
  matches(facts: ErrorFacts): boolean;
}

/** @internal */
export function compileRule(rule: ClassifierRule): CompiledRule {
  const { status, errorCode, agentErrorCode, message, name } = rule.match;
  const statuses = status === undefined ? undefined : Array.isArray(status) ? status : [status];
  const pattern = message === undefined ? undefined : new RegExp(message, 'i');
  return {
    rule,
    matches: (f) =>
      (statuses === undefined || (f.status !== undefined && statuses.includes(f.status))) &&
      (errorCode === undefined || f.errorCodes.includes(errorCode)) &&
      (agentErrorCode === undefined || f.agentErrorCode === agentErrorCode) &&
      (pattern === undefined || f.messages.some((m) => pattern.test(m))) &&
      (name === undefined || f.names.includes(name)),
  };
}
