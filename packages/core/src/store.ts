import { reportListenerError } from './emitter.js';

/** A piece of state a UI can read and watch, shaped for React's `useSyncExternalStore(subscribe, getSnapshot)`. */
export interface ReadableStore<T> {
  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  /** The current snapshot. Snapshots are immutable: a change makes a new one, an old one never changes. */
  getSnapshot(): T;
}

/** The SDK's store: a value replaced (never mutated) on change, with listeners. */
export class Store<T> implements ReadableStore<T> {
  private readonly listeners = new Set<() => void>();

  constructor(private state: T) {}

  /** Bound, so it can be handed around as a plain function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  /** Bound, so it can be handed around as a plain function. */
  readonly getSnapshot = (): T => this.state;

  /** Replaces the snapshot and tells the listeners; the same value again is not a change. */
  set(next: T): void {
    if (Object.is(next, this.state)) return;
    this.state = next;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  /** Replaces the snapshot with `change(current)`. */
  update(change: (current: T) => T): void {
    this.set(change(this.state));
  }
}

/**
 * A store computed from others: recomputed when a source changes, and the
 * same snapshot until then (as `useSyncExternalStore` requires).
 */
export function derived<T>(sources: ReadonlyArray<ReadableStore<unknown>>, compute: () => T): ReadableStore<T> {
  let inputs: unknown[] | undefined;
  let value: T;
  const getSnapshot = (): T => {
    const current = sources.map((source) => source.getSnapshot());
    if (!inputs || current.some((input, i) => !Object.is(input, inputs?.[i]))) {
      inputs = current;
      value = compute();
    }
    return value;
  };
  return {
    getSnapshot,
    subscribe(listener) {
      const stops = sources.map((source) => source.subscribe(listener));
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}
