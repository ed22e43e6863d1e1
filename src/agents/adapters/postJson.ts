import { wardenError } from '../../errors/index.js';
import type { ErrorClassifier, WardenError } from '../../errors/index.js';
import { abortError } from '../abortError.js';
import { forAgent } from '../forAgent.js';
import { readCapped } from './readCapped.js';

/** The most of a 2xx body read; a longer answer is refused rather than buffered without bound. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** The most of an error body read: enough for any `{ error }` document, bounded for a hostile one. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
const SNIPPET_CHARS = 200;

/**
 * One JSON POST to an agent, shared by the `http` and `openai` adapters.
 *
 * @internal
 */
export interface JsonPost {
  agent: string;
  url: string;
  headers: Headers;
  body: unknown;
  /** Header values that must never appear in an error. */
  secrets: readonly string[];
  classifier: ErrorClassifier;
}

/**
 * POSTs `post.body` as JSON and resolves with the parsed JSON of a 2xx answer. Every failure is
 * thrown as a classified `WardenError` with `agent` set and secrets redacted: a non-2xx answer
 * through `classifier.fromHttpResponse`, a 2xx answer that is not JSON as
 * `AGENT_RESPONSE_MALFORMED`, a network failure through `classifier.classify`, and an aborted
 * signal as {@link abortError}.
 *
 * @internal
 */
export async function postJson(post: JsonPost, signal: AbortSignal): Promise<unknown> {
  try {
    return await send(post, signal);
  } catch (e) {
    const err = signal.aborted ? abortError(signal) : post.classifier.classify(e, { agent: post.agent });
    throw forAgent(err, post.agent, post.secrets);
  }
}

async function send(post: JsonPost, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) throw abortError(signal);
  const res = await fetch(post.url, {
    method: 'POST',
    headers: post.headers,
    body: JSON.stringify(post.body),
    signal,
    // a followed redirect would carry secret headers to wherever the agent points; treat 3xx as an answer
    redirect: 'manual',
  });
  if (res.status < 200 || res.status > 299) {
    const { text } = await readCapped(res, MAX_ERROR_BODY_BYTES);
    throw post.classifier.fromHttpResponse(res.status, res.headers, text, { agent: post.agent });
  }
  const { text, truncated } = await readCapped(res, MAX_RESPONSE_BYTES);
  if (truncated) {
    throw malformed(`agent answered ${res.status} with a body over ${MAX_RESPONSE_BYTES} bytes`, res.status);
  }
  if (text.trim() === '') throw malformed(`agent answered ${res.status} with an empty body`, res.status);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw malformed(`agent answered ${res.status} with a body that is not JSON: ${snippet(text)}`, res.status, e);
  }
}

function malformed(message: string, status: number, cause?: unknown): WardenError {
  return wardenError('AGENT_RESPONSE_MALFORMED', message, { status, cause });
}

/** The start of a body, on one line, for an error message. @internal */
export function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat);
}

/**
 * Builds request headers from plain values and secret ones, refusing (with the header's name
 * only, never its value) any value `Headers` would reject. Later entries win.
 *
 * @internal
 */
export function buildHeaders(agent: string, ...sources: (Record<string, string> | undefined)[]): Headers {
  const headers = new Headers();
  for (const source of sources) {
    if (!source) continue;
    for (const [name, value] of Object.entries(source)) {
      try {
        headers.set(name, value);
      } catch {
        // the platform's message quotes the value, which may be a secret
        throw wardenError('CONFIG_INVALID', `agent ${agent}: header "${name}" has an invalid name or value`, { agent });
      }
    }
  }
  return headers;
}

/**
 * Reads the secret of each `header → ENV_VAR` entry from `env`. A variable that is unset or
 * empty is a `CONFIG_INVALID` error naming the variable (never a value).
 *
 * @internal
 */
export function secretHeaders(
  agent: string,
  headersEnv: Record<string, string> | undefined,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headersEnv) return out;
  for (const [header, variable] of Object.entries(headersEnv)) {
    const value = env[variable];
    if (value === undefined || value === '') {
      throw wardenError('CONFIG_INVALID', `agent ${agent}: environment variable ${variable} (for header "${header}") is not set`, {
        agent,
      });
    }
    out[header] = value;
  }
  return out;
}
