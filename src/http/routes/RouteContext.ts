import type { MiddlewareHandler } from 'hono';
import type { Redactor } from '../../escalation/redact.js';
import type { Engine } from '../../lifecycle/Engine.js';

/** What every route module is registered with. @internal */
export interface RouteContext {
  engine: Engine;
  /** Requires the admin token, when one is configured. */
  admin: MiddlewareHandler;
  /** The deepest JSON nesting accepted in a request body. */
  maxJsonDepth: number;
  /** Blanks out secret values; applied to everything the API sends. */
  redact: Redactor;
}
