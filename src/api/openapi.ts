import { z } from 'zod';
import { ECOMMERCE_EVENTS } from '../ingest/ecommerce.js';
import type { Route } from './routes.js';
import { ErrorOut } from './schemas.js';

/** The OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

/** One operation of the document (the fields the docs page reads). */
export interface Operation {
  tags: string[];
  summary: string;
  description?: string;
  operationId: string;
  security: Record<string, string[]>[];
  parameters: {
    name: string;
    in: 'path' | 'query';
    required: boolean;
    description?: string;
    schema: unknown;
  }[];
  requestBody?: {
    required: boolean;
    content: { 'application/json': { schema: unknown; example?: unknown } };
  };
  responses: Record<string, { description: string; content?: { 'application/json': { schema: unknown } } }>;
  'x-access': string;
}

const schemaName = (event: string) => `${event.replace(/[^A-Za-z0-9]/g, '')}Properties`;

/**
 * Generates the OpenAPI document from the route table and the very zod schemas that validate
 * requests, so the documentation cannot drift from the behaviour.
 */
export function buildOpenApi(routes: readonly Route[], version: string): OpenApiDocument {
  const components: Record<string, unknown> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output') => {
    const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    const { $schema: _, $defs, ...rest } = json;
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, unknown>))
      components[name] = rewriteRefs(def);
    return rewriteRefs(rest);
  };
  for (const [event, schema] of Object.entries(ECOMMERCE_EVENTS))
    components[schemaName(event)] = convert(schema, 'input');
  components.Error = convert(ErrorOut, 'output');

  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1]!,
      in: 'path' as const,
      required: true,
      schema: { type: 'string' },
    }));
    const query = route.query
      ? (convert(route.query, 'input') as {
          properties?: Record<string, { description?: string }>;
          required?: string[];
        })
      : {};
    const queryParams = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query' as const,
      required: query.required?.includes(name) ?? false,
      description: schema.description,
      schema,
    }));
    const responses: Operation['responses'] = {
      '200': {
        description: route.response.description,
        content: { 'application/json': { schema: convert(route.response.schema, 'output') } },
      },
    };
    if (route.body || route.query)
      responses['400'] = errorResponse('Invalid JSON or a field failed validation; the message names it');
    if (route.access !== 'public') responses['401'] = errorResponse('Missing or invalid API key');
    if (route.access === 'admin') responses['403'] = errorResponse('The write key cannot use this endpoint');
    if (route.path.includes(':')) responses['404'] = errorResponse('Not found');
    if (route.body) {
      responses['413'] = errorResponse('Body larger than the limit');
      responses['415'] = errorResponse('Body is not JSON');
    }
    const operation: Operation = {
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      operationId: `${route.method}${route.path.replace(/\/:?(\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
      security: route.access === 'public' ? [] : [{ bearer: [] }, { basic: [] }],
      parameters: [...params, ...queryParams],
      responses,
      'x-access': route.access,
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: convert(route.body.schema, 'input'),
            ...(route.body.example ? { example: route.body.example } : {}),
          },
        },
      };
    }
    paths[path] = { ...paths[path], [route.method]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Cartwise API',
      version,
      description:
        'Events (Segment-compatible), catalog and users of an online store. Authenticate with the write key (events only, safe in a browser) or the admin key (everything), as `Authorization: Bearer <key>` or Basic auth with the key as user name. Errors are `{"error":{"code","message","details"}}`.\n\n' +
        `Typed e-commerce events (their properties are checked; other event names are stored as sent): ${Object.keys(
          ECOMMERCE_EVENTS,
        )
          .map((e) => `\`${e}\` ([schema](#/components/schemas/${schemaName(e)}))`)
          .join(', ')}.`,
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Write key or admin key' },
        basic: {
          type: 'http',
          scheme: 'basic',
          description: 'The key as user name, empty password (Segment style)',
        },
      },
    },
  };
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string'
          ? v.replace('#/$defs/', '#/components/schemas/')
          : rewriteRefs(v),
      ]),
    );
  }
  return value;
}
