import type { Tx } from '../events/batch-end.js';
import type { EventSink, RecordedEvent } from '../events/event-sinks.js';
import { enqueue, type OutboxEntry } from '../../outbox/index.js';
import { randomId } from '../common/ids.js';
import { readJson } from '../common/json-columns.js';
import { WEBHOOK_TARGET } from './deliveries.js';
import { eventFilterMatches } from './webhook-event-filter.js';
import { webhookBody } from './webhook-body.js';


/** How long after writing rows the commits that follow nudge the worker. */
const NUDGE_WINDOW_MS = 1000;

/** A webhook as the sink needs it. */
interface Subscriber {
  id: string;
  patterns: string[];
}

/**
 * The apps' enabled webhooks, read in the transaction: one indexed query per
 * batch of events, whatever their number. Read from the store every time,
 * never from a cache of this process, so a webhook created through another
 * process gets the next event.
 */
async function subscribersOf(trx: Tx, appIds: string[]): Promise<Map<string, Subscriber[]>> {
  const rows = await trx
    .selectFrom('webhooks')
    .select(['app_id', 'id', 'events'])
    .where('app_id', 'in', appIds)
    .where('disabled_at', 'is', null)
    .orderBy('app_id')
    .orderBy('id')
    .execute();
  const byApp = new Map<string, Subscriber[]>();
  for (const row of rows) {
    let list = byApp.get(row.app_id);
    if (!list) byApp.set(row.app_id, (list = []));
    list.push({ id: row.id, patterns: patternsOf(row.events) });
  }
  return byApp;
}

/** A stored filter; one that does not read as a list of strings (a hand-edited row) subscribes to nothing rather than break the send. */
function patternsOf(stored: string): string[] {
  try {
    const value = readJson<unknown>(stored);
    return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** The outbox rows of `events`: one per event per webhook that subscribes to its type, in event order. */
function entriesFor(events: readonly RecordedEvent[], byApp: Map<string, Subscriber[]>): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const event of events) {
    const subscribers = byApp.get(event.appId);
    if (!subscribers) continue;
    // One id and one body per event, shared by its webhooks: the receiver dedupes by it.
    let eventId: string | undefined;
    let payload: string | undefined;
    for (const hook of subscribers) {
      if (!eventFilterMatches(hook.patterns, event.type)) continue;
      eventId ??= randomId('evt');
      payload ??= webhookBody(event.type, event.at, event.json);
      entries.push({ appId: event.appId, eventId, targetKind: WEBHOOK_TARGET, targetId: hook.id, lane: event.lane, type: event.type, payload });
    }
  }
  return entries;
}

/**
 * The event sink that writes webhook deliveries into the outbox, in the
 * transaction of the events. `onWritten` hears, after the commit, that rows
 * were written (the worker's nudge: it need not wait for its next poll).
 */
export function webhookEventSink(onWritten: () => void = () => {}): EventSink {
  // When rows were last written. Commits of several lanes interleave, so a commit does not know whether
  // it carried them: every commit shortly after a write nudges (a nudge is one cheap claim query).
  let wroteAt = 0;
  return {
    async write(trx, events) {
      const byApp = await subscribersOf(trx, [...new Set(events.map((e) => e.appId))]);
      if (byApp.size === 0) return;
      const entries = entriesFor(events, byApp);
      if (entries.length === 0) return;
      await enqueue(trx, entries);
      wroteAt = Date.now();
    },
    committed() {
      if (Date.now() - wroteAt < NUDGE_WINDOW_MS) onWritten();
    },
  };
}
