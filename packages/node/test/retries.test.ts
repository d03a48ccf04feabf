import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatSDK, type ChatSDKError, ChatSDKNetworkError } from '../src/index.js';
import { errorBody, json, type ScriptedServer, startScriptedServer } from './helpers.js';

/** What a real server does when it shuts down or its store is gone. */
const unavailable = (res: ServerResponse) => json(res, 503, errorBody('service_unavailable', 503));

describe('retries: idempotent calls are sent again on 502/503/504 and network errors, others once', () => {
  let flaky: ScriptedServer | undefined;
  afterEach(async () => {
    await flaky?.close();
    flaky = undefined;
  });

  /** A server failing the first `failures` requests (with `fail`), then answering `ok` with `status`. */
  async function start(failures: number, ok: unknown, status = 200, fail: (res: ServerResponse) => void = unavailable): Promise<ChatSDK> {
    flaky = await startScriptedServer((n, _req, _body, res) => (n < failures ? fail(res) : json(res, status, ok)));
    return new ChatSDK({ apiUrl: flaky.url, apiKey: 'k' });
  }
  const count = () => flaky?.requests.length ?? 0;

  it('a GET answered 503, 503 then 200 resolves, after backing off', async () => {
    const sdk = await start(2, { channel: { id: 'c' }, lastMessage: null, membership: null });
    const state = await sdk.channels.get('c');
    expect(state.channel.id).toBe('c');
    expect(count()).toBe(3);
    const [a, b, c] = flaky?.requests ?? [];
    // The first wait is 125–250 ms, the second 250–500 ms.
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(120);
    expect((c?.at ?? 0) - (b?.at ?? 0)).toBeGreaterThanOrEqual(245);
  });

  it('gives up after `retries` more attempts with the last answer\'s error', async () => {
    const sdk = await start(10, {});
    const error = (await sdk.users.get('ada').catch((e: unknown) => e)) as ChatSDKError;
    expect([error.code, error.status, error.attempts, error.requestId]).toEqual(['service_unavailable', 503, 3, 'req_scripted']);
    expect(count()).toBe(3);
  });

  it('DELETE and createToken (an upsert) are retried; so are 502 and 504', async () => {
    let sdk = await start(1, { token: 't', wsToken: 'w', user: { id: 'ada' }, expiresIn: 60 }, 200, (res) => json(res, 502, {}));
    expect((await sdk.createToken({ userId: 'ada' })).token).toBe('t');
    expect(count()).toBe(2);
    await flaky?.close();
    sdk = await start(1, {}, 204, (res) => json(res, 504, {}));
    await sdk.channels.delete('c');
    expect(flaky?.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('a send with its own message id is retried; the same body is sent each time', async () => {
    const sdk = await start(1, { message: { id: 'm1' } }, 201);
    expect((await sdk.channels.sendMessage('c', { id: 'm1', userId: 'ada', text: 'hi' })).id).toBe('m1');
    expect(count()).toBe(2);
    expect(flaky?.requests[0]?.body).toBe(flaky?.requests[1]?.body);
  });

  it('a send without an id is sent once: a lost answer could mean a sent message', async () => {
    const sdk = await start(1, { message: { id: 'm1' } }, 201);
    await expect(sdk.channels.sendMessage('c', { userId: 'ada', text: 'hi' })).rejects.toMatchObject({ code: 'service_unavailable', attempts: 1 });
    expect(count()).toBe(1);
  });

  it('creating or rotating a webhook, a replay, a PATCH and a create without id are each sent once', async () => {
    const sdk = await start(100, {});
    const calls: (() => Promise<unknown>)[] = [
      () => sdk.webhooks.create({ url: 'https://example.com/hook' }),
      () => sdk.webhooks.rotateSecret('wh1'),
      () => sdk.webhooks.replay('wh1', new Date(0)),
      () => sdk.webhooks.update('wh1', { description: 'x' }),
      () => sdk.channels.update('c', { name: 'n' }),
      () => sdk.channels.create({ type: 'team', name: 'no id' }),
    ];
    for (const [i, call] of calls.entries()) {
      await expect(call()).rejects.toMatchObject({ status: 503, attempts: 1 });
      expect(count()).toBe(i + 1);
    }
  });

  it('a 500, a 429 or a 4xx is answered at once, even for a GET', async () => {
    for (const status of [500, 429, 404]) {
      const sdk = await start(1, {}, 200, (res) => json(res, status, errorBody('internal_error', status)));
      await expect(sdk.users.get('ada')).rejects.toMatchObject({ status, attempts: 1 });
      expect(count()).toBe(1);
      await flaky?.close();
    }
  });

  it('a connection cut before the answer is retried for a GET, and not for a POST', async () => {
    const cutFirst = async () => {
      flaky = await startScriptedServer((n, req, _body, res) => (n === 0 ? req.socket.destroy() : json(res, 200, { webhooks: [] })));
      return new ChatSDK({ apiUrl: flaky.url, apiKey: 'k' });
    };
    let sdk = await cutFirst();
    expect(await sdk.webhooks.list()).toEqual([]);
    expect(count()).toBe(2);
    await flaky?.close();

    sdk = await cutFirst();
    const error = await sdk.webhooks.create({ url: 'https://example.com/hook' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatSDKNetworkError);
    expect(error).toMatchObject({ code: 'network_error', attempts: 1 });
    expect(count()).toBe(1);
  });

  it('a GET that timed out is sent again; a send without an id that timed out is not', async () => {
    // The first request is never answered; the ones after it are.
    flaky = await startScriptedServer((n, _req, _body, res) => (n === 0 ? undefined : json(res, 200, { user: { id: 'ada' }, message: { id: 'm' } })));
    const sdk = new ChatSDK({ apiUrl: flaky.url, apiKey: 'k', timeoutMs: 300 });
    expect((await sdk.users.get('ada')).id).toBe('ada');
    expect(count()).toBe(2);

    await flaky.close();
    flaky = await startScriptedServer((n, _req, _body, res) => (n === 0 ? undefined : json(res, 201, { message: { id: 'm' } })));
    const once = new ChatSDK({ apiUrl: flaky.url, apiKey: 'k', timeoutMs: 300 });
    await expect(once.channels.sendMessage('c', { userId: 'ada', text: 'hi' })).rejects.toMatchObject({ code: 'timeout', attempts: 1 });
    expect(count()).toBe(1);
  });

  it('retries: 0 turns retries off; Retry-After is waited for', async () => {
    flaky = await startScriptedServer((n, _req, _body, res) =>
      n === 0 ? json(res, 503, errorBody('service_unavailable', 503), { 'Retry-After': '1' }) : json(res, 200, { user: { id: 'ada' } }),
    );
    const once = new ChatSDK({ apiUrl: flaky.url, apiKey: 'k', retries: 0 });
    await expect(once.users.get('ada')).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(count()).toBe(1);

    const patient = new ChatSDK({ apiUrl: flaky.url, apiKey: 'k' });
    flaky.requests.length = 0;
    const started = Date.now();
    expect((await patient.users.get('ada')).id).toBe('ada');
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(count()).toBe(2);
  });
});
