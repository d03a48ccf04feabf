import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { assertCliBuilt, type StartedCli } from './helpers/cli.js';
import { call } from './helpers/http.js';
import { createTestStorage, storeKinds, type TestStorage } from './helpers/stores.js';
import { type WebhookReceiver, startWebhookReceiver } from './helpers/webhook-receiver.js';
import { createAppWithCli, expectInOrderPerChannel, messageOf, tokenOn, webhookCli } from './helpers/webhook-processes.js';
import { insertWebhook } from './helpers/webhooks.js';

const CHANNELS = 4;
const MESSAGES = 48;

/**
 * DESIGN §7: nothing committed can be lost. A real server process is killed
 * with SIGKILL while sends are being answered and their deliveries are in
 * flight or waiting; a new process on the same store delivers every message
 * the store holds (at least once: the webhook-id tells repeats apart).
 */
describe.each(storeKinds)('webhook deliveries across a kill -9 (%s)', (kind) => {
  let storage: TestStorage | undefined;
  let receiver: WebhookReceiver | undefined;
  let server: StartedCli | undefined;
  const cli = webhookCli(() => storage, () => receiver);

  beforeAll(async () => {
    assertCliBuilt();
    storage = await createTestStorage(kind);
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => cli.killAll());
  afterAll(async () => {
    await cli.killAll();
    await receiver?.close();
    await storage?.destroy();
  });

  it('delivers every committed message after the process that wrote them was killed', async () => {
    onTestFailed(() => console.error(`--- server stderr\n${server?.stderr()}`));
        const app = await createAppWithCli(cli, 'Crash');
    const store = storage!.open();
    try {
      const hook = await insertWebhook(store, app.id, receiver!.url, { events: ['message.new'] });
      server = await cli.start();
      const token = await tokenOn(server.baseUrl, app.apiKey, 'alice');
      for (let c = 0; c < CHANNELS; c += 1) {
        const reply = await call(server.baseUrl, '/api/channels', { token, body: { type: 'messaging', id: `crash-${c}` } });
        expect(reply.status).toBe(201);
      }
      // A slow endpoint: deliveries pile up behind one another in each channel.
      receiver!.delay(100);
      const base = server.baseUrl;
      let answered = 0;
      let next = 0;
      const killed = new Promise<void>((resolve) => {
        const sender = async () => {
          for (let i = next++; i < MESSAGES; i = next++) {
            try {
              const reply = await call(base, `/api/channels/crash-${i % CHANNELS}/messages`, { token, body: { text: `crash ${i}` } });
              if (reply.status === 201) answered += 1;
            } catch {
              // The process is gone: the send may or may not have committed; the store says which.
            }
            if (answered === MESSAGES / 2) resolve();
          }
        };
        void Promise.all([sender(), sender(), sender(), sender()]).then(() => resolve());
      });
      await killed;
      server.child.kill('SIGKILL');
      await new Promise((resolve) => server!.child.once('close', resolve));

      // What committed is what the store holds, whatever the answers said.
      const committed = await store.db.selectFrom('messages').select('id').where('app_id', '=', app.id).execute();
      const ids = new Set(committed.map((m) => m.id));
      expect(ids.size).toBeGreaterThanOrEqual(MESSAGES / 2);
      const owed = await store.db.selectFrom('outbox').select('seq').where('target_id', '=', hook.id).where('status', '=', 'pending').execute();
      // The test is about deliveries the dead process still owed.
      expect(owed.length).toBeGreaterThan(0);

      receiver!.delay(0);
      server = await cli.start();
      await receiver!.waitFor(() => {
        const got = new Set(receiver!.accepted().map((r) => messageOf(r)?.id));
        return [...ids].every((id) => got.has(id));
      }, 30_000);

      // Every committed message has its one delivery row, and each ends delivered.
      const deadline = Date.now() + 10_000;
      let rows = await store.db.selectFrom('outbox').select(['event_id', 'status']).where('target_id', '=', hook.id).execute();
      while (rows.some((r) => r.status !== 'delivered') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        rows = await store.db.selectFrom('outbox').select(['event_id', 'status']).where('target_id', '=', hook.id).execute();
      }
      expect(rows).toHaveLength(ids.size);
      expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
      // Each committed message has one event id, and that is what the receiver saw; repeats carry the same id.
      const byId = new Map<string, string>();
      for (const request of receiver!.accepted()) {
        const message = messageOf(request)!;
        const seen = byId.get(message.id);
        if (seen !== undefined) expect(request.id).toBe(seen);
        byId.set(message.id, request.id);
      }
      expect(new Set(byId.values())).toEqual(new Set(rows.map((r) => r.event_id)));
      expectInOrderPerChannel(receiver!.accepted());
    } finally {
      await store.close();
    }
  }, 90_000);
});
