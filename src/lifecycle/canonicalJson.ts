import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal values hash equally. @internal */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
        return out;
      }
      return v;
    }) ?? 'undefined'
  );
}

/** A stable sha256 of a JSON value. @internal */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
