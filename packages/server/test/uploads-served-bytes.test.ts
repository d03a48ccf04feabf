import type { Message, MessageResponse } from '@chatsdk/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatApp, createChannel, send, type ChatApp } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { phoneJpeg, png, pdfBytes } from './helpers/images.js';
import { storeKinds } from './helpers/stores.js';
import { fetchFile, startUploadServer, type UploadTestServer, uploadMatrix, uploaded } from './helpers/uploads.js';

const ROOM = 'files-room';

describe.each(uploadMatrix(storeKinds))('what a file link serves, on %s with %s files', (storeKind, fileKind) => {
  let t: UploadTestServer;
  let chat: ChatApp;
  const alice = () => chat.users.alice!;
  const bob = () => chat.users.bob!;

  /** Alice uploads into the room and sends it; bob reads the message back: the links bob gets. */
  async function sharedWithBob(file: { name: string; bytes: Buffer; type?: string }, type = 'file'): Promise<Message> {
    const up = await uploaded(t.baseUrl, { token: alice().token }, file, { channelId: ROOM });
    const sent = await send(t, { token: alice().token }, ROOM, { attachments: [{ type, uploadId: up.id }] });
    const read = await call<MessageResponse>(t.baseUrl, `/api/messages/${sent.id}`, { token: bob().token });
    expect(read.status).toBe(200);
    return read.body.message;
  }

  beforeAll(async () => {
    t = await startUploadServer(storeKind, fileKind);
    chat = await chatApp(t, ['alice', 'bob']);
    await createChannel(t, { token: alice().token }, { type: 'messaging', id: ROOM, members: ['bob'] });
  });
  afterAll(() => t?.close());

  it('gives another member the same bytes, typed by what they are, not by the name or the header', async () => {
    const bytes = pdfBytes(200_000);
    const message = await sharedWithBob({ name: 'report.txt', bytes, type: 'text/plain' });
    const [attachment] = message.attachments;
    expect(attachment).toMatchObject({ type: 'file', name: 'report.txt', mimeType: 'application/pdf', size: bytes.length });
    expect(attachment?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
    const file = await fetchFile(attachment?.url ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-length')).toBe(String(bytes.length));
    expect(file.bytes.equals(bytes)).toBe(true);
    // PDF is not shown inline from our origin.
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="report.txt"/);
  });

  it('serves an HTML page named .png as a download of unknown bytes: never inline, never as HTML', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const up = await uploaded(t.baseUrl, { token: alice().token }, { name: 'cat.png', bytes: html, type: 'image/png' }, { channelId: ROOM });
    expect(up).toMatchObject({ type: 'file', mimeType: 'application/octet-stream' });
    expect(up.width).toBeUndefined();
    // It is not an image, so it cannot be attached as one.
    const asImage = await call(t.baseUrl, `/api/channels/${ROOM}/messages`, { token: alice().token, body: { attachments: [{ type: 'image', uploadId: up.id }] } });
    expectError(asImage, 'validation_failed', 400);
    const message = await send(t, { token: alice().token }, ROOM, { attachments: [{ type: 'file', uploadId: up.id }] });
    const file = await fetchFile(message.attachments[0]?.url ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(file.bytes.equals(html)).toBe(true);
  });

  it('answers Range requests with 206 and the bytes asked for, 416 past the end, the whole file for several ranges', async () => {
    const bytes = pdfBytes(100_000);
    const url = (await sharedWithBob({ name: 'seek.pdf', bytes })).attachments[0]?.url ?? '';
    const part = await fetchFile(url, { range: 'bytes=1000-1999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(part.bytes.equals(bytes.subarray(1000, 2000))).toBe(true);
    const tail = await fetchFile(url, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(tail.bytes.equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const open = await fetchFile(url, { range: `bytes=${bytes.length - 5}-` });
    expect(open.bytes.equals(bytes.subarray(bytes.length - 5))).toBe(true);
    const past = await fetchFile(url, { range: `bytes=${bytes.length}-` });
    expect(past.status).toBe(416);
    expect(past.error?.code).toBe('range_not_satisfiable');
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    const several = await fetchFile(url, { range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(several.bytes.equals(bytes)).toBe(true);
  });

  it('sends an ETag and answers 304 to it; a changed If-Range gets the whole file; caching is private, long and immutable', async () => {
    const bytes = pdfBytes(5000);
    const url = (await sharedWithBob({ name: 'tag.pdf', bytes })).attachments[0]?.url ?? '';
    const first = await fetchFile(url);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(first.headers.get('cache-control')).toMatch(/^private, max-age=(\d+), immutable$/);
    const maxAge = Number(/max-age=(\d+)/.exec(first.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(23 * 3600);
    expect(maxAge).toBeLessThanOrEqual(25 * 3600);
    const again = await fetchFile(url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    const stale = await fetchFile(url, { range: 'bytes=0-9', 'if-range': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(stale.bytes.equals(bytes)).toBe(true);
    const fresh = await fetchFile(url, { range: 'bytes=0-9', 'if-range': etag });
    expect(fresh.status).toBe(206);
  });

  it('serves a photo without its EXIF (the GPS position is gone), turned as it was shot, with a 512 px WebP thumbnail', async () => {
    const photo = await phoneJpeg(1200, 600, 6);
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    expect(photo.includes(Buffer.from('Exif\0\0'))).toBe(true);
    const message = await sharedWithBob({ name: 'holiday.jpg', bytes: photo }, 'image');
    const [attachment] = message.attachments;
    // Orientation 6: stored 1200 × 600, shown 600 × 1200.
    expect(attachment).toMatchObject({ type: 'image', mimeType: 'image/jpeg', width: 600, height: 1200 });
    const file = await fetchFile(attachment?.url ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(file.bytes.includes(Buffer.from('Exif\0\0'))).toBe(false);
    expect(file.bytes.includes(Buffer.from('TestPhone'))).toBe(false);
    const served = await sharp(file.bytes).metadata();
    expect(served.exif).toBeUndefined();
    expect([served.width, served.height, served.orientation ?? 1]).toEqual([600, 1200, 1]);
    expect(attachment?.size).toBe(file.bytes.length);

    const thumb = await fetchFile(attachment?.thumbUrl ?? '');
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const thumbMeta = await sharp(thumb.bytes).metadata();
    expect([thumbMeta.format, thumbMeta.width, thumbMeta.height]).toEqual(['webp', 256, 512]);
    expect(thumbMeta.exif).toBeUndefined();
  });

  it('keeps a PNG’s pixels through its re-encoding, and does not enlarge a small one’s thumbnail', async () => {
    const image = await png(300, 200);
    const message = await sharedWithBob({ name: 'chart.png', bytes: image }, 'image');
    const [attachment] = message.attachments;
    expect(attachment).toMatchObject({ width: 300, height: 200, mimeType: 'image/png' });
    const file = await fetchFile(attachment?.url ?? '');
    const [before, after] = await Promise.all([sharp(image).raw().toBuffer(), sharp(file.bytes).raw().toBuffer()]);
    expect(after.equals(before)).toBe(true);
    const thumb = await sharp((await fetchFile(attachment?.thumbUrl ?? '')).bytes).metadata();
    expect([thumb.width, thumb.height]).toEqual([300, 200]);
  });

  it('answers the upload itself with fresh links the uploader can open before sending', async () => {
    const bytes = pdfBytes(3000);
    const up = await uploaded(t.baseUrl, { token: alice().token }, { name: 'draft.pdf', bytes });
    expect(up.channelId).toBeNull();
    const file = await fetchFile(up.url);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(bytes)).toBe(true);
  });
});

describe('a bucket that redirects to presigned links (S3_PRESIGNED_REDIRECT)', () => {
  let t: UploadTestServer;
  let chat: ChatApp;
  beforeAll(async () => {
    t = await startUploadServer('sqlite', 's3', { presignedRedirect: true });
    chat = await chatApp(t, ['alice']);
    await createChannel(t, { token: chat.users.alice!.token }, { type: 'messaging', id: ROOM });
  });
  afterAll(() => t?.close());

  it('redirects a valid link to the bucket with our type and disposition; a bad link still gets 404 from us', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const up = await uploaded(t.baseUrl, { token: chat.users.alice!.token }, { name: 'x.png', bytes: html }, { channelId: ROOM });
    const redirect = await fetch(up.url, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(location).toMatch(/X-Amz-Signature=/);
    expect(location.startsWith(t.baseUrl)).toBe(false);
    const followed = await fetchFile(up.url);
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toBe('application/octet-stream');
    expect(followed.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(followed.bytes.equals(html)).toBe(true);
    const forged = await fetchFile(up.url.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAA'));
    expect(forged.status).toBe(404);
    expect(forged.error?.code).toBe('upload_not_found');
  });
});
