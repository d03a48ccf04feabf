import {
  ApiKeyParams,
  ApiKeyResponse,
  ApiKeysResponse,
  AppResponse,
  NewApiKey,
  RotateKeyBody,
  UpdateAppBody,
} from '@chatsdk/protocol/schemas';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey, toWireApiKey } from '../../domain/auth/api-keys.js';
import { toWireApp, updateApp } from '../../domain/auth/apps.js';
import { ApiError } from '../../errors.js';
import { serverActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { setNoStore } from '../response-headers.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['app'];
const config = { access: 'server' } as const;
/** Key creation and rotation take an optional body: no body at all means `{}`. */
const optionalBodyConfig = { access: 'server', optionalBody: true } as const;

/** The app's own settings and API keys, managed by its backend. */
export function appSettingsRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/app',
    { config, schema: { tags, summary: 'The calling app and its settings', security: security.server, response: { 200: AppResponse, ...errorResponses } } },
    async (request) => ({ app: toWireApp(serverActor(request).app) }),
  );

  app.patch(
    '/api/app',
    {
      config,
      schema: {
        tags,
        summary: 'Change the app name, token lifetime or allowed origins',
        security: security.server,
        body: UpdateAppBody,
        response: { 200: AppResponse, ...errorResponses },
      },
    },
    async (request) => {
      const updated = await updateApp(ctx.store, serverActor(request).app.id, request.body);
      if (!updated) throw new ApiError('not_found', 'the app no longer exists');
      return { app: toWireApp(updated) };
    },
  );

  app.get(
    '/api/app/keys',
    { config, schema: { tags, summary: "The app's API keys (hints only)", security: security.server, response: { 200: ApiKeysResponse, ...errorResponses } } },
    async (request) => ({ keys: (await listApiKeys(ctx.store, serverActor(request).app.id)).map(toWireApiKey) }),
  );

  app.post(
    '/api/app/keys',
    {
      config: optionalBodyConfig,
      // No body schema: the input guards give it the empty one, `{}` or nothing.
      schema: {
        tags,
        summary: 'Create an API key; the key is in this answer only',
        security: security.server,
        response: { 201: NewApiKey, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { key, apiKey } = await createApiKey(ctx.store, serverActor(request).app.id);
      setNoStore(reply);
      return reply.code(201).send({ key: toWireApiKey(key), apiKey });
    },
  );

  app.post(
    '/api/app/keys/:id/rotate',
    {
      config: optionalBodyConfig,
      schema: {
        tags,
        summary: 'Issue a successor key; the old one keeps working for overlapSeconds (default 86400)',
        security: security.server,
        params: ApiKeyParams,
        body: RotateKeyBody,
        response: { 201: NewApiKey, ...errorResponses },
      },
    },
    async (request, reply) => {
      const rotated = await rotateApiKey(ctx.store, serverActor(request).app.id, request.params.id, request.body.overlapSeconds);
      if (!rotated) throw new ApiError('api_key_not_found', `no active API key "${request.params.id}" in this app`);
      setNoStore(reply);
      return reply.code(201).send({ key: toWireApiKey(rotated.key), apiKey: rotated.apiKey });
    },
  );

  app.delete(
    '/api/app/keys/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke an API key at once',
        security: security.server,
        params: ApiKeyParams,
        response: { 200: ApiKeyResponse, ...errorResponses },
      },
    },
    async (request) => {
      const key = await revokeApiKey(ctx.store, serverActor(request).app.id, request.params.id);
      if (!key) throw new ApiError('api_key_not_found', `no API key "${request.params.id}" in this app`);
      return { key: toWireApiKey(key) };
    },
  );
}
