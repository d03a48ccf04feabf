import type { ChannelState, CreateTokenResponse, Message, MessageNewEvent, MessageResponse } from '@chatsdk/protocol';
import type { Centrifuge, PublicationContext, SubscribedContext, Subscription } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { assertCliBuilt, CliRunner, parseJsonOutput, type StartedCli } from './helpers/cli.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClientAt, recordingWebSocket } from './helpers/realtime.js';
import { createTestStorage, type TestStorage } from './helpers/stores.js';

/** `apps create --json` prints this. */
interface CreatedApp {
  id: string;
  name: string;
  apiKey: string;
}

const CHANNEL = 'room';
const BULK = 1000;
/** Sends in flight at once during the bulk test: order on the socket is then commit order, not send order. */
const IN_FLIGHT = 8;
/** Messages in the test where sends through both processes race. */
const RACE = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DESIGN.md §6: N stateless processes behind a load balancer, one PostgreSQL,
 * one Redis; any node serves any request or socket. Two real `chatsdk start`
 * processes share a schema and the Redis bus: what is sent through one
 * reaches sockets on the other, in offset order, each event once.
 */
describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)('two server processes on one PostgreSQL and one Redis', () => {
  let storage: TestStorage | undefined;
  let app: CreatedApp;
  let a: StartedCli;
  let b: StartedCli;
  const rest: Record<string, string> = {};
  const ws: Record<string, CreateTokenResponse> = {};
  const clients: Centrifuge[] = [];
  const cli = new CliRunner(() => ({
    ...process.env,
    ...storage?.env,
    REDIS_URL: process.env.REDIS_URL ?? '',
    // Request logs of 1,000 sends would only cost time; warnings and errors still show.
    LOG_LEVEL: 'warn',
  }));

  /** Prints what both processes said when a test fails: a lost event usually leaves a trace there. */
  function dumpLogsOnFailure(): void {
    onTestFailed(() => {
      for (const [name, p] of [['A', a], ['B', b]] as const) {
        if (p) console.error(`--- process ${name} (${p.baseUrl}) stdout\n${p.stdout()}\n--- stderr\n${p.stderr()}`);
      }
    });
  }

  /** Why a wait for publications may have run out: a server process that died says so on its stderr. */
  function processStatus(): string {
    const status = (name: string, p: StartedCli | undefined) => {
      if (!p) return `process ${name} not started`;
      if (p.child.exitCode === null && p.child.signalCode === null) return `process ${name} running`;
      return `process ${name} EXITED (code ${p.child.exitCode}, signal ${p.child.signalCode}); its stderr ends:\n${p.stderr().slice(-1500)}`;
    };
    return `${status('A', a)}\n${status('B', b)}`;
  }

  /** Rejects as soon as either server process ends: waiting on a dead process's sockets is pointless. */
  let died: Promise<never>;

  /** `collect(...).until`, failing at once if a server process dies, with the state of both processes in the error. */
  async function receive(got: ReturnType<typeof collect>, count: number, ms: number): Promise<PublicationContext[]> {
    try {
      return await Promise.race([got.until(count, ms), died]);
    } catch (error) {
      throw new Error(`${(error as Error).message} (${got.items.length} of ${count} publications received)\n${processStatus()}`);
    }
  }

  /**
   * A connected client of `userId` on `server`'s /ws, subscribed to the channel, with its publications
   * collected and the raw text frames its socket received.
   */
  async function subscribeOn(server: StartedCli, userId: string) {
    const frames: string[] = [];
    const client = realtimeClientAt(server.baseUrl, ws[userId]?.wsToken ?? '', { websocket: recordingWebSocket(frames) });
    clients.push(client);
    const connected = next(client, 'connected');
    client.connect();
    await connected;
    const sub: Subscription = client.newSubscription(CHANNEL);
    const got = collect(sub);
    const subscribed = next<SubscribedContext>(sub, 'subscribed');
    sub.subscribe();
    const context = await subscribed;
    return { client, sub, got, frames, position: context.streamPosition?.offset };
  }

  /** The channel's stream offset as REST reports it (through process A). */
  async function channelOffset(): Promise<number> {
    const reply = await call<ChannelState>(a.baseUrl, `/api/channels/${CHANNEL}`, { token: rest.ana ?? '' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body.channel.offset;
  }

  /** Sends a message through `server`'s REST API, asserting success. */
  async function sendThrough(server: StartedCli, userId: string, text: string): Promise<Message> {
    const reply = await call<MessageResponse>(server.baseUrl, `/api/channels/${CHANNEL}/messages`, { token: rest[userId] ?? '', body: { text } });
    expect([200, 201], JSON.stringify(reply.body)).toContain(reply.status);
    return reply.body.message;
  }

  const eventOf = (p: PublicationContext | undefined) => p?.data as MessageNewEvent;

  /** Offsets of the channel's publications in the order the socket received them (a frame may hold several, one a line). */
  function wireOffsets(frames: string[]): unknown[] {
    return frames
      .flatMap((frame) => frame.split('\n'))
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { push?: { channel?: string; pub?: { offset?: number } } })
      .filter((reply) => reply.push?.channel === CHANNEL && reply.push.pub !== undefined)
      .map((reply) => reply.push?.pub?.offset);
  }

  /** Sends `count` messages, one in flight per worker, each worker through its own process as its own user. */
  async function sendConcurrently(count: number, workers: Array<{ server: StartedCli; userId: string }>, label: string): Promise<Message[]> {
    const sent: Message[] = [];
    let cursor = 0;
    await Promise.all(
      workers.map(async ({ server, userId }) => {
        for (let i = cursor++; i < count; i = cursor++) sent.push(await sendThrough(server, userId, `${label} ${i}`));
      }),
    );
    expect(sent).toHaveLength(count);
    return sent;
  }

  /**
   * Waits for `sent.length` publications on a subscription that started at offset `start`, and asserts
   * they are the stream after it: offsets start+1 … start+n ascending, no gap, no duplicate (first as the
   * server wrote them on the socket, then as the client handed them to the app), every sent message
   * exactly once with its text, in commit order. Returns the publications.
   */
  async function receiveAll(on: Awaited<ReturnType<typeof subscribeOn>>, start: number, sent: Message[]): Promise<PublicationContext[]> {
    const count = sent.length;
    const items = await receive(on.got, count, 60_000);
    // Anything late (a duplicate, an event replayed twice) would arrive right after.
    await sleep(300);
    expect(items).toHaveLength(count);

    const expected = Array.from({ length: count }, (_, i) => start + 1 + i);
    expect(wireOffsets(on.frames)).toEqual(expected);
    const offsets = items.map((p) => p.offset);
    expect(offsets).toEqual(expected);
    expect(items.map((p) => eventOf(p).offset)).toEqual(offsets);

    const received = items.map((p) => eventOf(p).message);
    expect(new Set(received.map((m) => m.id)).size).toBe(count);
    const textById = new Map(sent.map((m) => [m.id, m.text]));
    expect([...textById.keys()].sort()).toEqual(received.map((m) => m.id).sort());
    expect(received.map((m) => [m.id, m.text])).toEqual(received.map((m) => [m.id, textById.get(m.id)]));

    // Commit order: a message's sequence number and its event's offset are taken under the same channel
    // lock, so the order delivered is the order of the sequence numbers the senders' responses reported.
    const bySeq = [...sent].sort((x, y) => x.seq - y.seq).map((m) => m.id);
    expect(received.map((m) => m.id)).toEqual(bySeq);
    return items;
  }

  beforeAll(async () => {
    assertCliBuilt();
    storage = await createTestStorage('postgres');

    const created = await cli.run(['apps', 'create', 'Cluster', '--json']);
    expect(created, created.stderr).toMatchObject({ code: 0, stderr: '' });
    app = parseJsonOutput<CreatedApp>(created.stdout);

    // The store is migrated by `apps create`; both processes start together, as a deployment would.
    [a, b] = await Promise.all([cli.start(), cli.start()]);
    died = new Promise<never>((_, reject) => {
      for (const [name, p] of [['A', a], ['B', b]] as const) {
        p.child.once('exit', (code, signal) => reject(new Error(`server process ${name} exited (code ${code}, signal ${signal})`)));
      }
    });
    // Handled here so that the end of the run (afterAll kills both) is no unhandled rejection.
    died.catch(() => {});
    for (const p of [a, b]) expect(p.stdout()).toMatch(/; bus: redis\)/);
    expect(a.child.pid).not.toBe(b.child.pid);
    expect(a.port).not.toBe(b.port);

    // Users, tokens and the channel are made through process A only.
    for (const userId of ['ana', 'ben']) {
      ws[userId] = await issueTokens(a.baseUrl, app.apiKey, { userId, name: userId });
      rest[userId] = ws[userId]?.token ?? '';
    }
    const channel = await call<ChannelState>(a.baseUrl, '/api/channels', { token: rest.ana ?? '', body: { type: 'messaging', id: CHANNEL, members: ['ben'] } });
    expect([200, 201], JSON.stringify(channel.body)).toContain(channel.status);
  }, 60_000);

  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    // Processes first, whatever happened above: they hold connections to the schema.
    await cli.killAll();
    await storage?.destroy();
  }, 30_000);

  it('a message sent through A reaches a socket on B, with its offset and text', async () => {
    dumpLogsOnFailure();
    const before = await channelOffset();
    const onB = await subscribeOn(b, 'ben');
    // B answers the subscribe with the position the store holds, which A reported.
    expect(onB.position).toBe(before);

    const message = await sendThrough(a, 'ana', 'hello from A');
    const [publication] = await receive(onB.got, 1, 5000);
    expect(publication?.offset).toBe(before + 1);
    expect(eventOf(publication)).toMatchObject({
      type: 'message.new',
      channelId: CHANNEL,
      offset: before + 1,
      message: { id: message.id, text: 'hello from A', userId: 'ana', seq: message.seq },
    });
    expect(await channelOffset()).toBe(before + 1);
    // Once, not once per path it could take.
    await sleep(200);
    expect(onB.got.items).toHaveLength(1);
  });

  it(`${BULK.toLocaleString('en')} messages sent through A reach B in offset order, every one exactly once`, { timeout: 90_000 }, async () => {
    dumpLogsOnFailure();
    const onB = await subscribeOn(b, 'ben');
    const start = onB.position ?? -1;
    expect(start).toBe(await channelOffset());

    const sent = await sendConcurrently(BULK, Array.from({ length: IN_FLIGHT }, () => ({ server: a, userId: 'ana' })), 'bulk');
    const items = await receiveAll(onB, start, sent);

    // And it is the stream as committed to the store, offset for offset.
    const store = storage?.open();
    try {
      const rows = await store?.db
        .selectFrom('channel_events')
        .select(['stream_offset', 'payload'])
        .where('app_id', '=', app.id)
        .where('channel_id', '=', CHANNEL)
        .where('stream_offset', '>', start)
        .orderBy('stream_offset')
        .execute();
      const stored = (rows ?? []).map((row) => [row.stream_offset, (JSON.parse(row.payload) as MessageNewEvent).message.id]);
      expect(items.map((p) => [p.offset, eventOf(p).message.id])).toEqual(stored);
    } finally {
      await store?.close();
    }
  });

  it('a message sent through B reaches a socket on A and a socket on B', async () => {
    dumpLogsOnFailure();
    const before = await channelOffset();
    const onA = await subscribeOn(a, 'ana');
    const onB = await subscribeOn(b, 'ben');
    expect(onA.position).toBe(before);
    expect(onB.position).toBe(before);

    const message = await sendThrough(b, 'ben', 'hello from B');
    const [fromA, fromB] = await Promise.all([receive(onA.got, 1, 5000), receive(onB.got, 1, 5000)]);
    for (const [publication] of [fromA, fromB]) {
      expect(publication?.offset).toBe(before + 1);
      expect(eventOf(publication)).toMatchObject({
        type: 'message.new',
        channelId: CHANNEL,
        offset: before + 1,
        message: { id: message.id, text: 'hello from B', userId: 'ben' },
      });
    }
    // One event, framed once: both sockets got the same data.
    expect(fromA[0]?.data).toEqual(fromB[0]?.data);
    await sleep(200);
    expect(onA.got.items).toHaveLength(1);
    expect(onB.got.items).toHaveLength(1);
  });

  it(`sends racing through A and B: sockets on both see every offset once, in order`, { timeout: 90_000 }, async () => {
    dumpLogsOnFailure();
    const onA = await subscribeOn(a, 'ana');
    const onB = await subscribeOn(b, 'ben');
    const start = onA.position ?? -1;
    expect(start).toBe(await channelOffset());
    expect(onB.position).toBe(start);

    // Half the senders on each process: consecutive offsets are published by different processes on
    // different Redis connections, so they can reach a process out of order, and the hub must put them back.
    const workers = Array.from({ length: IN_FLIGHT }, (_, i) => (i % 2 ? { server: a, userId: 'ana' } : { server: b, userId: 'ben' }));
    const sent = await sendConcurrently(RACE, workers, 'race');
    const [onAItems, onBItems] = await Promise.all([receiveAll(onA, start, sent), receiveAll(onB, start, sent)]);
    expect(onAItems.map((p) => p.data)).toEqual(onBItems.map((p) => p.data));
  });
});
