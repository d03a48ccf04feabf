import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call, expectError, type Reply } from './helpers/http.js';
import { pdfBytes } from './helpers/images.js';
import { storeKinds } from './helpers/stores.js';
import { fetchFile, rawForm, startUploadServer, type UploadTestServer, uploaded } from './helpers/uploads.js';

const ROOM = 'form-room';

describe.each(storeKinds)('malformed uploads and attachments on %s', (storeKind) => {
  let t: UploadTestServer;
  let chat: ChatApp;
  const token = () => chat.users.alice!.token;

  async function post(body: Uint8Array | string, contentType: string, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(`${t.baseUrl}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token()}`, 'content-type': contentType, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }
  const form = (...parts: Parameters<typeof rawForm>[0]) => {
    const { body, contentType } = rawForm(parts);
    return post(body, contentType);
  };
  const pdf = pdfBytes(2000);

  beforeAll(async () => {
    t = await startUploadServer(storeKind, 'local');
    chat = await chatApp(t, ['alice']);
    await createChannel(t, { token: token() }, { type: 'messaging', id: ROOM });
  });
  afterAll(() => t?.close());

  it('answers forms without exactly one file part named "file" with 400, keeping nothing', async () => {
    expectError(await form({ name: 'channelId', body: ROOM }), 'validation_failed', 400);
    expectError(await form(), 'validation_failed', 400);
    expectError(await post('', 'multipart/form-data; boundary=x'), 'validation_failed', 400);
    expectError(await form({ name: 'upload', filename: 'a.pdf', body: pdf }), 'validation_failed', 400);
    expectError(await form({ name: 'file', filename: 'a.pdf', body: pdf }, { name: 'file', filename: 'b.pdf', body: pdf }), 'validation_failed', 400);
    // A value where the file should be, and a file where channelId should be.
    expectError(await form({ name: 'file', body: 'just text' }), 'validation_failed', 400);
    expectError(await form({ name: 'channelId', filename: 'c.txt', body: ROOM }, { name: 'file', filename: 'a.pdf', body: pdf }), 'validation_failed', 400);
    expect(await t.storedKeys()).toEqual([]);
  });

  it('answers bad channelId fields and unknown fields with 4xx, before or after the file', async () => {
    expectError(await form({ name: 'channelId', body: 'no spaces allowed' }, { name: 'file', filename: 'a.pdf', body: pdf }), 'validation_failed', 400);
    expectError(await form({ name: 'file', filename: 'a.pdf', body: pdf }, { name: 'channelId', body: 'x'.repeat(200) }), 'validation_failed', 400);
    expectError(await form({ name: 'channelId', body: ROOM }, { name: 'channelId', body: ROOM }, { name: 'file', filename: 'a.pdf', body: pdf }), 'validation_failed', 400);
    expectError(await form({ name: 'channelId', type: 'application/json', body: '{"id":1}' }, { name: 'file', filename: 'a.pdf', body: pdf }), 'validation_failed', 400);
    expectError(await form({ name: 'title', body: 'hello' }, { name: 'file', filename: 'a.pdf', body: pdf }), 'validation_failed', 400);
    expectError(await form({ name: 'file', filename: 'a.pdf', body: pdf }, { name: 'channelId', body: 'no-such-room' }), 'channel_not_found', 404);
    expectError(await form({ name: '__proto__', body: 'x' }, { name: 'file', filename: 'a.pdf', body: pdf }), 'validation_failed', 400);
    expect(await t.storedKeys()).toEqual([]);
  });

  it('answers a truncated or garbled multipart body, JSON, a form-encoded body and no credentials with 4xx', async () => {
    const { body, contentType } = rawForm([{ name: 'file', filename: 'a.pdf', body: pdf }]);
    expectError(await post(body.subarray(0, body.length - 30), contentType), 'validation_failed', 400);
    expectError(await post('garbage without any boundary', contentType), 'validation_failed', 400);
    expectError(await post(body, 'multipart/form-data'), 'validation_failed', 400);
    expectError(await post('{"file":"x"}', 'application/json'), 'validation_failed', 400);
    expectError(await post('{"file":', 'application/json'), 'invalid_json', 400);
    expectError(await post('file=x', 'application/x-www-form-urlencoded'), 'unsupported_media_type', 415);
    const anonymous = await fetch(`${t.baseUrl}/api/uploads`, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) });
    expect(anonymous.status).toBe(401);
    expect(await t.storedKeys()).toEqual([]);
  });

  it('keeps a sane file name: no path, no control or direction characters, 256 characters at most', async () => {
    const named = async (filename: string) => (await uploaded(t.baseUrl, { token: token() }, { name: filename, bytes: pdf })).name;
    expect(await named('../../etc/passwd')).toBe('passwd');
    expect(await named('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(await named('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(await named(`${'é'.repeat(300)}.pdf`)).toHaveLength(256);
    const up = await uploaded(t.baseUrl, { token: token() }, { name: 'naïve "quote".pdf', bytes: pdf });
    const file = await fetchFile(up.url);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="na_ve _quote_.pdf"; filename*=UTF-8''${encodeURIComponent('naïve "quote".pdf')}`);
  });

  it('answers unknown, malformed and repeated uploadIds in a send or an edit with 4xx, never 500', async () => {
    const sendWith = (attachments: unknown) => call(t.baseUrl, `/api/channels/${ROOM}/messages`, { token: token(), body: { attachments } });
    expectError(await sendWith([{ type: 'file', uploadId: 'upl_doesnotexist' }]), 'upload_not_found', 404);
    expectError(await sendWith([{ type: 'file', uploadId: 'not-an-upload' }]), 'validation_failed', 400);
    expectError(await sendWith([{ type: 'file', uploadId: 42 }]), 'validation_failed', 400);
    const up = await uploaded(t.baseUrl, { token: token() }, { name: 'a.pdf', bytes: pdf }, { channelId: ROOM });
    expectError(await sendWith([{ type: 'file', uploadId: up.id }, { type: 'file', uploadId: up.id }]), 'validation_failed', 400);
    expectError(await sendWith([{ type: 'video', uploadId: up.id }]), 'validation_failed', 400);
    // None of these bound it: it is still free to send.
    expect((await sendWith([{ type: 'file', uploadId: up.id }])).status).toBe(201);
  });

  it('answers bad file links and bad upload ids with 4xx in the error shape', async () => {
    const up = await uploaded(t.baseUrl, { token: token() }, { name: 'a.pdf', bytes: pdf });
    const url = new URL(up.url);
    const path = url.pathname;
    for (const query of ['', '?exp=1', '?sig=abc', `?exp=abc&sig=${url.searchParams.get('sig')}`, `${url.search}&extra=1`, '?exp=-1&sig=x', '?exp=1&sig=%00']) {
      const reply = await fetchFile(`${t.baseUrl}${path}${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.error?.code, query).toBe('validation_failed');
    }
    for (const bad of ['/files/app/upl_x', `/files/${chat.appId}/not-an-upload${url.search}`, `/files/${chat.appId}/${up.id}/original${url.search}`, `/files/%00/${up.id}${url.search}`]) {
      const reply = await fetchFile(`${t.baseUrl}${bad}`);
      expect(reply.status, bad).toBeGreaterThanOrEqual(400);
      expect(reply.status, bad).toBeLessThan(500);
      expect(reply.error?.code, bad).toBeDefined();
    }
    expectError(await call(t.baseUrl, '/api/uploads/not-an-upload', { token: token(), method: 'DELETE' }), 'validation_failed', 400);
    expectError(await call(t.baseUrl, '/api/uploads/upl_nosuchupload', { token: token(), method: 'DELETE' }), 'upload_not_found', 404);
  });
});
