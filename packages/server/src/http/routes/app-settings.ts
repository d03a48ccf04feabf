import {
  ApiKeyParams,
  ApiKeyResponse,
  ApiKeysResponse,
  AppResponse,
  NewApiKey,
  RotateKeyBody,
  UpdateAppBody,
  UpdateAppResponse,
} from '@chatsdk/protocol/schemas';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey, toWireApiKey } from '../../domain/auth/api-keys.js';
import { toWireApp, updateApp } from '../../domain/auth/apps.js';
import { hookChange } from '../../domain/hooks/hook-settings.js';
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
        summary: "Change the app's settings; a new before-send hook secret is in this answer only",
        security: security.server,
        body: UpdateAppBody,
        response: { 200: UpdateAppResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { app } = serverActor(request);
      const hook = await hookChange(app, request.body, ctx.webhookUrls, ctx.store.secrets);
      const updated = await updateApp(ctx.store, app.id, request.body, hook?.columns);
      if (!updated) throw new ApiError('not_found', 'the app no longer exists');
      if (hook?.secret === undefined) return { app: toWireApp(updated) };
      setNoStore(reply);
      return { app: toWireApp(updated), beforeSendHookSecret: hook.secret };
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
