/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas of `schemas.ts` through
 * `z.toJSONSchema` and a small route table (`apiRoutes.ts`), never written by hand.
 * @module
 */
import { z } from 'zod';

/** One answer of a route. A JSON answer names a registered schema; other content types may omit it. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to `application/json`. */
  contentType?: string;
}

/** One route, as the document describes it. */
export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono style: `/api/tasks/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Needs the admin token when `WARDEN_ADMIN_TOKEN` is set. */
  admin?: boolean;
  /** Served without a token (the dashboard). */
  public?: boolean;
  query?: z.ZodObject;
  /** Request headers the route reads, by name. */
  headers?: Record<string, string>;
  body?: { schema: z.ZodType; required: boolean; description?: string };
  responses: Record<number, ResponseSpec>;
}

type Json = Record<string, unknown>;

/** Schema ids that are artefacts of single-file JSON Schema, not of a component inside OpenAPI. */
function component(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** `/api/tasks/:id` → `/api/tasks/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

/**
 * Builds the document.
 *
 * @param routes the routes to describe
 * @param schemas named response schemas, which become `components.schemas`; a JSON answer must use one of them
 * @param extra routes the app serves but no spec names (another module's); listed with a bare description
 */
export function buildOpenApi(
  routes: readonly RouteSpec[],
  schemas: Readonly<Record<string, z.ZodType>>,
  info: { title: string; version: string; description?: string },
  extra: readonly { method: string; path: string }[] = [],
): Json {
  const registry = z.registry<{ id: string }>();
  const idOf = new Map<z.ZodType, string>();
  for (const [id, s] of Object.entries(schemas)) {
    registry.add(s, { id });
    idOf.set(s, id);
  }
  const generated = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'output', uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, Json>;
  };
  const components = Object.fromEntries(Object.entries(generated.schemas).map(([id, s]) => [id, component(s)]));

  const ref = (s: z.ZodType, where: string): Json => {
    const id = idOf.get(s);
    if (!id) throw new Error(`openapi: the answer schema of ${where} is not a named component`);
    return { $ref: `#/components/schemas/${id}` };
  };
  const input = (s: z.ZodType): Json => component(z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input' }) as Json);

  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const where = `${r.method.toUpperCase()} ${r.path}`;
    const parameters: Json[] = [...r.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const q = input(r.query) as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        const { description, ...rest } = schema;
        parameters.push({
          name,
          in: 'query',
          required: q.required?.includes(name) ?? false,
          schema: rest,
          ...(description ? { description } : {}),
        });
      }
    }
    for (const [name, description] of Object.entries(r.headers ?? {}))
      parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
    const responses: Json = {};
    for (const [status, res] of Object.entries(r.responses)) {
      const type = res.contentType ?? 'application/json';
      responses[status] = {
        description: res.description,
        content: {
          [type]: res.schema
            ? { schema: ref(res.schema, where) }
            : type === 'application/json'
              ? { schema: {} }
              : { schema: { type: 'string' } },
        },
      };
    }
    const op: Json = {
      operationId: operationId(r),
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: r.body.required,
              ...(r.body.description ? { description: r.body.description } : {}),
              content: { 'application/json': { schema: input(r.body.schema) } },
            },
          }
        : {}),
      responses,
      ...(r.public ? { security: [] } : r.admin ? { security: [{ bearer: [] }], 'x-warden-admin': true } : {}),
    };
    (paths[openApiPath(r.path)] ??= {})[r.method] = op;
  }
  for (const e of extra) {
    const method = e.method.toLowerCase();
    const p = openApiPath(e.path);
    if (paths[p]?.[method]) continue;
    (paths[p] ??= {})[method] = {
      summary: `${e.method} ${e.path}`,
      description: 'Served by another module; not described here.',
      responses: { default: { description: 'See the module that serves it.' } },
    };
  }

  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'WARDEN_API_TOKEN, when set, for every /api/* and /metrics request; WARDEN_ADMIN_TOKEN, when set, for admin actions.',
        },
      },
    },
  };
}

function operationId(r: RouteSpec): string {
  const words = r.path
    .split('/')
    .filter((s) => s && s !== 'api')
    .map((s) => (s.startsWith(':') ? `by-${s.slice(1)}` : s))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [r.method, ...words].map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
}
