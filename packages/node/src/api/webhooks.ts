import type {
  CreateWebhookBody,
  DeliveriesPage,
  ListDeliveriesQuery,
  ReplayResponse,
  UpdateWebhookBody,
  Webhook,
  WebhookResponse,
  WebhooksResponse,
  WebhookWithSecret,
  WebhookWithSecretResponse,
} from '@chatsdk/protocol';
import { segment, type Transport } from '../http/transport.js';

/** The app's webhook endpoints, their delivery log and replays. */
export class WebhooksApi {
  constructor(private readonly http: Transport) {}

  /** Registers an endpoint; its `secret` (`whsec_…`) is in this answer only: keep it for `verifyWebhook`. Sent once. */
  async create(body: CreateWebhookBody): Promise<WebhookWithSecret> {
    return (await this.http.request<WebhookWithSecretResponse>({ method: 'POST', path: '/api/app/webhooks', body })).webhook;
  }

  /** Every endpoint of the app (without secrets). */
  async list(): Promise<Webhook[]> {
    return (await this.http.request<WebhooksResponse>({ method: 'GET', path: '/api/app/webhooks' })).webhooks;
  }

  /** One endpoint (without its secret). */
  async get(webhookId: string): Promise<Webhook> {
    return (await this.http.request<WebhookResponse>({ method: 'GET', path: this.path(webhookId) })).webhook;
  }

  /** Changes url, events or description; `{ disabled: false }` enables a disabled endpoint again. */
  async update(webhookId: string, body: UpdateWebhookBody): Promise<Webhook> {
    return (await this.http.request<WebhookResponse>({ method: 'PATCH', path: this.path(webhookId), body })).webhook;
  }

  /** Removes an endpoint; its pending deliveries are dropped. */
  async delete(webhookId: string): Promise<void> {
    await this.http.request<undefined>({ method: 'DELETE', path: this.path(webhookId) });
  }

  /**
   * A new secret, answered once; the old one keeps signing beside it for
   * 24 h, so give `verifyWebhook` both until you have switched. Sent once: a
   * second rotation would end the first one's new secret.
   */
  async rotateSecret(webhookId: string): Promise<WebhookWithSecret> {
    return (await this.http.request<WebhookWithSecretResponse>({ method: 'POST', path: `${this.path(webhookId)}/rotate-secret` })).webhook;
  }

  /** The delivery log, in pages (`next` is the following page's cursor). */
  deliveries(webhookId: string, query: ListDeliveriesQuery = {}): Promise<DeliveriesPage> {
    return this.http.request({ method: 'GET', path: `${this.path(webhookId)}/deliveries`, query: { ...query } });
  }

  /** Sends every event since `since` again (receivers drop repeats by `webhook-id`). Sent once. */
  replay(webhookId: string, since: Date | string): Promise<ReplayResponse> {
    const body = { since: since instanceof Date ? since.toISOString() : since };
    return this.http.request({ method: 'POST', path: `${this.path(webhookId)}/replay`, body });
  }

  private path(webhookId: string): string {
    return `/api/app/webhooks/${segment(webhookId)}`;
  }
}
