import type { Store } from '../../store/store.js';
import { atBatchEnd, type BatchEndWriter, type Tx } from './batch-end.js';

/** A durable event as a transaction recorded it, for whatever else must be written with it (webhook deliveries). */
export interface RecordedEvent {
  appId: string;
  /** The order key: a channel id, or `user:<id>` for a user's events. */
  lane: string;
  type: string;
  /** The event's JSON, serialised once where it was made. */
  json: string;
  /** When it happened, in ms. */
  at: number;
}

/**
 * Something that writes, inside the transaction and before its commit, what
 * follows from the events it recorded; `committed` is told once a
 * transaction that recorded events has committed (a worker's nudge).
 */
export interface EventSink {
  write(trx: Tx, events: readonly RecordedEvent[]): Promise<void>;
  committed?(): void;
}

const sinksOf = new WeakMap<Store, EventSink[]>();
const flushersOf = new WeakMap<Store, BatchEndWriter>();
const recordedOf = new WeakMap<Tx, RecordedEvent[]>();

/**
 * Registers `sink` for every transaction on `store`. The transaction code
 * calls sinks without knowing them (events/ never imports the folders that
 * register: webhooks -> events, not back). Returns the unregistration.
 */
export function addEventSink(store: Store, sink: EventSink): () => void {
  const sinks = sinksOf.get(store) ?? [];
  sinks.push(sink);
  sinksOf.set(store, sinks);
  return () => {
    const at = sinks.indexOf(sink);
    if (at >= 0) sinks.splice(at, 1);
  };
}

/** The batch-end writer of one store: hands the transaction's events to each sink, once. */
function flusherOf(store: Store): BatchEndWriter {
  let flusher = flushersOf.get(store);
  if (!flusher) {
    flusher = async (trx) => {
      const events = recordedOf.get(trx);
      recordedOf.delete(trx);
      if (!events || events.length === 0) return;
      for (const sink of sinksOf.get(store) ?? []) await sink.write(trx, events);
    };
    flushersOf.set(store, flusher);
  }
  return flusher;
}

/**
 * Records a durable event of the transaction `trx` for the store's sinks.
 * They write at the end of the batch, before the commit, so what they write
 * commits with the change or not at all; a transaction rolled back (and run
 * again afresh by the commit batcher) takes its records with it. Costs
 * nothing when no sink is registered.
 */
export function recordEvent(store: Store, trx: Tx, event: RecordedEvent): void {
  const sinks = sinksOf.get(store);
  if (!sinks || sinks.length === 0) return;
  let events = recordedOf.get(trx);
  if (!events) {
    recordedOf.set(trx, (events = []));
    atBatchEnd(trx, flusherOf(store));
  }
  events.push(event);
}

/** Tells the store's sinks that a transaction which recorded events has committed. */
export function eventsCommitted(store: Store): void {
  for (const sink of sinksOf.get(store) ?? []) sink.committed?.();
}
