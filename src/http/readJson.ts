/** Reading request bodies as JSON, with a nesting limit. */

/** A parsed body, or why it could not be parsed. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Reads a JSON body, refusing an empty body, bad JSON and nesting deeper than `maxDepth`, each
 * with a message for the 400 answer. With `optional`, an empty body reads as `undefined`.
 */
export async function readJson(req: Request, maxDepth: number, opts: { optional?: boolean } = {}): Promise<JsonBody> {
  const text = await req.text();
  if (!text.trim()) return opts.optional ? { ok: true, value: undefined } : { ok: false, message: 'request body is empty; expected JSON' };
  // Checked before parsing: JSON.parse recurses, and a megabyte of `[` would exhaust its stack.
  if (depthOf(text) > maxDepth) return { ok: false, message: `JSON nesting is deeper than ${maxDepth}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The deepest bracket nesting of a JSON text, ignoring brackets inside strings. */
export function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) max = Math.max(max, ++depth);
    else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}
