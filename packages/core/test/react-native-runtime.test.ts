/**
 * `@chatsdk/core` as a React Native app runs it: the built package, bundled with `centrifuge` and
 * `@chatsdk/protocol` as Metro resolves them, in a realm that has React Native's globals and nothing of
 * Node or the DOM (react-native/child.ts), against a real server. A touch of `Buffer`, `process`,
 * `window`, `localStorage`, `indexedDB`, `TextEncoder`, `atob`, or an import of a Node module, fails here.
 */
import { execFileSync } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClient, TokenPair } from '../src/index.js';
import { call } from '../../server/test/helpers/http.js';
import { ABSENT, type Profile, SANDBOX_USER_AGENT } from './react-native/globals.js';
import { type ReactNativeApp, startReactNativeApp } from './react-native/host.js';
import { type Harness, snapshotWhere, startHarness, until } from './helpers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('@chatsdk/core in a React Native runtime', () => {
  let h: Harness;
  let bob: ChatClient;
  let rn: ReactNativeApp | undefined;
  const apps: ReactNativeApp[] = [];
  /** The app's backend: `POST /tokens` for its user, counted, and able to be down. */
  const backend = { calls: 0, down: false, user: 'ann' };
  const chatToken = async (): Promise<TokenPair> => {
    backend.calls++;
    if (backend.down) throw new Error('backend down');
    const { token, wsToken, expiresIn } = await h.tokens(backend.user);
    return { token, wsToken, expiresIn };
  };
  const launch = async (options: { profile?: Profile; saved?: Record<string, string> } = {}) => {
    const app = await startReactNativeApp({ chatToken, ...options });
    apps.push(app);
    return app;
  };
  const running = () => {
    if (!rn) throw new Error('no app running');
    return rn;
  };
  /** The sockets the server accepted from the app, to drop them from the server's side. */
  const appSockets = new Set<Duplex>();
  const serverTexts = async () => (await call<{ messages: Array<{ text: string }> }>(h.t.baseUrl, '/api/channels/rn-room/messages?limit=200', { apiKey: h.apiKey })).body.messages.map((m) => m.text);

  beforeAll(async () => {
    // The package as published: its dist, with the dist of @chatsdk/protocol.
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', 'packages/core'], { cwd: root, stdio: 'pipe' });
    h = await startHarness();
    h.t.server.app.server.on('upgrade', (request, socket) => {
      if (request.headers['user-agent'] === SANDBOX_USER_AGENT) {
        appSockets.add(socket);
        socket.once('close', () => appSockets.delete(socket));
      }
    });
    for (const user of ['ann', 'cy']) await h.tokens(user);
    bob = await h.client('bob');
    await bob.connect();
    await bob.channels.create({ type: 'messaging', id: 'rn-room', members: ['ann', 'bob', 'cy'] });
    await bob.channel('rn-room').watch();
  }, 60_000);

  afterEach(() => {
    for (const app of apps) expect(app.crashes).toEqual([]);
  });

  afterAll(async () => {
    for (const app of apps) await app.kill();
    await h?.close();
  });

  it('gives the app none of the globals React Native lacks, and no Node module to import', async () => {
    const probe = await (await launch()).runtime('probe');
    expect(probe.absent).toEqual(ABSENT);
    expect(probe.present).toEqual(['fetch', 'WebSocket', 'setTimeout', 'clearTimeout', 'setInterval', 'AbortController', 'URL', 'console']);
    expect(probe.touchedBuffer).toBe('ReferenceError: Buffer is not defined');
    expect(probe.importNode).toMatch(/'node:buffer'.*is not available in React Native/);
    expect(probe.timerHandle).toBe('number');
  });

  it('connects on the global WebSocket, watches, sends, and gets the other user\'s message live', async () => {
    rn = await launch();
    const { token, wsToken } = await h.tokens('ann');
    expect(await rn.app('start', h.t.baseUrl, { token, wsToken })).toEqual({ fromToken: 'ann', userId: 'ann' });
    // No WebSocket option was given and the realm has no `ws`: the socket is the global one.
    expect((await rn.runtime('stats')).socketsOpened).toBeGreaterThanOrEqual(1);
    expect(await rn.app('watch', 'rn-room')).toEqual([]);

    const sent = await rn.app('send', 'rn-room', 'rn: hello from the phone');
    expect(sent.status).toBe('sent');
    const onBob = await snapshotWhere(bob.channel('rn-room').messages, (s) => s.messages.some((m) => m.id === sent.id));
    expect(onBob.messages.find((m) => m.id === sent.id)?.text).toBe('rn: hello from the phone');

    await bob.channel('rn-room').sendMessage('rn: hi phone');
    expect(await rn.app('waitForMessage', 'rn-room', 'rn: hi phone')).toMatchObject({ userId: 'bob', status: 'sent', copies: 1 });
    // The send went through AsyncStorage, which is empty again once the server took it (the removal may still be on its way).
    expect((await rn.app('state')).storageWrites).toBeGreaterThan(0);
    await until(async () => Object.keys(await running().app('stored')).length === 0);
  });

  it('keeps a send made offline in AsyncStorage across the app being killed, and delivers it at the next launch', async () => {
    const app = running();
    await app.runtime('network', false);
    await app.app('waitForStatus', 'connecting');
    const { id } = await app.app('queue', 'rn-room', 'rn: written in airplane mode');
    await until(async () => Object.values(await app.app('stored')).some((value) => value.includes('rn: written in airplane mode')));
    const saved = await app.app('stored');
    // One value for the entry, one for the index of this server and user.
    expect(Object.keys(saved)).toHaveLength(2);
    for (const key of Object.keys(saved)) expect(key).toMatch(/^chatsdk\.outbox\.[\w.-]+$/);
    expect((await app.app('state')).pendingWrites).toBe(1);
    await app.kill();
    expect(await serverTexts()).not.toContain('rn: written in airplane mode');

    // A new process: nothing survives of the last one but AsyncStorage's strings.
    rn = await launch({ saved });
    const { token, wsToken } = await h.tokens('ann');
    await rn.app('start', h.t.baseUrl, { token, wsToken });
    const delivered = await snapshotWhere(bob.channel('rn-room').messages, (s) => s.messages.some((m) => m.text === 'rn: written in airplane mode'));
    expect(delivered.messages.filter((m) => m.text === 'rn: written in airplane mode').map((m) => m.id)).toEqual([id]);
    await until(async () => Object.keys(await running().app('stored')).length === 0);
    await rn.app('watch', 'rn-room');
    expect(await rn.app('waitForMessage', 'rn-room', 'rn: written in airplane mode')).toMatchObject({ id, copies: 1 });
  });

  it('reconnects and catches up after the server drops its socket', async () => {
    const app = running();
    const before = (await app.app('state')).connects;
    await until(() => appSockets.size === 1); // the killed app's socket is gone
    for (const socket of appSockets) socket.destroy();
    await bob.channel('rn-room').sendMessage('rn: while the socket was down');
    expect(await app.app('waitForConnects', before + 1)).toBe(before + 1);
    expect(await app.app('waitForMessage', 'rn-room', 'rn: while the socket was down')).toMatchObject({ copies: 1 });
    await bob.channel('rn-room').sendMessage('rn: after the reconnect');
    expect(await app.app('waitForMessage', 'rn-room', 'rn: after the reconnect')).toMatchObject({ copies: 1 });
    expect((await app.runtime('stats')).socketsOpened).toBeGreaterThanOrEqual(2);
  });

  it('renews refused tokens through the tokenProvider, and says unauthorized when the backend cannot', async () => {
    const app = running();
    backend.calls = 0;
    await h.revoke('ann');
    // The send is refused (token_revoked), the provider asked once for REST and socket, the send retried.
    expect(await app.app('send', 'rn-room', 'rn: after the revocation')).toMatchObject({ status: 'sent' });
    expect(backend.calls).toBe(1);
    expect((await app.app('state')).unauthorized).toEqual([]);
    await app.app('waitForStatus', 'connected');
    await bob.channel('rn-room').sendMessage('rn: live after the renewal');
    expect(await app.app('waitForMessage', 'rn-room', 'rn: live after the renewal')).toMatchObject({ copies: 1 });

    backend.down = true;
    await h.revoke('ann');
    await expect(app.app('me')).rejects.toThrow('ChatError (token_provider_failed): the tokenProvider failed: Error: backend down');
    expect((await app.app('state')).unauthorized).toEqual(['token_provider_failed']);
    backend.down = false;
    expect(await app.app('me')).toBe('ann');
    await app.app('waitForStatus', 'connected');
    await bob.channel('rn-room').sendMessage('rn: back after the backend');
    expect(await app.app('waitForMessage', 'rn-room', 'rn: back after the backend')).toMatchObject({ copies: 1 });
    await app.app('stop');
  });

  it("runs the same with the globals React Native's own set-up adds (window and self as the global, navigator, process.env)", async () => {
    const app = await launch({ profile: 'react-native' });
    const probe = await app.runtime('probe');
    expect(probe.windowIsGlobal).toBe(true);
    expect(probe.absent).toEqual(ABSENT.filter((name) => !['window', 'self', 'global', 'navigator', 'process', 'TextEncoder', 'atob', 'btoa', 'queueMicrotask'].includes(name)));
    backend.user = 'cy';
    const { token, wsToken } = await h.tokens('cy');
    expect(await app.app('start', h.t.baseUrl, { token, wsToken })).toEqual({ fromToken: 'cy', userId: 'cy' });
    await app.app('watch', 'rn-room');
    const sent = await app.app('send', 'rn-room', 'rn: from the modern phone');
    await snapshotWhere(bob.channel('rn-room').messages, (s) => s.messages.some((m) => m.id === sent.id));
    await bob.channel('rn-room').sendMessage('rn: hi modern phone');
    expect(await app.app('waitForMessage', 'rn-room', 'rn: hi modern phone')).toMatchObject({ userId: 'bob', copies: 1 });
    await app.app('stop');
  });
});
