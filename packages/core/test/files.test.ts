import { IDBFactory } from 'fake-indexeddb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatChannel, type ChatClient, type ChatError, type FetchLike, indexedDbStorage, keyValueStorage, type LocalMessage, memoryStorage, type OutboxStorage, type UploadProgress } from '../src/index.js';
import { call } from '../../server/test/helpers/http.js';
import { startUploadServer } from '../../server/test/helpers/uploads.js';
import { type Harness, snapshotWhere, startHarness, until } from './helpers.js';

/** A PNG the server can decode (it re-encodes images and makes their thumbnails). */
async function png(width: number, height: number): Promise<File> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: '#3366ff' } }).png().toBuffer();
  return new File([new Uint8Array(bytes)], `picture-${width}x${height}.png`, { type: 'image/png' });
}

/**
 * The client's `fetch`, watched and switched by the test: it counts calls by
 * method and path, holds uploads until `release()`, and fails like a dead
 * network (before the request leaves, or after the server answered).
 */
function watchedFetch() {
  const calls: string[] = [];
  let held: { promise: Promise<void>; release: () => void } | undefined;
  const state = { offline: false, sends: 'pass' as 'pass' | 'unreachable' | 'answerLost' };
  const fetchFn: FetchLike = async (input, init) => {
    const { pathname } = new URL(input);
    const key = `${init.method ?? 'GET'} ${pathname}`;
    calls.push(key);
    if (state.offline) throw new TypeError('fetch failed');
    const isSend = key.startsWith('POST /api/channels/') && key.endsWith('/messages');
    if (isSend && state.sends === 'unreachable') throw new TypeError('fetch failed');
    if (key === 'POST /api/uploads' && held) {
      const { promise } = held;
      await new Promise<void>((resolve, reject) => {
        void promise.then(resolve);
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }
    const response = await fetch(input, init);
    if (isSend && state.sends === 'answerLost') {
      await response.text();
      throw new TypeError('socket hang up');
    }
    return response;
  };
  return {
    fetch: fetchFn,
    state,
    count: (key: string) => calls.filter((item) => item === key).length,
    hold() {
      let release = () => undefined as void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      held = { promise, release };
    },
    release() {
      held?.release();
      held = undefined;
    },
  };
}

const sent = (messages: readonly LocalMessage[], id: string) => messages.find((message) => message.id === id && message.status === 'sent');

describe('files, against a real server', () => {
  let h: Harness;
  let bob: ChatClient;
  let bobs: ChatChannel;

  beforeAll(async () => {
    h = await startHarness(undefined, await startUploadServer('sqlite', 'local'));
    await h.tokens('ann');
    bob = await h.client('bob');
    await bob.connect();
    await bob.channels.create({ type: 'messaging', id: 'files', members: ['ann', 'bob'] });
    bobs = bob.channel('files');
    await bobs.watch();
  });
  afterAll(async () => {
    await h.close();
  });

  /** Ann on a device of her own (its storage, its network), in the channel. */
  async function annOn(options: { fetch?: FetchLike; storage?: OutboxStorage } = {}): Promise<{ client: ChatClient; channel: ChatChannel }> {
    const client = await h.client('ann', { storage: memoryStorage(), ...options });
    await client.connect();
    const channel = client.channel('files');
    await channel.watch();
    return { client, channel };
  }
  const ann = async (options: { fetch?: FetchLike; storage?: OutboxStorage } = {}) => (await annOn(options)).channel;

  it('sends a message with files: it shows at once with them, then another client gets it with signed links that load', async () => {
    const channel = await ann();
    const image = await png(640, 480);
    const notes = new File(['meeting notes\n'], 'notes.txt', { type: 'text/plain' });
    const sending = channel.sendMessage('the picture and the notes', { files: [image, notes] });
    // At once, before any byte is out: the message with its two files, queued or uploading.
    const local = channel.messages.getSnapshot().messages.at(-1) as LocalMessage;
    expect(local.status).toBe('sending');
    expect(local.files?.map((file) => [file.name, file.kind, file.size])).toEqual([
      [image.name, 'image', image.size],
      ['notes.txt', 'file', notes.size],
    ]);
    const message = await sending;
    expect(message.status).toBe('sent');
    expect(message.files).toBeUndefined();

    const seen = sent((await snapshotWhere(bobs.messages, (state) => !!sent(state.messages, message.id))).messages, message.id) as LocalMessage;
    const [picture, file] = seen.attachments;
    expect(picture).toMatchObject({ type: 'image', name: image.name, width: 640, height: 480 });
    expect(file).toMatchObject({ type: 'file', name: 'notes.txt', size: notes.size });
    for (const url of [picture?.url, picture?.thumbUrl, file?.url]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+[?&]exp=\d+.*sig=/);
    // The links need no Authorization header: an <img src> loads them.
    const loaded = await fetch(picture?.url ?? '');
    expect(loaded.status).toBe(200);
    expect(loaded.headers.get('content-type')).toMatch(/^image\//);
    expect(await (await fetch(file?.url ?? '')).text()).toBe('meeting notes\n');
  });

  it('attaches a file as what the server found it to be, not what its name or type claimed', async () => {
    const channel = await ann();
    const message = await channel.sendMessage('not a picture', { files: [new File(['plain words'], 'fake.png', { type: 'image/png' })] });
    expect(message.attachments[0]).toMatchObject({ type: 'file', name: 'fake.png' });
  });

  it('uploads alone with channel.uploadFile: progress once at the end where only fetch exists, cancel through a signal', async () => {
    const watched = watchedFetch();
    const channel = await ann({ fetch: watched.fetch });
    const seen: UploadProgress[] = [];
    const bytes = { data: new Uint8Array(300_000).fill(7), name: 'blob.bin', type: 'application/octet-stream' };
    const upload = await channel.uploadFile(bytes, { onProgress: (progress) => seen.push(progress) });
    expect(upload).toMatchObject({ name: 'blob.bin', size: 300_000 });
    expect(upload.id).toMatch(/^upl_/);
    expect(seen).toEqual([{ loaded: 300_000, total: 300_000 }]);

    watched.hold();
    const controller = new AbortController();
    const canceled = channel.uploadFile(bytes, { signal: controller.signal }).catch((error: ChatError) => error.code);
    await until(() => watched.count('POST /api/uploads') === 2);
    controller.abort();
    expect(await canceled).toBe('aborted');
    watched.release();

    // An upload sent with a message by hand: the server fills in the attachment from it.
    const mine = await bobs.uploadFile(new File(['by hand'], 'hand.txt', { type: 'text/plain' }));
    const message = await bobs.sendMessage({ text: 'by hand', attachments: [{ type: 'file', uploadId: mine.id }] });
    expect(message.attachments[0]).toMatchObject({ type: 'file', name: 'hand.txt', uploadId: expect.any(String) });
  });

  it('cancels a file while it uploads: the message goes without it, or is dropped when nothing is left', async () => {
    const watched = watchedFetch();
    const channel = await ann({ fetch: watched.fetch });
    watched.hold();
    const kept = new File(['kept'], 'kept.txt', { type: 'text/plain' });
    const dropped = new File(['dropped'], 'dropped.txt', { type: 'text/plain' });
    const sending = channel.sendMessage('one of two files', { files: [kept, dropped] });
    await until(() => watched.count('POST /api/uploads') === 2);
    const local = channel.messages.getSnapshot().messages.at(-1) as LocalMessage;
    const droppedId = local.files?.find((file) => file.name === 'dropped.txt')?.id as string;
    expect(channel.cancelFile(local.id, droppedId)).toBe(true);
    expect(channel.messages.get(local.id)?.files?.map((file) => file.name)).toEqual(['kept.txt']);
    watched.release();
    const message = await sending;
    expect(message.attachments.map((attachment) => attachment.name)).toEqual(['kept.txt']);
    const seen = sent((await snapshotWhere(bobs.messages, (state) => !!sent(state.messages, message.id))).messages, message.id);
    expect(seen?.attachments.map((attachment) => attachment.name)).toEqual(['kept.txt']);

    // A message of one file and no text, canceled: nothing is sent, and the send rejects.
    watched.hold();
    const only = channel.sendMessage('', { files: [new File(['x'], 'only.txt', { type: 'text/plain' })] });
    const outcome = only.then(() => 'sent', (error: ChatError) => error.code);
    await until(() => watched.count('POST /api/uploads') === 3);
    const lone = channel.messages.getSnapshot().messages.at(-1) as LocalMessage;
    expect(channel.cancelFile(lone.id, lone.files?.[0]?.id as string)).toBe(true);
    expect(await outcome).toBe('aborted');
    expect(channel.messages.get(lone.id)).toBeUndefined();
    watched.release();
    expect(watched.count('POST /api/channels/files/messages')).toBe(1);
  });

  it('a retry after a crash uploads nothing twice and sends once: the upload was recorded, the answer to the send was lost', async () => {
    const storage = memoryStorage();
    const first = watchedFetch();
    first.state.sends = 'answerLost';
    const { client: device, channel: before } = await annOn({ fetch: first.fetch, storage });
    const sending = before.sendMessage('sent once', { files: [new File(['once'], 'once.txt', { type: 'text/plain' })] });
    void sending.catch(() => undefined);
    await until(() => first.count('POST /api/channels/files/messages') >= 1);
    const id = (before.messages.getSnapshot().messages.at(-1) as LocalMessage).id;
    // The server has the message; its answer never came. The app dies; the next launch has the same storage.
    await snapshotWhere(bobs.messages, (state) => !!sent(state.messages, id));
    await device.disconnect();

    const second = watchedFetch();
    const after = await ann({ fetch: second.fetch, storage });
    await snapshotWhere(after.messages, (state) => !!sent(state.messages, id));
    expect(second.count('POST /api/uploads')).toBe(0);
    expect(second.count('POST /api/channels/files/messages')).toBe(1);
    expect(first.count('POST /api/uploads')).toBe(1);
    const everything = await call<{ messages: LocalMessage[] }>(h.t.baseUrl, '/api/channels/files/messages?limit=100', { apiKey: h.apiKey });
    expect(everything.body.messages.filter((message) => message.id === id)).toHaveLength(1);
    expect(everything.body.messages.find((message) => message.id === id)?.attachments.map((a) => a.name)).toEqual(['once.txt']);
  });

  it('uploads the files of a queued message again when the server no longer has their uploads (removed unattached)', async () => {
    const watched = watchedFetch();
    const { client, channel } = await annOn({ fetch: watched.fetch });
    watched.state.sends = 'unreachable';
    const sending = channel.sendMessage('queued a long while', { files: [new File(['kept here'], 'kept.txt', { type: 'text/plain' })] });
    const uploadId = await until(() => {
      const op = client.pendingWrites.getSnapshot()[0]?.op;
      return op?.kind === 'send' ? op.files?.[0]?.uploadId : undefined;
    });
    // What the hourly sweep does to an upload nobody attached within a day.
    expect((await call(h.t.baseUrl, `/api/uploads/${uploadId}`, { method: 'DELETE', apiKey: h.apiKey })).status).toBe(204);
    watched.state.sends = 'pass';
    const message = await sending;
    expect(message.attachments[0]).toMatchObject({ type: 'file', name: 'kept.txt' });
    expect(message.attachments[0]?.uploadId).not.toBe(uploadId);
    expect(watched.count('POST /api/uploads')).toBe(2);
  });

  it('IndexedDB keeps the files of a message queued offline: after a reload they are uploaded and sent', async () => {
    const factory = new IDBFactory();
    const offline = watchedFetch();
    const before = await ann({ fetch: offline.fetch, storage: indexedDbStorage({ factory }) });
    offline.state.offline = true;
    void before.sendMessage('queued offline', { files: [await png(32, 32)] }).catch(() => undefined);
    const id = (before.messages.getSnapshot().messages.at(-1) as LocalMessage).id;
    await until(() => offline.count('POST /api/uploads') >= 1);
    expect(before.messages.get(id)?.files?.[0]?.state).toBe('queued');

    const after = await ann({ storage: indexedDbStorage({ factory }) });
    const message = sent((await snapshotWhere(after.messages, (state) => !!sent(state.messages, id))).messages, id);
    expect(message?.attachments[0]).toMatchObject({ type: 'image', width: 32, height: 32 });
  });

  it('a key-value store keeps no bytes: after a reload such a file fails as file_unavailable, and removing it sends the rest', async () => {
    const values = new Map<string, string>();
    const kv = () => keyValueStorage({ getItem: async (key) => values.get(key) ?? null, setItem: async (key, value) => void values.set(key, value), removeItem: async (key) => void values.delete(key) });
    const offline = watchedFetch();
    const before = await ann({ fetch: offline.fetch, storage: kv() });
    offline.state.offline = true;
    void before.sendMessage('the text survives', { files: [new File(['lost'], 'lost.txt', { type: 'text/plain' })] }).catch(() => undefined);
    const id = (before.messages.getSnapshot().messages.at(-1) as LocalMessage).id;
    await until(() => values.size > 0 && offline.count('POST /api/uploads') >= 1);

    const after = await ann({ storage: kv() });
    const failed = (await snapshotWhere(after.messages, (state) => state.messages.some((message) => message.id === id && message.status === 'failed'))).messages.find((message) => message.id === id) as LocalMessage;
    expect(failed.files?.[0]).toMatchObject({ name: 'lost.txt', state: 'failed', error: expect.objectContaining({ code: 'file_unavailable' }) });
    expect(after.cancelFile(id, failed.files?.[0]?.id as string)).toBe(true);
    const retried = await after.retry(id);
    expect(retried).toMatchObject({ id, status: 'sent', text: 'the text survives', attachments: [] });
  });

  it('refuses a file past the app limit with payload_too_large, on its own and on a message', async () => {
    const patched = await call(h.t.baseUrl, '/api/app', { method: 'PATCH', apiKey: h.apiKey, body: { maxUploadBytes: 10_000 } });
    expect(patched.status).toBe(200);
    try {
      const channel = await ann();
      const big = new File([new Uint8Array(50_000)], 'big.bin', { type: 'application/octet-stream' });
      await expect(channel.uploadFile(big)).rejects.toMatchObject({ code: 'payload_too_large', status: 413 });
      const outcome = await channel.sendMessage('too big', { files: [big] }).then(() => 'sent', (error: ChatError) => error.code);
      expect(outcome).toBe('payload_too_large');
      const failed = channel.messages.getSnapshot().messages.at(-1) as LocalMessage;
      expect(failed.status).toBe('failed');
      expect(failed.files?.[0]).toMatchObject({ state: 'failed', error: expect.objectContaining({ code: 'payload_too_large' }) });
    } finally {
      await call(h.t.baseUrl, '/api/app', { method: 'PATCH', apiKey: h.apiKey, body: { maxUploadBytes: 25 * 1024 * 1024 } });
    }
  });

  it('reads a message again for fresh links, once for calls made together and not again within a minute', async () => {
    const watched = watchedFetch();
    const channel = await ann({ fetch: watched.fetch });
    const message = await channel.sendMessage('refresh me', { files: [new File(['r'], 'r.txt', { type: 'text/plain' })] });
    const path = `GET /api/messages/${message.id}`;
    await Promise.all([channel.refreshMessage(message.id), channel.refreshMessage(message.id)]);
    expect(watched.count(path)).toBe(1);
    await channel.refreshMessage(message.id);
    expect(watched.count(path)).toBe(1);
    expect(channel.messages.get(message.id)?.attachments[0]?.url).toMatch(/exp=\d+/);
  });
});
