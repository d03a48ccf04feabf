import {
  CreateWebhookBody,
  DeliveriesPage,
  ListDeliveriesQuery,
  ReplayResponse,
  ReplayWebhookBody,
  UpdateWebhookBody,
  WebhookParams,
  WebhookResponse,
  WebhooksResponse,
  WebhookWithSecretResponse,
} from '@chatsdk/protocol/schemas';
import { listDeliveries } from '../../domain/webhooks/deliveries.js';
import { replayWebhook } from '../../domain/webhooks/replay.js';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  toWireWebhook,
  updateWebhook,
  type WebhookRecord,
} from '../../domain/webhooks/webhooks.js';
import { ApiError } from '../../errors.js';
import { serverActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { setNoStore } from '../response-headers.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['webhooks'];
/** The app's backend only: a user token is a 403 before any body is read. */
const config = { access: 'server' } as const;

function found(webhook: WebhookRecord | undefined, id: string): WebhookRecord {
  if (!webhook) throw new ApiError('webhook_not_found', `no webhook "${id}" in this app`);
  return webhook;
}

/** `/api/app/webhooks`: the app's endpoints, their delivery log and replay. */
export function webhookRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/app/webhooks',
    {
      config,
      schema: {
        tags,
        summary: 'Add a webhook; its signing secret (whsec_…) is in this answer only',
        security: security.server,
        body: CreateWebhookBody,
        response: { 201: WebhookWithSecretResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { webhook, secret } = await createWebhook(ctx, serverActor(request).app.id, request.body);
      setNoStore(reply);
      return reply.code(201).send({ webhook: { ...toWireWebhook(webhook), secret } });
    },
  );

  app.get(
    '/api/app/webhooks',
    { config, schema: { tags, summary: "The app's webhooks, oldest first (no secrets)", security: security.server, response: { 200: WebhooksResponse, ...errorResponses } } },
    async (request) => ({ webhooks: (await listWebhooks(ctx.store, serverActor(request).app.id)).map((w) => toWireWebhook(w)) }),
  );

  app.get(
    '/api/app/webhooks/:id',
    { config, schema: { tags, summary: 'One webhook (no secret)', security: security.server, params: WebhookParams, response: { 200: WebhookResponse, ...errorResponses } } },
    async (request) => ({ webhook: toWireWebhook(found(await getWebhook(ctx.store, serverActor(request).app.id, request.params.id), request.params.id)) }),
  );

  app.patch(
    '/api/app/webhooks/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change a webhook: url, events, description; disabled false enables it again, true pauses it',
        security: security.server,
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      return { webhook: toWireWebhook(found(await updateWebhook(ctx, serverActor(request).app.id, id, request.body), id)) };
    },
  );

  app.delete(
    '/api/app/webhooks/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a webhook; its pending deliveries are dropped with it',
        security: security.server,
        params: WebhookParams,
        response: { 200: WebhookResponse, ...errorResponses },
      },
    },
    async (request) => ({ webhook: toWireWebhook(found(await deleteWebhook(ctx.store, serverActor(request).app.id, request.params.id), request.params.id)) }),
  );

  app.post(
    '/api/app/webhooks/:id/rotate-secret',
    {
      config,
      schema: {
        tags,
        summary: 'New signing secret, in this answer only; the old one keeps signing beside it for 24 h',
        security: security.server,
        params: WebhookParams,
        response: { 200: WebhookWithSecretResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const rotated = await rotateWebhookSecret(ctx.store, serverActor(request).app.id, id);
      if (!rotated) throw new ApiError('webhook_not_found', `no webhook "${id}" in this app`);
      setNoStore(reply);
      return { webhook: { ...toWireWebhook(rotated.webhook), secret: rotated.secret } };
    },
  );

  app.get(
    '/api/app/webhooks/:id/deliveries',
    {
      config,
      schema: {
        tags,
        summary: "A webhook's delivery log, newest first: attempts, status codes, durations, next retry",
        security: security.server,
        params: WebhookParams,
        querystring: ListDeliveriesQuery,
        response: { 200: DeliveriesPage, ...errorResponses },
      },
    },
    async (request) => {
      const appId = serverActor(request).app.id;
      const { id } = request.params;
      found(await getWebhook(ctx.store, appId, id), id);
      return listDeliveries(ctx.store, appId, id, request.query);
    },
  );

  app.post(
    '/api/app/webhooks/:id/replay',
    {
      config,
      schema: {
        tags,
        summary: 'Send again every event since a time, in order, with its original webhook-id; enables a disabled webhook',
        security: security.server,
        params: WebhookParams,
        body: ReplayWebhookBody,
        response: { 200: ReplayResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const since = Date.parse(request.body.since);
      // The schema's date-time format admits what Date cannot read (a leap second, year 0): still the caller's mistake.
      if (!Number.isFinite(since)) throw new ApiError('validation_failed', 'since is not a time this server can read');
      const outcome = await replayWebhook(ctx.store, serverActor(request).app.id, id, since);
      if (!outcome) throw new ApiError('webhook_not_found', `no webhook "${id}" in this app`);
      return outcome;
    },
  );
}
