import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LIMITS } from '@chatsdk/protocol';
import { ErrorResponse } from '@chatsdk/protocol/schemas';
import Fastify, { type FastifyServerOptions, type RouteOptions } from 'fastify';
import { randomToken } from '../domain/common/ids.js';
import { registerAuth } from './auth.js';
import { answerClientError } from './client-errors.js';
import type { ServerContext } from './context.js';
import { registerCors } from './cors.js';
import { registerErrorHandling, sendError } from './errors.js';
import { registerInputGuards } from './input-guards.js';
import { applyOptionalBodies, markOptionalBody } from './openapi-document.js';
import { setBaseHeaders } from './response-headers.js';
import { appSettingsRoutes } from './routes/app-settings.js';
import { blockRoutes } from './routes/blocks.js';
import { channelRoutes } from './routes/channels.js';
import { healthRoutes } from './routes/health.js';
import { memberRoutes } from './routes/members.js';
import { mentionRoutes } from './routes/mentions.js';
import { messageHistoryRoutes } from './routes/message-history.js';
import { messageRoutes } from './routes/messages.js';
import { auditRoutes } from './routes/moderation-audit.js';
import { banRoutes } from './routes/moderation-bans.js';
import { blocklistRoutes } from './routes/moderation-blocklists.js';
import { flagRoutes } from './routes/moderation-flags.js';
import { muteRoutes } from './routes/mutes.js';
import { openApiRoutes } from './routes/openapi.js';
import { pinRoutes } from './routes/pins.js';
import { presenceRoutes } from './routes/presence.js';
import { reactionRoutes } from './routes/reactions.js';
import { readRoutes } from './routes/reads.js';
import { searchRoutes } from './routes/search.js';
import { tokenRoutes } from './routes/tokens.js';
import { typingRoutes } from './routes/typing.js';
import { uploadRoutes } from './routes/uploads.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { registerShutdownAnswer } from './shutdown.js';
import { type HttpTimeouts, serverTimeoutOptions } from './timeouts.js';
import type { TypedApp } from './typed.js';
import { createValidatorCompiler } from './validation.js';

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** What a server is built with beyond its context. */
export interface HttpAppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Connection and request timeouts; the defaults are `DEFAULT_HTTP_TIMEOUTS`. */
  timeouts?: Partial<HttpTimeouts>;
  /** Told of every route as it is registered, before any other hook sees it: how a test lists what the server serves. */
  onRoute?: (route: RouteOptions) => void;
}

/** Builds the HTTP API over a ready context. The caller listens and closes. */
export async function buildHttpApp(ctx: ServerContext, options: HttpAppOptions = {}): Promise<TypedApp> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: LIMITS.bodyBytes,
    ...serverTimeoutOptions(options.timeouts),
    // Node's own errors (bad framing, oversized headers, timeouts) and the shutdown's 503 in the one error shape.
    clientErrorHandler: answerClientError,
    return503OnClosing: false,
    // A caller's own X-Request-Id is kept when it is sane, so logs on both sides line up.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomToken(9)}`;
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Malformed escapes and over-long path parameters are answered by the router, before any hook runs.
    frameworkErrors: (error, request, reply) => {
      setBaseHeaders(reply, request.id);
      sendError(request, reply, 'validation_failed', error.message);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  const sharedSchemas = [ErrorResponse as unknown as Record<string, unknown>];
  app.setValidatorCompiler(createValidatorCompiler(sharedSchemas));
  for (const schema of sharedSchemas) app.addSchema(schema);
  registerErrorHandling(app, ctx.store);
  registerInputGuards(app);

  // Hooks run in this order: headers every answer carries, the shutdown's 503, CORS preflights, then auth.
  app.addHook('onRequest', async (request, reply) => {
    setBaseHeaders(reply, request.id);
  });
  registerShutdownAnswer(app);
  registerCors(app, ctx.store);

  await app.register(swagger, {
    // Shared schemas keep their $id as their component name (ErrorResponse, not def-0).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: markOptionalBody,
    transformObject: applyOptionalBodies,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ChatSDK API',
        version: ctx.version,
        description: 'Self-hosted chat as a service. Your backend calls POST /api/tokens with X-API-Key; your users call the rest with Authorization: Bearer <token>.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
  });

  registerAuth(app, ctx);
  healthRoutes(app, ctx);
  openApiRoutes(app);
  tokenRoutes(app, ctx);
  presenceRoutes(app, ctx);
  userRoutes(app, ctx);
  appSettingsRoutes(app, ctx);
  channelRoutes(app, ctx);
  memberRoutes(app, ctx);
  messageRoutes(app, ctx);
  messageHistoryRoutes(app, ctx);
  pinRoutes(app, ctx);
  mentionRoutes(app, ctx);
  searchRoutes(app, ctx);
  reactionRoutes(app, ctx);
  readRoutes(app, ctx);
  typingRoutes(app, ctx);
  blockRoutes(app, ctx);
  uploadRoutes(app, ctx);
  webhookRoutes(app, ctx);
  banRoutes(app, ctx);
  blocklistRoutes(app, ctx);
  flagRoutes(app, ctx);
  muteRoutes(app, ctx);
  auditRoutes(app, ctx);
  return app;
}
