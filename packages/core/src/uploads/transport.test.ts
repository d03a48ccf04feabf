import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatError } from '../errors.js';
import { postForm, type FormPost } from './transport.js';
import type { UploadProgress } from './types.js';

/** An XMLHttpRequest the test drives: it records what was sent and lets the test fire progress, load, error. */
class FakeXhr {
  static last: FakeXhr | undefined;
  headers: Record<string, string> = {};
  sent: FormData | undefined;
  aborted = false;
  status = 0;
  responseText = '';
  upload = { onprogress: null as ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(): void {}
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  getResponseHeader(name: string): string | null {
    return name === 'x-request-id' ? 'req_1' : null;
  }
  send(body: FormData): void {
    this.sent = body;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true });
  }
  answer(status: number, body: unknown): void {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

function post(extra: Partial<FormPost> = {}): FormPost {
  return { url: 'http://chat.test/api/uploads', form: new FormData(), token: 'tok', total: 1000, stallMs: 1000, fetch: () => Promise.reject(new Error('fetch must not be used')), ...extra };
}

describe('postForm through XMLHttpRequest', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('reports progress once per whole percent, sends the token, and answers the raw response', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const seen: UploadProgress[] = [];
    const answer = postForm(post({ onProgress: (progress) => seen.push(progress) }));
    const xhr = FakeXhr.last as FakeXhr;
    expect(xhr.headers.authorization).toBe('Bearer tok');
    for (const loaded of [0, 4, 9, 10, 11, 500, 999, 1000, 1000]) xhr.progress(loaded, 1000);
    xhr.answer(201, { upload: { id: 'upl_1' } });
    expect(await answer).toEqual({ status: 201, text: '{"upload":{"id":"upl_1"}}', requestId: 'req_1' });
    expect(seen.map((p) => p.loaded)).toEqual([0, 10, 500, 999, 1000]);
  });

  it('rejects with aborted when the signal aborts, timeout when no progress comes, network_error on a failure', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const controller = new AbortController();
    const canceled = postForm(post({ signal: controller.signal })).catch((error: ChatError) => error.code);
    controller.abort();
    expect(await canceled).toBe('aborted');
    expect(FakeXhr.last?.aborted).toBe(true);

    vi.useFakeTimers();
    const stalled = postForm(post()).catch((error: ChatError) => error.code);
    const xhr = FakeXhr.last as FakeXhr;
    await vi.advanceTimersByTimeAsync(900);
    xhr.progress(100, 1000); // progress restarts the clock
    await vi.advanceTimersByTimeAsync(900);
    expect(xhr.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(await stalled).toBe('timeout');
    vi.useRealTimers();

    const failing = postForm(post()).catch((error: ChatError) => error.code);
    FakeXhr.last?.onerror?.();
    expect(await failing).toBe('network_error');
  });

  it('does not start when the signal is already aborted', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    FakeXhr.last = undefined;
    const controller = new AbortController();
    controller.abort();
    await expect(postForm(post({ signal: controller.signal }))).rejects.toMatchObject({ code: 'aborted' });
    expect(FakeXhr.last).toBeUndefined();
  });
});

describe('postForm through fetch (Node: no XMLHttpRequest)', () => {
  it('posts the form with the token and reports progress once, at the end', async () => {
    const seen: UploadProgress[] = [];
    let init: RequestInit | undefined;
    const answer = await postForm(
      post({
        onProgress: (progress) => seen.push(progress),
        fetch: async (_url, given) => {
          init = given;
          return new Response('{"upload":{}}', { status: 201, headers: { 'x-request-id': 'req_2' } });
        },
      }),
    );
    expect(answer).toEqual({ status: 201, text: '{"upload":{}}', requestId: 'req_2' });
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(init?.body).toBeInstanceOf(FormData);
    expect(seen).toEqual([{ loaded: 1000, total: 1000 }]);
  });

  it('reports no progress for a refusal, and a failed fetch as network_error (aborted when the signal did it)', async () => {
    const seen: UploadProgress[] = [];
    const refused = await postForm(post({ onProgress: (p) => seen.push(p), fetch: async () => new Response('{}', { status: 413 }) }));
    expect(refused.status).toBe(413);
    expect(seen).toEqual([]);
    await expect(postForm(post({ fetch: () => Promise.reject(new TypeError('fetch failed')) }))).rejects.toMatchObject({ code: 'network_error' });
    const controller = new AbortController();
    const pending = postForm(post({ signal: controller.signal, fetch: (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted')))) }));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
  });
});
