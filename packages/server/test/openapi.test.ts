import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

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

  it('is OpenAPI 3.1 with both security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    expect(doc.components.schemas).toHaveProperty('ErrorResponse');
  });

  it('documents every public route with its schemas', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    for (const expected of [
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
      expect(operations).toContain(expected);
    }
    const tokens = doc.paths['/api/tokens']?.post;
    expect(tokens?.security).toEqual([{ apiKey: [] }]);
    expect(tokens?.requestBody).toBeDefined();
    expect(Object.keys(tokens?.responses ?? {})).toEqual(expect.arrayContaining(['200', '4XX']));
  });
});
