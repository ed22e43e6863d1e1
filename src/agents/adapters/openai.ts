import { wardenError } from '../../errors/index.js';
import type { AdapterContext, AgentAdapter, AgentRequest } from '../AgentAdapter.js';
import type { OpenAIAdapterConfig } from '../../config/adapterSchema.js';
import { forAgent } from '../forAgent.js';
import { buildHeaders, postJson, snippet } from './postJson.js';
import { protocolHeaders } from './protocol.js';

/** What the `openai` adapter resolves with. */
export interface OpenAIOutput {
  /** The assistant message of the first choice. */
  text: string;
  /** The model that answered, as the server names it (else the configured one). */
  model: string;
  /** The server's token accounting, passed through as is. */
  usage: unknown;
  /** `text` parsed, when it is a JSON object (a ```json fence around it is allowed). */
  json?: Record<string, unknown>;
}

/**
 * An OpenAI-compatible chat-completions server (OpenAI, Ollama, vLLM, LM Studio, …):
 * one `POST <baseUrl>/chat/completions` per attempt, the task input as the user message.
 *
 * The input becomes the user message as is when it is a string, its `prompt` field when it has
 * one, and its JSON otherwise. The API key is read from `ctx.env[apiKeyEnv]` on every call and
 * sent as a bearer token when the variable is set; unlike the `http` adapter's secret headers, an
 * unset key is not an error, because local servers such as Ollama need none.
 * Failures are classified like the `http` adapter's.
 *
 * @example
 * openaiAdapter('llama', { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3' }, ctx);
 */
export function openaiAdapter(agentId: string, config: OpenAIAdapterConfig, ctx: AdapterContext): AgentAdapter {
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    async call(req: AgentRequest, signal: AbortSignal): Promise<unknown> {
      const key = config.apiKeyEnv === undefined ? undefined : ctx.env[config.apiKeyEnv];
      const auth = key ? { authorization: `Bearer ${key}` } : undefined;
      const headers = buildHeaders(agentId, auth, protocolHeaders(req));
      const body = await postJson(
        { agent: agentId, url, headers, body: chatRequest(config, req.input), secrets: key ? [key] : [], classifier: ctx.classifier },
        signal,
      );
      return completionOutput(agentId, config.model, body);
    },
  };
}

/** @internal */
export function chatRequest(config: OpenAIAdapterConfig, input: unknown): Record<string, unknown> {
  const messages: { role: 'system' | 'user'; content: string }[] = [];
  if (config.systemPrompt !== undefined) messages.push({ role: 'system', content: config.systemPrompt });
  messages.push({ role: 'user', content: userMessage(input) });
  const body: Record<string, unknown> = { model: config.model, messages };
  if (config.temperature !== undefined) body['temperature'] = config.temperature;
  if (config.maxTokens !== undefined) body['max_tokens'] = config.maxTokens;
  return body;
}

function userMessage(input: unknown): string {
  if (typeof input === 'string') return input;
  if (typeof input === 'object' && input !== null && 'prompt' in input) {
    const prompt = (input as { prompt: unknown }).prompt;
    if (prompt !== undefined && prompt !== null) return typeof prompt === 'string' ? prompt : JSON.stringify(prompt);
  }
  return JSON.stringify(input) ?? '';
}

/** @internal */
export function completionOutput(agentId: string, model: string, body: unknown): OpenAIOutput {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    choices?: unknown;
    model?: unknown;
    usage?: unknown;
  };
  const first: unknown = Array.isArray(b.choices) ? b.choices[0] : undefined;
  const content: unknown = (first as { message?: { content?: unknown } } | undefined)?.message?.content;
  if (typeof content !== 'string') {
    throw forAgent(
      wardenError('AGENT_RESPONSE_MALFORMED', `agent answered without choices[0].message.content: ${snippet(JSON.stringify(body) ?? '')}`),
      agentId,
    );
  }
  const out: OpenAIOutput = { text: content, model: typeof b.model === 'string' ? b.model : model, usage: b.usage };
  const json = jsonObjectIn(content);
  if (json !== undefined) out.json = json;
  return out;
}

const FENCE = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i;

/** `text` parsed as a JSON object, allowing the ```json fence models like to add; else undefined. */
function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  const candidate = FENCE.exec(trimmed)?.[1] ?? trimmed;
  if (!candidate.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(candidate);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
