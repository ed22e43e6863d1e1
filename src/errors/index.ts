/**
 * The error taxonomy, the WardenError class and the classifier that produces it.
 * @module
 */
export {
  errorCategorySchema,
  severitySchema,
  severityRank,
  maxSeverity,
  errorCodes,
  customCodeDefaults,
  isErrorCode,
} from './taxonomy.js';
export type { ErrorCategory, Severity, ErrorCode, ErrorCodeInfo } from './taxonomy.js';
export { WardenError, isWardenError, errorInfoSchema } from './WardenError.js';
export type { ErrorInfo, ErrorIssue, WardenErrorExtra, WardenErrorInit, WardenErrorName } from './WardenError.js';
export { AgentTimeoutError, RateLimitedError, AuthError, CircuitOpenError, wardenError } from './errorClasses.js';
export { parseRetryAfter } from './retryAfter.js';
export { classifierRuleSchema, classifierMatchSchema } from './classifierRule.js';
export type { ClassifierRule } from './classifierRule.js';
export { ErrorClassifier } from './ErrorClassifier.js';
export type { ErrorClassifierOptions, ClassifyContext } from './ErrorClassifier.js';
