import { ChatError } from '../errors.js';
import type { FetchLike } from '../http/requests.js';
import type { UploadProgress } from './types.js';

/** An HTTP answer before it is parsed. */
export interface RawAnswer {
  status: number;
  text: string;
  requestId: string | undefined;
}

/** One multipart POST. */
export interface FormPost {
  url: string;
  form: FormData;
  token: string;
  total: number;
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** XMLHttpRequest: how long the upload may make no progress before it is a `timeout`. */
  stallMs: number;
  fetch: FetchLike;
}

interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  getResponseHeader(name: string): string | null;
  send(body: FormData): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  upload?: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

const aborted = () => new ChatError('aborted', 'the upload was canceled');

/**
 * Posts a form through XMLHttpRequest where there is one (browsers, React
 * Native: it reports upload progress), else through `fetch` (Node), which
 * reports nothing until the answer: there `onProgress` is called once, at the end.
 */
export function postForm(post: FormPost): Promise<RawAnswer> {
  if (post.signal?.aborted) return Promise.reject(aborted());
  const XHR = (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;
  return XHR ? viaXhr(new XHR(), post) : viaFetch(post);
}

function viaXhr(xhr: Xhr, post: FormPost): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let stalled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        xhr.abort();
      }, post.stallMs);
    };
    const abort = () => xhr.abort();
    const settle = () => {
      clearTimeout(timer);
      post.signal?.removeEventListener('abort', abort);
    };
    let percent = -1;
    xhr.open('POST', post.url);
    xhr.setRequestHeader('authorization', `Bearer ${post.token}`);
    xhr.setRequestHeader('accept', 'application/json');
    if (xhr.upload) {
      xhr.upload.onprogress = (event) => {
        watch();
        const total = event.lengthComputable && event.total > 0 ? event.total : post.total;
        const loaded = Math.min(event.loaded, total);
        // One report per whole percent: a progress bar needs no more, and each report re-renders a row.
        const now = total > 0 ? Math.floor((loaded * 100) / total) : 100;
        if (now === percent) return;
        percent = now;
        post.onProgress?.({ loaded, total });
      };
    }
    xhr.onload = () => {
      settle();
      resolve({ status: xhr.status, text: xhr.responseText, requestId: xhr.getResponseHeader('x-request-id') ?? undefined });
    };
    xhr.onerror = () => {
      settle();
      reject(new ChatError('network_error', 'the upload did not reach the server'));
    };
    xhr.onabort = () => {
      settle();
      reject(stalled ? new ChatError('timeout', `the upload made no progress for ${post.stallMs} ms`) : aborted());
    };
    post.signal?.addEventListener('abort', abort);
    watch();
    xhr.send(post.form);
  });
}

async function viaFetch(post: FormPost): Promise<RawAnswer> {
  let response: Response;
  let text: string;
  try {
    // No timeout of our own: nothing tells a slow upload from a stuck one here, and the server ends requests past its limit.
    response = await post.fetch(post.url, { method: 'POST', headers: { authorization: `Bearer ${post.token}`, accept: 'application/json' }, body: post.form, ...(post.signal ? { signal: post.signal } : {}) });
    text = await response.text();
  } catch (cause) {
    if (post.signal?.aborted) throw aborted();
    throw new ChatError('network_error', `the upload did not reach the server: ${String(cause)}`, 0, undefined, { cause });
  }
  if (response.ok) post.onProgress?.({ loaded: post.total, total: post.total });
  return { status: response.status, text, requestId: response.headers.get('x-request-id') ?? undefined };
}
