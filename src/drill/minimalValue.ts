/**
 * The smallest value a JSON Schema plausibly accepts, for drills that must submit tasks without
 * real inputs: required string fields become `"drill"`, numbers their minimum (or 0), arrays
 * their `minItems` of minimal items, objects their required properties only. `const`, `enum`,
 * `default` and `examples` win when present. Patterns and `not` are not solved; a drill reports
 * the workflow as failing input validation instead.
 *
 * @example
 * minimalValue({ type: 'object', required: ['content'], properties: { content: { type: 'string' } } });
 * // { content: 'drill' }
 */
export function minimalValue(schema: unknown, depth = 0): unknown {
  if (schema === true || schema === undefined || schema === null || typeof schema !== 'object' || depth > 16) return 'drill';
  const s = schema as Record<string, unknown>;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('default' in s) return s.default;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length) return minimalValue({ ...s, [key]: undefined, ...(options[0] as object) }, depth + 1);
  }
  if (Array.isArray(s.allOf) && s.allOf.length) {
    // Merging the branches' required properties covers the usual use of allOf.
    const merged = s.allOf.reduce<Record<string, unknown>>((acc, part) => mergeSchemas(acc, part), { ...s, allOf: undefined });
    return minimalValue(merged, depth + 1);
  }
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? s.type[0]) : s.type;
  const kind = type ?? (s.properties || s.required ? 'object' : s.items ? 'array' : undefined);
  switch (kind) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Array.isArray(s.required) ? (s.required as string[]) : []) out[key] = minimalValue(props[key], depth + 1);
      return out;
    }
    case 'array': {
      const n = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: n }, () => minimalValue(s.items, depth + 1));
    }
    case 'string':
      return minimalString(s);
    case 'integer':
    case 'number':
      return minimalNumber(s, kind === 'integer');
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return 'drill';
  }
}

function minimalString(s: Record<string, unknown>): string {
  const byFormat: Record<string, string> = {
    email: 'drill@example.com',
    uri: 'https://example.com/drill',
    url: 'https://example.com/drill',
    'date-time': '2026-01-01T00:00:00.000Z',
    date: '2026-01-01',
    uuid: '00000000-0000-4000-8000-000000000000',
  };
  let v = (typeof s.format === 'string' && byFormat[s.format]) || 'drill';
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  while (v.length < min) v += '-drill';
  if (typeof s.maxLength === 'number') v = v.slice(0, Math.max(min, s.maxLength));
  return v;
}

function minimalNumber(s: Record<string, unknown>, integer: boolean): number {
  let v = 0;
  if (typeof s.minimum === 'number') v = s.minimum;
  else if (typeof s.exclusiveMinimum === 'number') v = s.exclusiveMinimum + (integer ? 1 : 1e-9);
  if (typeof s.maximum === 'number' && v > s.maximum) v = s.maximum;
  return integer ? Math.ceil(v) : v;
}

function mergeSchemas(acc: Record<string, unknown>, part: unknown): Record<string, unknown> {
  if (!part || typeof part !== 'object') return acc;
  const p = part as Record<string, unknown>;
  return {
    ...acc,
    ...p,
    required: [...new Set([...((acc.required as string[]) ?? []), ...((p.required as string[]) ?? [])])],
    properties: { ...((acc.properties as object) ?? {}), ...((p.properties as object) ?? {}) },
  };
}
