import { Centrifuge, type Subscription } from 'centrifuge/build/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCommands, encodePublicationPush, encodeReply } from '../src/realtime/protobuf/index.js';

/*
 * The real `centrifuge` protobuf client, over a WebSocket stand-in whose
 * "server" reads frames with decodeCommands and answers with encodeReply and
 * encodePublicationPush. Where the codec test checks fields, this checks
 * that the client acts on what the codec writes: it connects, subscribes,
 * receives, answers pings, recovers after a reconnect and stops when told.
 */

type Command = Record<string, Record<string, unknown> | number | undefined> & { id?: number };

/** Stands in for the browser WebSocket the client is given: binary frames in both directions. */
class FakeSocket {
  static sockets: FakeSocket[] = [];
  static answer: (command: Command, socket: FakeSocket) => Buffer[] = () => [];
  binaryType = '';
  onopen: (() => void) | undefined;
  onmessage: ((event: { data: ArrayBuffer }) => void) | undefined;
  onclose: ((event: { code: number; reason: string }) => void) | undefined;
  onerror: ((event: unknown) => void) | undefined;
  readonly received: Command[] = [];
  private closed = false;

  constructor(
    readonly url: string,
    readonly protocol?: string,
  ) {
    FakeSocket.sockets.push(this);
    setTimeout(() => this.onopen?.(), 0);
  }

  send(data: Uint8Array): void {
    const commands = decodeCommands(data) as Command[];
    this.received.push(...commands);
    const frames = commands.flatMap((command) => FakeSocket.answer(command, this));
    if (frames.length > 0) setTimeout(() => this.deliver(...frames), 0);
  }

