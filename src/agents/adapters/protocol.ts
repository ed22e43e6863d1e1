/**
 * The agent protocol (CONTRACT §2) as data: the request body, the request headers, and where
 * the output sits in an answer. Shared by every adapter that speaks it (`http`, `command`).
 * @internal
 */
import type { AgentRequest } from '../AgentAdapter.js';

/** The JSON body of a protocol request: the request without its key, which travels as a header. */
export type ProtocolBody = Omit<AgentRequest, 'idempotencyKey'>;

/**
 * The request body. Built field by field so that nothing else on the request (such as the
 * idempotency key, which travels as a header) leaks into it.
 *
 * @internal
 */
export function protocolBody(req: AgentRequest): ProtocolBody {
  return {
    taskId: req.taskId,
    workflow: req.workflow,
    input: req.input,
    attempt: req.attempt,
    agent: req.agent,
    deadline: req.deadline,
  };
}

/**
 * The headers the protocol requires. Adapters apply them after any configured headers, so
 * configuration cannot change them.
 *
 * @internal
 */
export function protocolHeaders(req: AgentRequest): Record<string, string> {
  return {
    'content-type': 'application/json',
    'idempotency-key': req.idempotencyKey,
    'x-warden-task-id': req.taskId,
  };
}

/**
 * The task's output in an agent's answer: `body.output` when the body is an object with an
 * `output` key, the whole body otherwise.
 *
 * @internal
 */
export function outputOf(body: unknown): unknown {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'output')) {
    return (body as { output: unknown }).output;
  }
  return body;
}
