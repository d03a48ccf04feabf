import { LIMITS } from '@chatsdk/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body may be left out: no body at all is taken as `{}` (a JSON `null` is still refused). */
    optionalBody?: boolean;
  }
}

/**
 * Refuses NUL characters (PostgreSQL cannot store them, so no store may) and
 * nesting deeper than the limit (which would overflow a recursive
 * serialiser later). Walks without recursion: the input may be deep.
 */
function checkInput(part: string, root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value === 'string') {
      if (value.includes('\u0000')) throw new ApiError('validation_failed', `${part} has a string with a NUL character`);
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= LIMITS.jsonDepth) throw new ApiError('validation_failed', `${part} is nested deeper than ${LIMITS.jsonDepth} levels`);
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) throw new ApiError('validation_failed', `${part} has a key with a NUL character`);
        stack.push({ value: child, depth: depth + 1 });
      }
    }
  }
}

/** The schema of a part that takes no fields, `{}` only; a new object each time, since compilers may annotate it. */
function noFields(): Record<string, unknown> {
  return { type: 'object', properties: {}, additionalProperties: false };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** No body at all is the empty one, for routes whose body is optional. */
async function noBodyIsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}

/**
 * Input rules that hold for every route, present and future. Must be
 * registered before the routes: `onRoute` sees only routes added after it.
 */
export function registerInputGuards(app: FastifyInstance): void {
  // JSON is the only body this API reads; anything else is a 415, not a string to validate.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRoute', (route) => {
    route.schema ??= {};
    // A route that declares no query string takes none: unknown parameters are refused like unknown fields.
    // `properties` must be there, even empty: the OpenAPI generator lists the keys of a schema without it as parameters.
    route.schema.querystring ??= noFields();
    // A route that may carry a body but declares none takes an empty object or nothing, never fields it would ignore.
    const methods = [route.method].flat();
    if (route.schema.body === undefined && methods.some((m) => BODY_METHODS.has(m))) {
      route.schema.body = noFields();
      route.config = { ...route.config, optionalBody: true };
    }
    if (route.config?.optionalBody) route.preValidation = [...[route.preValidation ?? []].flat(), noBodyIsEmpty];
  });

  app.addHook('preValidation', async (request) => {
    checkInput('body', request.body);
    checkInput('querystring', request.query);
    checkInput('params', request.params);
  });
}
