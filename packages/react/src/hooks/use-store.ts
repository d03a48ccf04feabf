import type { ReadableStore } from '@chatsdk/core';
import { useRef, useSyncExternalStore } from 'react';

/** Reads a core store: re-renders on every new snapshot. */
export function useStore<T>(store: ReadableStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}

/**
 * Reads a slice of a core store: re-renders only when `isEqual` says the
 * slice changed, so a component watching one message or one user is left
 * alone when the rest of the store moves.
 */
export function useStoreSelector<T, S>(store: ReadableStore<T>, select: (state: T) => S, isEqual: (a: S, b: S) => boolean = Object.is): S {
  const cache = useRef<{ store: ReadableStore<T>; source: T; select: (state: T) => S; value: S } | null>(null);
  const getSelection = (): S => {
    const source = store.getSnapshot();
    const last = cache.current;
    if (last && last.store === store && last.select === select && Object.is(last.source, source)) return last.value;
    const value = select(source);
    const kept = last && last.store === store && isEqual(last.value, value) ? last.value : value;
    cache.current = { store, source, select, value: kept };
    return kept;
  };
  return useSyncExternalStore(store.subscribe, getSelection, getSelection);
}

/** Equal arrays of the same items (by identity), in the same order. */
export function shallowArrayEqual<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => Object.is(item, b[i]));
}

/** Equal objects with the same keys and values (by identity). */
export function shallowEqual<T extends object>(a: T, b: T): boolean {
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}
