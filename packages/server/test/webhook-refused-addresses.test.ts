import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatApp, createChannel, send } from './helpers/chat.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { insertWebhook, outboxOf } from './helpers/webhooks.js';

/**
 * The outbound guard judges a webhook's address at every delivery: a name
 * that resolves to loopback is refused unless its exact host:port is on the
 * operator's allowlist, and the refusal is recorded, never sent.
 */
describe.each(storeKinds)('webhook deliveries to refused addresses (%s)', (kind) => {
  let t: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // Not `allowListedOnly`: public addresses would go; loopback only where listed.
    t = await startTestServer(kind, {
      outbound: { allowHosts: [receiver.hostPort] },
      webhooks: { pollMs: 30, schedule: { delaysMs: [50], windowMs: 600_000, jitter: 0 } },
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('refuses a URL that resolves to 127.0.0.1 unless its host:port is allowlisted, and records why', async () => {
    const chat = await chatApp(t, ['alice']);
    const store = t.server.context.store;
    // The same receiver twice: by the listed 127.0.0.1:port, and by `localhost`, which resolves to loopback but is not listed.
    const listed = await insertWebhook(store, chat.appId, receiver.url, { events: ['message.new'] });
    const unlisted = await insertWebhook(store, chat.appId, `http://localhost:${receiver.port}/hooks`, { events: ['message.new'] });
    const alice = { token: chat.users.alice!.token };
    await createChannel(t, alice, { type: 'messaging', id: 'ssrf' });
    await send(t, alice, 'ssrf', { text: 'inside?' });

    await receiver.waitFor((rs) => rs.some((r) => r.body.type === 'message.new'));
    const deadline = Date.now() + 10_000;
    let refused = (await outboxOf(store, unlisted.id))[0];
    while ((refused?.attempts ?? 0) < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      refused = (await outboxOf(store, unlisted.id))[0];
    }
    expect(refused).toMatchObject({ status: 'pending', last_status_code: null });
    expect(refused!.attempts).toBeGreaterThanOrEqual(2);
    expect(refused!.last_error).toMatch(/^refused_address: localhost:\d+ is a loopback address/);
    // Only the listed webhook's delivery reached the receiver; the refused one never did.
    expect(receiver.received.filter((r) => r.body.type === 'message.new')).toHaveLength(1);
    expect(receiver.received.every((r) => r.headers.host === receiver.hostPort)).toBe(true);
    expect((await outboxOf(store, listed.id))[0]).toMatchObject({ status: 'delivered' });
  });
});
