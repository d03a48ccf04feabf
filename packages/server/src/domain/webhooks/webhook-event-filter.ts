import { WEBHOOK_EVENT_TYPES } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';

/** Every type, the default filter of a webhook that names none. */
export const ALL_EVENTS = '*';

/** The families of the known types (`message`, `member`, …), for `family.*` patterns. */
const FAMILIES = new Set(WEBHOOK_EVENT_TYPES.map((type) => type.slice(0, type.indexOf('.'))));
const KNOWN = new Set<string>(WEBHOOK_EVENT_TYPES);

/** Whether one pattern names something that exists: a typo would otherwise subscribe to nothing, silently. */
function isKnownPattern(pattern: string): boolean {
  if (pattern === ALL_EVENTS) return true;
  if (pattern.endsWith('.*')) return FAMILIES.has(pattern.slice(0, -2));
  return KNOWN.has(pattern);
}

/**
 * A webhook's `events` as stored: each pattern known (else 400
 * `validation_failed` naming it), duplicates dropped, and `['*']` when the
 * list is absent or contains `*` (everything else is then redundant).
 */
export function normaliseEventFilter(events: readonly string[] | undefined): string[] {
  if (events === undefined) return [ALL_EVENTS];
  const unknown = events.filter((pattern) => !isKnownPattern(pattern));
  if (unknown.length > 0) {
    throw new ApiError(
      'validation_failed',
      `unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => `"${p}"`).join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}, a family such as message.*, or *`,
    );
  }
  if (events.includes(ALL_EVENTS)) return [ALL_EVENTS];
  return [...new Set(events)];
}

/** Whether an event of `type` passes a stored filter. */
export function eventFilterMatches(filter: readonly string[], type: string): boolean {
  return filter.some((pattern) => pattern === ALL_EVENTS || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}
