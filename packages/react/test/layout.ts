/**
 * jsdom lays nothing out: every size is 0 and elements cannot scroll. For the
 * virtualised list this gives it the little layout a browser would: a
 * scroller (`[data-chat-scroller]`) of a fixed height whose content is as
 * tall as the virtualiser's container, rows of a fixed height, and
 * `scrollTo` that moves `scrollTop` and fires `scroll` a task later.
 */
export function fakeLayout({ viewport = 600, row = 40 }: { viewport?: number; row?: number } = {}): () => void {
  const proto = HTMLElement.prototype;
  const saved = ['clientHeight', 'clientWidth', 'offsetHeight', 'offsetWidth', 'scrollHeight', 'scrollTop'].map((key) => [key, Object.getOwnPropertyDescriptor(proto, key) ?? Object.getOwnPropertyDescriptor(Element.prototype, key)] as const);
  const savedScrollTo = Element.prototype.scrollTo;
  const tops = new WeakMap<Element, number>();
  const isScroller = (el: Element) => el.hasAttribute('data-chat-scroller');
  const contentHeight = (el: Element) => {
    const inner = el.querySelector<HTMLElement>('[role="list"]');
    return inner ? Number.parseFloat(inner.style.height || '0') : 0;
  };
  const define = (key: string, get: (this: HTMLElement) => number, set?: (this: HTMLElement, value: number) => void) =>
    Object.defineProperty(proto, key, { configurable: true, get, ...(set ? { set } : {}) });
  define('clientHeight', function () {
    return isScroller(this) ? viewport : 0;
  });
  define('clientWidth', function () {
    return isScroller(this) ? 400 : 0;
  });
  define('offsetHeight', function () {
    return this.classList.contains('chat-message-row') ? row : isScroller(this) ? viewport : 0;
  });
  define('offsetWidth', function () {
    return 400;
  });
  define('scrollHeight', function () {
    return isScroller(this) ? Math.max(viewport, contentHeight(this)) : 0;
  });
  define(
    'scrollTop',
    function () {
      return tops.get(this) ?? 0;
    },
    function (value) {
      const max = Math.max(0, this.scrollHeight - this.clientHeight);
      tops.set(this, Math.max(0, Math.min(max, value)));
    },
  );
  Element.prototype.scrollTo = function (this: HTMLElement, options?: ScrollToOptions | number) {
    if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
    // Browsers fire scroll events later, not inside the call.
    setTimeout(() => this.dispatchEvent(new Event('scroll')), 0);
  } as Element['scrollTo'];
  return () => {
    for (const [key, descriptor] of saved) {
      if (descriptor) Object.defineProperty(proto, key, descriptor);
      else delete (proto as unknown as Record<string, unknown>)[key];
    }
    Element.prototype.scrollTo = savedScrollTo;
  };
}
