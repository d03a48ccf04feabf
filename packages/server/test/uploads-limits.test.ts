import { type AppResponse, LIMITS } from '@chatsdk/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { bombPng, pdfBytes, png } from './helpers/images.js';
import { storeKinds } from './helpers/stores.js';
import { startUploadServer, type UploadTestServer, upload, uploadMatrix, uploaded } from './helpers/uploads.js';

const ROOM = 'limits-room';
const MiB = 1024 * 1024;
/** The first bytes of a Linux program. */
/** Made once for every store: deflating 300 MB of rows takes a few seconds. */
let bomb: Buffer | undefined;
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4000, 0)]);

describe.each(uploadMatrix(storeKinds))('what an upload may be, on %s with %s files', (storeKind, fileKind) => {
  let t: UploadTestServer;
  let chat: ChatApp;
  const token = () => chat.users.alice!.token;
  const rows = async () => (await t.server.context.store.db.selectFrom('uploads').select('id').execute()).length;

  beforeAll(async () => {
    t = await startUploadServer(storeKind, fileKind);
    chat = await chatApp(t, ['alice']);
    await createChannel(t, { token: token() }, { type: 'messaging', id: ROOM });
  });
  beforeEach(async () => {
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { maxUploadBytes: LIMITS.uploadBytes, allowedUploadTypes: ['*/*'] } });
  });
  afterAll(() => t?.close());

  it('has the documented defaults, and PATCH /api/app changes them within their bounds', async () => {
    const app = await call<AppResponse>(t.baseUrl, '/api/app', { apiKey: chat.apiKey });
    expect(app.body.app).toMatchObject({ maxUploadBytes: 25 * MiB, allowedUploadTypes: ['*/*'], linkPreviews: true });
    const patched = await call<AppResponse>(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { maxUploadBytes: 1000, allowedUploadTypes: ['image/*', 'application/pdf'], linkPreviews: false } });
    expect(patched.body.app).toMatchObject({ maxUploadBytes: 1000, allowedUploadTypes: ['image/*', 'application/pdf'], linkPreviews: false });
    for (const body of [{ maxUploadBytes: 1024 * MiB + 1 }, { maxUploadBytes: 0 }, { allowedUploadTypes: [] }, { allowedUploadTypes: ['text/HTML'] }, { allowedUploadTypes: ['*'] }, { linkPreviews: 'no' }]) {
      expectError(await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body }), 'validation_failed', 400);
    }
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { linkPreviews: true } });
  });

  it('refuses a 26 MiB file with 413 and keeps nothing of it, in the store or the database', async () => {
    const reply = await upload(t.baseUrl, { token: token() }, { name: 'big.pdf', bytes: pdfBytes(26 * MiB) }, { channelId: ROOM });
    expectError(reply, 'payload_too_large', 413);
    expect(await t.storedKeys()).toEqual([]);
    expect(await rows()).toBe(0);
  });

  it('refuses a file past the limit while it streams, when no Content-Length announced it, and keeps nothing', async () => {
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { maxUploadBytes: 2 * MiB } });
    const boundary = 'chunkedboundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    const body = pdfBytes(8 * MiB);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    // A stream: fetch sends it chunked, with no Content-Length to refuse early by.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
        for (let at = 0; at < body.length; at += 64 * 1024) controller.enqueue(body.subarray(at, at + 64 * 1024));
        controller.enqueue(tail);
        controller.close();
      },
    });
    const response = await fetch(`${t.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token()}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    const text = await response.text();
    expectError({ status: response.status, body: JSON.parse(text), headers: response.headers }, 'payload_too_large', 413);
    expect(await t.storedKeys()).toEqual([]);
    expect(await rows()).toBe(0);
  });

  it('takes a file of exactly maxUploadBytes and refuses one byte more', async () => {
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { maxUploadBytes: 5000 } });
    const exact = await uploaded(t.baseUrl, { token: token() }, { name: 'exact.pdf', bytes: pdfBytes(5000) });
    expect(exact.size).toBe(5000);
    expectError(await upload(t.baseUrl, { token: token() }, { name: 'over.pdf', bytes: pdfBytes(5001) }), 'payload_too_large', 413);
    expect(await t.storedKeys()).toEqual([`${chat.appId}/${exact.id}`]);
    await call(t.baseUrl, `/api/uploads/${exact.id}`, { token: token(), method: 'DELETE' });
  });

  it('refuses a decompression bomb (a 50,000 × 50,000 PNG) without decoding it, and keeps nothing', async () => {
    bomb ??= await bombPng(50_000);
    expect(bomb.length).toBeLessThan(2 * MiB);
    const reply = await upload(t.baseUrl, { token: token() }, { name: 'bomb.png', bytes: bomb }, { channelId: ROOM });
    expectError(reply, 'image_too_large', 422);
    expect(await t.storedKeys()).toEqual([]);
    expect(await rows()).toBe(0);
    expect((await call(t.baseUrl, '/health')).status).toBe(200);
  });

  it('refuses a file whose bytes say image but do not decode, with 422', async () => {
    // A real PNG's signature and header, then pixel data that is not deflate.
    const real = await png(64, 64);
    const fake = Buffer.concat([real.subarray(0, 33), Buffer.alloc(3000, 1)]);
    expectError(await upload(t.baseUrl, { token: token() }, { name: 'broken.png', bytes: fake }), 'upload_unreadable', 422);
    expect(await t.storedKeys()).toEqual([]);
  });

  it('refuses programs under the default, takes them when named, and follows allowedUploadTypes by the sniffed type', async () => {
    expectError(await upload(t.baseUrl, { token: token() }, { name: 'photo.jpg', bytes: ELF, type: 'image/jpeg' }), 'upload_type_not_allowed', 415);
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { allowedUploadTypes: ['*/*', 'application/x-elf'] } });
    const program = await uploaded(t.baseUrl, { token: token() }, { name: 'tool', bytes: ELF });
    expect(program.mimeType).toBe('application/x-elf');
    await call(t.baseUrl, `/api/uploads/${program.id}`, { token: token(), method: 'DELETE' });

    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { allowedUploadTypes: ['image/*'] } });
    // A PDF named like a picture is still a PDF.
    expectError(await upload(t.baseUrl, { token: token() }, { name: 'scan.png', bytes: pdfBytes(3000), type: 'image/png' }), 'upload_type_not_allowed', 415);
    expect(await t.storedKeys()).toEqual([]);
    expect(await rows()).toBe(0);
  });
});
