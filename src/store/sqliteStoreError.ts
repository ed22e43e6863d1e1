/**
 * How failures of the SQLite store become STORE_ERRORs that name what was being done.
 * @internal
 */
import { wardenError } from '../errors/index.js';

/** The message of anything thrown. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** `err` as a STORE_ERROR prefixed with `context`; a STORE_ERROR already is one and stays as it is. */
export function asStoreError(err: unknown, context: string) {
  if (err && typeof err === 'object' && (err as { code?: unknown }).code === 'STORE_ERROR') return err;
  return wardenError('STORE_ERROR', `${context}: ${messageOf(err)}`, { cause: err });
}
