/**
 * Reference-counted start/stop of a resource (a client's connection, a
 * channel's watch) shared by components. A release does not stop at once: it
 * waits one task, so React StrictMode's mount → unmount → mount (and two
 * components handing a channel over) keeps one connection instead of
 * closing and opening it again.
 */
export interface Lease {
  acquire(): () => void;
}

/** A lease that calls `start` on the first holder and `stop` a task after the last one left. */
export function createLease(start: () => void, stop: () => void): Lease {
  let holders = 0;
  let running = false;
  let pendingStop: ReturnType<typeof setTimeout> | undefined;
  return {
    acquire() {
      holders++;
      clearTimeout(pendingStop);
      pendingStop = undefined;
      if (!running) {
        running = true;
        start();
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holders--;
        if (holders > 0) return;
        pendingStop = setTimeout(() => {
          pendingStop = undefined;
          if (holders > 0 || !running) return;
          running = false;
          stop();
        }, 0);
      };
    },
  };
}

/** One lease per key and owner object, made on first use. */
export function leaseFor<K extends object>(cache: WeakMap<K, Lease>, owner: K, make: () => Lease): Lease {
  let lease = cache.get(owner);
  if (!lease) {
    lease = make();
    cache.set(owner, lease);
  }
  return lease;
}
