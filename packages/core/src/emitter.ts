/** What `on` returns: call `remove()` to stop listening. */
export interface Subscription {
  /** Stops this listener; calling it twice is harmless. */
  remove(): void;
}

/** Reports a listener's exception without breaking the emitter's other listeners. */
export function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (report) report(error);
  else console.error(error);
}

/** A tiny typed event emitter: one context object per event, `on` returns a `Subscription`. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(ctx: never) => void>>();

  /** Listens to an event until `remove()` is called. */
  on<K extends keyof Events>(event: K, listener: (ctx: Events[K]) => void): Subscription {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (ctx: never) => void;
    set.add(entry);
    return { remove: () => void set.delete(entry) };
  }

  /** Calls every listener of `event` with `ctx`. */
  emit<K extends keyof Events>(event: K, ctx: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (ctx: Events[K]) => void)(ctx);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
