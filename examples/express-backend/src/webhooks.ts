import { verifyWebhook, type WebhookBody, WebhookVerificationError } from '@chatsdk/node';
import express, { type Request, type Response, Router } from 'express';

/** What the receiver does with a verified event: send an email, index a message, run a bot. */
export type EventHandler = (event: WebhookBody, webhookId: string) => void | Promise<void>;

/** How many delivery ids are remembered to drop repeats (deliveries are at least once). */
const SEEN_LIMIT = 10_000;

/**
 * `POST /webhooks/chatsdk`: verifies each delivery on its raw body (a body
 * parsed and serialised again would not match the signature) and hands it on
 * once. `secrets` holds the webhook's secret, or both during a rotation.
 */
export function webhookRouter(secrets: readonly string[], handle: EventHandler): Router {
  const seen = new Set<string>();
  const router = Router();
  router.post('/webhooks/chatsdk', express.raw({ type: 'application/json', limit: '1mb' }), async (req: Request, res: Response) => {
    let event: WebhookBody;
    try {
      event = verifyWebhook(req.headers, req.body as Buffer, secrets);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      res.status(error.reason === 'invalid_signature' ? 401 : 400).json({ error: { code: error.reason, message: error.message } });
      return;
    }
    const id = req.get('webhook-id') ?? '';
    // A repeat (a retry whose answer was lost, a replay) is acknowledged again without being handled twice.
    if (!seen.has(id)) {
      await handle(event, id);
      remember(seen, id);
    }
    res.status(204).end();
  });
  return router;
}

function remember(seen: Set<string>, id: string): void {
  seen.add(id);
  // A Set iterates in insertion order, so the first entry is the oldest.
  if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
}
