import type { TypedApp } from '../typed.js';

/** `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the route schemas. */
export function openApiRoutes(app: TypedApp): void {
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
