import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../src/http/app.js';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface OpenApiParameter {
  name: string;
  in: string;
  schema?: unknown;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown; parameters?: OpenApiParameter[] }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

/**
 * Routes the server serves that the document leaves out on purpose: HEAD, which Fastify answers for
 * every GET (the same operation without a body), the CORS preflight answerer, and the document itself.
 */
const UNDOCUMENTED = (method: string, url: string) => method === 'HEAD' || (method === 'OPTIONS' && url === '*') || url === '/api/openapi.json';

/** `/api/users/:id` as OpenAPI writes it: `/api/users/{id}`. */
const asTemplate = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('GET /api/openapi.json', () => {
  let t: TestServer;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    const reply = await call<OpenApiDocument>(t.baseUrl, '/api/openapi.json');
    expect(reply.status).toBe(200);
    doc = reply.body;
  });
  afterAll(() => t.close());

  const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));

  it('is OpenAPI 3.1 with both security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    expect(doc.components.schemas).toHaveProperty('ErrorResponse');
  });

  it('is a valid OpenAPI 3.1 document, as a real validator reads it', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists only real parameters: no JSON Schema keyword of a query schema shows up as one', () => {
    const bogus: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const p of op.parameters ?? []) {
          const isSchema = typeof p.schema === 'object' && p.schema !== null;
          // A flattened keyword has a keyword's value for a schema (`"object"`, `false`); no real parameter has these names.
          if (!isSchema || ['properties', 'additionalProperties', 'patternProperties'].includes(p.name)) {
            bogus.push(`${method.toUpperCase()} ${path} ${p.in} "${p.name}"`);
          }
        }
      }
    }
    expect(bogus).toEqual([]);
  });

  it('lists every route the server serves, and no other', async () => {
    // A second app over the same context, told of each route as it is registered.
    const routes: string[] = [];
    const app = await buildHttpApp(t.server.context, {
      onRoute: (route: RouteOptions) => {
        for (const method of [route.method].flat()) if (!UNDOCUMENTED(method, route.url)) routes.push(`${method} ${asTemplate(route.url)}`);
      },
    });
    await app.ready();
    await app.close();
    expect(routes.length).toBeGreaterThan(40);
    expect([...new Set(operations())].sort()).toEqual([...new Set(routes)].sort());
  });

  it('calls a request body required only where a route needs one', () => {
    const required = (method: string, path: string) => (doc.paths[path]?.[method]?.requestBody as { required?: boolean } | undefined)?.required;
    for (const [method, path] of [
      ['post', '/api/users/{id}/revoke-tokens'],
      ['post', '/api/messages/{id}/pin'],
      ['delete', '/api/messages/{id}/pin'],
      ['post', '/api/channels/{id}/truncate'],
      ['post', '/api/channels/{id}/read'],
      ['post', '/api/app/keys'],
      ['post', '/api/app/keys/{id}/rotate'],
    ] as const) {
      expect(required(method, path), `${method} ${path}`).toBe(false);
    }
    expect(required('post', '/api/channels')).toBe(true);
    expect(required('post', '/tokens')).toBe(true);
    expect(JSON.stringify(doc)).not.toContain('x-chatsdk');
  });

  it('documents the guide endpoint POST /tokens like POST /api/tokens, and the public routes with their schemas', () => {
    const listed = operations();
    for (const expected of [
      'POST /tokens',
      'POST /api/tokens',
      'GET /api/users/me',
      'PATCH /api/users/me',
      'GET /api/users/{id}',
      'GET /api/users',
      'POST /api/users',
      'DELETE /api/users/{id}',
      'POST /api/users/{id}/revoke-tokens',
      'GET /api/app',
      'PATCH /api/app',
      'GET /api/app/keys',
      'POST /api/app/keys',
      'POST /api/app/keys/{id}/rotate',
      'DELETE /api/app/keys/{id}',
      'GET /health',
    ]) {
      expect(listed).toContain(expected);
    }
    for (const path of ['/tokens', '/api/tokens']) {
      const tokens = doc.paths[path]?.post;
      expect(tokens?.security, path).toEqual([{ apiKey: [] }]);
      expect(tokens?.requestBody, path).toBeDefined();
      expect(Object.keys(tokens?.responses ?? {}), path).toEqual(expect.arrayContaining(['200', '4XX']));
    }
    expect(doc.paths['/tokens']?.post).toEqual(doc.paths['/api/tokens']?.post);
  });
});
