import type { MessageNewEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../src/index.js';
import { storeKinds } from '../../server/test/helpers/stores.js';
import { type Chat, type ScriptedServer, startChat, startScriptedServer } from './helpers.js';

/** Resolves once `check` returns a value, or fails after `ms`. */
async function until<T>(check: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(storeKinds)('webhooks.* against a real server (%s) delivering to a local receiver', (kind) => {
  let chat: Chat;
  let receiver: ScriptedServer;

  beforeAll(async () => {
    receiver = await startScriptedServer((_n, _req, _body, res) => res.writeHead(204).end());
    // The receiver is on loopback: the operator's allowlist lets the server deliver there.
    chat = await startChat({ outbound: { allowHosts: [new URL(receiver.url).host] }, webhooks: { pollMs: 50 } }, kind);
    await chat.sdk.upsertUsers([{ id: 'alice' }, { id: 'bob' }]);
    await chat.sdk.channels.create({ type: 'messaging', id: 'hooks', members: ['alice', 'bob'], createdBy: 'alice' });
  });
  afterAll(async () => {
    await chat?.close();
    await receiver?.close();
  });

  /** The delivery of the message `id`, once it came. */
  const deliveryOf = (messageId: string) =>
    until(() =>
      receiver.requests.find((r) => {
        const body = JSON.parse(r.body) as { type: string; data: Partial<MessageNewEvent> };
        return body.type === 'message.new' && body.data.message?.id === messageId;
      }),
    );

  it('create, list, get, update, deliveries, rotate, replay and delete, with each delivery verified', async () => {
    const created = await chat.sdk.webhooks.create({ url: `${receiver.url}/hook`, events: ['message.*'], description: 'tests' });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ url: `${receiver.url}/hook`, events: ['message.*'], description: 'tests', disabledAt: null });
    expect((await chat.sdk.webhooks.list()).map((w) => w.id)).toEqual([created.id]);
    const got = await chat.sdk.webhooks.get(created.id);
    expect(got.id).toBe(created.id);
    expect(got).not.toHaveProperty('secret');

    // A message sent through the SDK arrives signed with the secret create answered.
    const sent = await chat.sdk.channels.sendMessage('hooks', { userId: 'alice', text: 'to the hook' });
    const first = await deliveryOf(sent.id);
    const event = verifyWebhook(first.headers, first.body, created.secret);
    expect(event.type).toBe('message.new');
    expect((event.data as MessageNewEvent).message.text).toBe('to the hook');
    // The receiver has it a moment before the log does: the worker records what it sent with its next claim.
    const log = await until(async () => {
      const page = await chat.sdk.webhooks.deliveries(created.id, { status: 'delivered' });
      return page.deliveries.some((d) => d.id === first.headers['webhook-id']) ? page : undefined;
    });
    expect(log.deliveries.find((d) => d.id === first.headers['webhook-id'])).toMatchObject({ status: 'delivered', lastStatusCode: 204 });

    // After a rotation both secrets sign, so a receiver holding either one verifies.
    const rotated = await chat.sdk.webhooks.rotateSecret(created.id);
    expect(rotated.secret).not.toBe(created.secret);
    const second = await deliveryOf((await chat.sdk.channels.sendMessage('hooks', { userId: 'bob', text: 'after rotation' })).id);
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(second.headers, second.body, created.secret).type).toBe('message.new');
    expect(verifyWebhook(second.headers, second.body, rotated.secret).type).toBe('message.new');
    expect(() => verifyWebhook(first.headers, first.body, rotated.secret)).toThrow(WebhookVerificationError);

    // A replay sends the same events again, under the same webhook-id.
    const before = receiver.requests.length;
    const replay = await chat.sdk.webhooks.replay(created.id, new Date(Date.now() - 60_000));
    expect(replay.replayed).toBeGreaterThanOrEqual(2);
    const again = await until(() => receiver.requests.slice(before).find((r) => r.headers['webhook-id'] === first.headers['webhook-id']));
    expect(verifyWebhook(again.headers, again.body, rotated.secret).type).toBe('message.new');

    const updated = await chat.sdk.webhooks.update(created.id, { events: ['message.new', 'member.added'], description: 'narrower' });
    expect(updated).toMatchObject({ events: ['message.new', 'member.added'], description: 'narrower' });

    await chat.sdk.webhooks.delete(created.id);
    expect(await chat.sdk.webhooks.list()).toEqual([]);
    await expect(chat.sdk.webhooks.get(created.id)).rejects.toMatchObject({ code: 'webhook_not_found', status: 404 });
  });

  it('a refused URL is webhook_url_refused, and a user token cannot reach the routes', async () => {
    await expect(chat.sdk.webhooks.create({ url: 'http://127.0.0.1:9/hook' })).rejects.toMatchObject({ code: 'webhook_url_refused', status: 400 });
    const { token } = await chat.sdk.createToken({ userId: 'alice' });
    expect((await chat.asUser(token, '/api/app/webhooks')).status).toBe(403);
  });
});
