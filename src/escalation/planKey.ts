/**
 * The key of an agent plan, by which a later success resolves the escalations of the same plan.
 * @module
 */

/** A stable key of an agent plan. */
export function planKey(plan: readonly string[]): string {
  return plan.join('>');
}
