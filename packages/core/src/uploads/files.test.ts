import { describe, expect, it } from 'vitest';
import { indexedDbStorage } from '../offline/indexeddb.js';
import { keyValueStorage } from '../offline/key-value.js';
import { memoryStorage, type OutboxEntry } from '../offline/storage.js';
import { kindOf, outboxFile, uploadForm } from './files.js';
import { linkExpiresAt } from './links.js';

describe('files to upload', () => {
  it('describes a File, bytes and a React Native file object', async () => {
    const file = outboxFile(new File(['hello'], 'hello.txt', { type: 'text/plain' }));
    expect(file).toMatchObject({ name: 'hello.txt', size: 5, mimeType: 'text/plain', kind: 'file' });
    expect(await file.data?.text()).toBe('hello');
    const bytes = outboxFile({ data: new Uint8Array([1, 2, 3]), name: 'a.png', type: 'image/png' });
    expect(bytes).toMatchObject({ name: 'a.png', size: 3, mimeType: 'image/png', kind: 'image' });
    const native = outboxFile({ uri: 'file:///tmp/clip.mp4', name: 'clip.mp4', type: 'video/mp4', size: 42 });
    expect(native).toMatchObject({ name: 'clip.mp4', size: 42, kind: 'video', uri: 'file:///tmp/clip.mp4' });
    expect(native.data).toBeUndefined();
    expect(outboxFile(new Blob(['x'])).mimeType).toBe('application/octet-stream');
    expect(outboxFile(new Blob(['x']), 'named.bin').name).toBe('named.bin');
  });

  it('kinds by MIME type', () => {
    expect(['image/webp', 'video/mp4', 'audio/ogg', 'application/pdf', 'text/plain', ''].map(kindOf)).toEqual(['image', 'video', 'audio', 'file', 'file', 'file']);
  });

  it('builds the form with the channel and the file, and refuses a file whose bytes were lost', async () => {
    const file = outboxFile(new File(['hi'], 'hi.txt', { type: 'text/plain' }));
    const form = uploadForm(file, 'general');
    expect(form.get('channelId')).toBe('general');
    const part = form.get('file') as File;
    expect(part.name).toBe('hi.txt');
    expect(await part.text()).toBe('hi');
    const { data: _lost, ...described } = file;
    expect(() => uploadForm(described, 'general')).toThrow(expect.objectContaining({ code: 'file_unavailable' }));
  });

  it('reads the expiry of a signed link, and none from other URLs', () => {
    expect(linkExpiresAt('https://chat.test/files/app/upl_1?exp=1900000000&sig=abc')).toBe(1_900_000_000_000);
    expect(linkExpiresAt('https://chat.test/files/app/upl_1?sig=abc&exp=12')).toBe(12_000);
    expect(linkExpiresAt('https://example.com/page?expires=5')).toBeUndefined();
    expect(linkExpiresAt('https://example.com/a?exp=soon')).toBeUndefined();
  });
});

describe('files in the outbox storages', () => {
  const entry = (): OutboxEntry => ({
    id: 'e1',
    order: 1,
    createdAt: new Date(0).toISOString(),
    op: { kind: 'send', channelId: 'c', body: { id: 'm1', text: 'with a file' }, files: [{ ...outboxFile(new File(['bytes'], 'a.txt', { type: 'text/plain' })), id: 'f1' }] },
  });
  const fileOf = (stored: OutboxEntry | undefined) => (stored?.op.kind === 'send' ? stored.op.files?.[0] : undefined);

  it('memory keeps the Blob (and copies the rest); IndexedDB keeps it across a reload', async () => {
    const memory = memoryStorage();
    await memory.put('s', entry());
    const fromMemory = fileOf((await memory.load('s'))[0]);
    expect(await fromMemory?.data?.text()).toBe('bytes');
    const { indexedDB } = await import('fake-indexeddb');
    await indexedDbStorage({ factory: indexedDB, name: 'files-test' }).put('s', entry());
    // Another storage over the same database: what a reloaded page opens.
    const reloaded = fileOf((await indexedDbStorage({ factory: indexedDB, name: 'files-test' }).load('s'))[0]);
    expect(reloaded).toMatchObject({ id: 'f1', name: 'a.txt', size: 5 });
    expect(await reloaded?.data?.text()).toBe('bytes');
  });

  it('a key-value store keeps the description and a React Native uri, never the bytes', async () => {
    const values = new Map<string, string>();
    const store = keyValueStorage({ getItem: async (k) => values.get(k) ?? null, setItem: async (k, v) => void values.set(k, v), removeItem: async (k) => void values.delete(k) });
    const native = entry();
    if (native.op.kind === 'send') native.op.files?.push({ id: 'f2', name: 'p.jpg', size: 9, mimeType: 'image/jpeg', kind: 'image', uri: 'file:///p.jpg' });
    await store.put('s', native);
    const [loaded] = await store.load('s');
    const files = loaded?.op.kind === 'send' ? loaded.op.files : undefined;
    expect(files?.[0]).toEqual({ id: 'f1', name: 'a.txt', size: 5, mimeType: 'text/plain', kind: 'file' });
    expect(files?.[1]?.uri).toBe('file:///p.jpg');
    expect([...values.values()].join('')).not.toContain('bytes');
  });
});
