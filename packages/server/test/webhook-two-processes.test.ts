import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { assertCliBuilt, type StartedCli } from './helpers/cli.js';
import { call } from './helpers/http.js';
import { createTestStorage, type TestStorage } from './helpers/stores.js';
import { type WebhookReceiver, startWebhookReceiver } from './helpers/webhook-receiver.js';
import { createAppWithCli, expectInOrderPerChannel, messageOf, tokenOn, webhookCli } from './helpers/webhook-processes.js';
import { insertWebhook } from './helpers/webhooks.js';

const CHANNELS = 6;
const MESSAGES = 240;
/** Sends in flight at once, spread over both processes. */
const IN_FLIGHT = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two real server processes on one PostgreSQL schema both run the outbox
 * worker. Under a burst of sends through both, each event reaches the
 * receiver exactly once (no crash, so no lease runs out), in order per
 * channel, and no more than 4 at a time.
 */
describe.runIf(process.env.DATABASE_URL)('webhook delivery by two processes on one PostgreSQL', () => {
  let storage: TestStorage | undefined;
  let receiver: WebhookReceiver | undefined;
  let a: StartedCli;
  let b: StartedCli;
  const cli = webhookCli(() => storage, () => receiver, 30_000);

  beforeAll(async () => {
    assertCliBuilt();
    storage = await createTestStorage('postgres');
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await cli.killAll();
    await receiver?.close();
    await storage?.destroy();
  });

  it('delivers each event of a burst once, whichever process wrote or sent it', async () => {
    onTestFailed(() => console.error(`--- A stderr\n${a?.stderr()}\n--- B stderr\n${b?.stderr()}`));
    const app = await createAppWithCli(cli, 'Pair');
    const store = storage!.open();
    try {
      const hook = await insertWebhook(store, app.id, receiver!.url, { events: ['message.new'] });
      [a, b] = await Promise.all([cli.start(), cli.start()]);
      const token = await tokenOn(a.baseUrl, app.apiKey, 'alice');
      for (let c = 0; c < CHANNELS; c += 1) {
        const reply = await call(a.baseUrl, '/api/channels', { token, body: { type: 'messaging', id: `pair-${c}` } });
        expect(reply.status).toBe(201);
      }
      // A little slow, so both workers have deliveries in flight at the same time.
      receiver!.delay(5);
      let next = 0;
      const sent = new Set<string>();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async (_, w) => {
          const base = w % 2 === 0 ? a.baseUrl : b.baseUrl;
          for (let i = next++; i < MESSAGES; i = next++) {
            const reply = await call<{ message: { id: string } }>(base, `/api/channels/pair-${i % CHANNELS}/messages`, { token, body: { text: `pair ${i}` } });
            expect(reply.status).toBe(201);
            sent.add(reply.body.message.id);
          }
        }),
      );
      expect(sent.size).toBe(MESSAGES);

      await receiver!.waitFor(() => new Set(receiver!.accepted().map((r) => r.id)).size >= MESSAGES, 60_000);
      // Time for a second send of anything, had one been coming.
      await sleep(1000);
      const accepted = receiver!.accepted();
      expect(accepted).toHaveLength(MESSAGES);
      expect(new Set(accepted.map((r) => r.id)).size).toBe(MESSAGES);
      expect(new Set(accepted.map((r) => messageOf(r)!.id))).toEqual(sent);
      expectInOrderPerChannel(accepted);
      expect(receiver!.maxConcurrent()).toBeLessThanOrEqual(4);
      const rows = await store.db.selectFrom('outbox').select(['status', 'attempts']).where('target_id', '=', hook.id).execute();
      expect(rows).toHaveLength(MESSAGES);
      expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);
});