  /** One binary message holding the frames back to back, as the write queue coalesces them. */
  deliver(...frames: Buffer[]): void {
    const all = Buffer.concat(frames);
    if (!this.closed) this.onmessage?.({ data: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    setTimeout(() => this.onclose?.({ code: 1000, reason: '' }), 0);
  }
}

/** What a ChatSDK gateway answers, in the JSON framing's shape, encoded for protobuf. */
function gateway(command: Command): Buffer[] {
  const id = command.id ?? 0;
  if (command.connect) {
    return [encodeReply({ id, connect: { client: 'c-1', version: 'test', ping: 25, pong: true, expires: true, ttl: 600, subs: { '#u1': { recoverable: false } } } })];
  }
  if (command.subscribe) {
    const request = command.subscribe as { recover?: boolean; offset?: number };
    if (!request.recover) return [encodeReply({ id, subscribe: { recoverable: true, epoch: 'E', offset: 6 } })];
    const missed = [{ data: { n: 7 }, offset: 7 }];
    return [encodeReply({ id, subscribe: { recoverable: true, epoch: 'E', offset: 7, recovered: request.offset === 6, was_recovering: true, publications: missed } })];
  }
  if (command.rpc) return [encodeReply({ id, rpc: { data: { echoed: (command.rpc as { data: unknown }).data } } })];
  if (command.presence_stats) return [encodeReply({ id, presence_stats: { num_clients: 3, num_users: 2 } })];
  if (command.presence) return [encodeReply({ id, presence: { presence: { 'c-1': { client: 'c-1', user: 'u1' } } } })];
  if (command.history) {
    return [encodeReply({ id, history: { publications: [{ data: { n: 5 }, offset: 5 }, { data: { n: 6 }, offset: 6 }], epoch: 'E', offset: 2 ** 40 } })];
  }
  if (command.unsubscribe) return [encodeReply({ id, unsubscribe: {} })];
  return [];
}

const text = (data: unknown): unknown => JSON.parse(new TextDecoder().decode(data as Uint8Array));

function once<T>(target: { once(event: string, listener: (ctx: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => target.once(event, resolve));
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

let client: Centrifuge | undefined;

function connectClient(): Centrifuge {
  FakeSocket.sockets = [];
  FakeSocket.answer = gateway;
  client = new Centrifuge('ws://chatsdk.test/ws', { websocket: FakeSocket, token: 'ws-token', minReconnectDelay: 5, maxReconnectDelay: 20 });
  return client;
}

afterEach(() => {
  client?.disconnect();
  client = undefined;
});

describe('the real protobuf client against the codec', () => {
  it('connects with the centrifuge-protobuf subprotocol and reads the connect reply', async () => {
    const centrifuge = connectClient();
    const connected = once<{ client: string; transport: string }>(centrifuge, 'connected');
    centrifuge.connect();
    expect(await connected).toMatchObject({ client: 'c-1', transport: 'websocket' });
    const socket = FakeSocket.sockets[0];
    expect(socket?.protocol).toBe('centrifuge-protobuf');
    expect(socket?.received[0]).toMatchObject({ id: 1, connect: { token: 'ws-token', name: 'js' } });
  });

  it('subscribes, receives a publication push and answers the ping with a pong', async () => {
    const centrifuge = connectClient();
    const sub: Subscription = centrifuge.newSubscription('room:é');
    const subscribed = once<{ recoverable: boolean; streamPosition?: { offset: number; epoch: string } }>(sub, 'subscribed');
    sub.subscribe();
    centrifuge.connect();
    const ctx = await subscribed;
    expect(ctx.recoverable).toBe(true);
    expect({ offset: Number(ctx.streamPosition?.offset), epoch: ctx.streamPosition?.epoch }).toEqual({ offset: 6, epoch: 'E' });

    const socket = FakeSocket.sockets[0];
    const publication = once<{ data: unknown; offset?: number }>(sub, 'publication');
    socket?.deliver(encodePublicationPush('room:é', '{"text":"hé 🎉"}', 7));
    const pub = await publication;
    expect(text(pub.data)).toEqual({ text: 'hé 🎉' });
    expect(Number(pub.offset)).toBe(7);

    const before = socket?.received.length ?? 0;
    socket?.deliver(encodeReply({}));
    await until(() => (socket?.received.length ?? 0) > before);
    expect(socket?.received.at(-1)).toEqual({});
  });

  it('gets rpc, presence, presence stats and history results', async () => {
    const centrifuge = connectClient();
    centrifuge.connect();
    await once(centrifuge, 'connected');
    const rpc = await centrifuge.rpc('typing', new TextEncoder().encode('{"channel":"room","typing":true}'));
    expect(text(rpc.data)).toEqual({ echoed: { channel: 'room', typing: true } });
    expect(await centrifuge.presenceStats('room')).toEqual({ numClients: 3, numUsers: 2 });
    const presence = await centrifuge.presence('room');
    expect(presence.clients['c-1']).toMatchObject({ client: 'c-1', user: 'u1' });
    const history = await centrifuge.history('room', { limit: 2, since: { offset: 4, epoch: 'E' }, reverse: false });
    expect(history.epoch).toBe('E');
    expect(Number(history.offset)).toBe(2 ** 40);
    expect(history.publications.map((p) => [text(p.data), Number(p.offset)])).toEqual([
      [{ n: 5 }, 5],
      [{ n: 6 }, 6],
    ]);
    const sent = FakeSocket.sockets[0]?.received.find((command) => command.history);
    expect(sent?.history).toMatchObject({ channel: 'room', limit: 2, since: { offset: 4, epoch: 'E' } });
  });

  it('recovers what it missed after a reconnecting disconnect push', async () => {
    const centrifuge = connectClient();
    const sub = centrifuge.newSubscription('room', { recoverable: true });
    sub.subscribe();
    centrifuge.connect();
    await once(sub, 'subscribed');
    const first = FakeSocket.sockets[0];
    first?.deliver(encodePublicationPush('room', '{"n":6}', 6));
    await once(sub, 'publication');

    const resubscribed = once<{ wasRecovering: boolean; recovered: boolean }>(sub, 'subscribed');
    const missed = once<{ data: unknown; offset?: number }>(sub, 'publication');
    first?.deliver(encodeReply({ push: { disconnect: { code: 3001, reason: 'shutdown' } } }));
    expect(await resubscribed).toMatchObject({ wasRecovering: true, recovered: true });
    expect(text((await missed).data)).toEqual({ n: 7 });
    const request = FakeSocket.sockets[1]?.received.find((command) => command.subscribe)?.subscribe;
    expect(request).toMatchObject({ channel: 'room', recover: true, epoch: 'E' });
    expect(Number((request as { offset: number }).offset)).toBe(6);
  });

  it('ends a subscription on an unsubscribe push and stops on a terminal disconnect push', async () => {
    const centrifuge = connectClient();
    const sub = centrifuge.newSubscription('room');
    sub.subscribe();
    centrifuge.connect();
    await once(sub, 'subscribed');
    const socket = FakeSocket.sockets[0];

    const unsubscribed = once<{ code: number }>(sub, 'unsubscribed');
    socket?.deliver(encodeReply({ push: { channel: 'room', unsubscribe: { code: 2000, reason: 'removed from channel' } } }));
    expect((await unsubscribed).code).toBe(2000);

    const disconnected = once<{ code: number; reason: string }>(centrifuge, 'disconnected');
    socket?.deliver(encodeReply({ push: { disconnect: { code: 3501, reason: 'bad request' } } }));
    expect(await disconnected).toEqual({ code: 3501, reason: 'bad request' });
    expect(FakeSocket.sockets).toHaveLength(1);
  });
});
