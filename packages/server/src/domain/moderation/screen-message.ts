import { ApiError } from '../../errors.js';
import type { AppRecord } from '../auth/apps.js';
import type { ChannelRecord } from '../channels/channel-records.js';
import type { Tx } from '../events/batch-end.js';
import { compiledBlocklistsOf } from './blocklist-cache.js';
import { type CompiledBlocklists, findMatches, maskRanges } from './blocklist-matcher.js';

/** What the channel's blocklists make of a message's text. */
export interface Screening {
  /** The text to store: as sent, or with `mask` lists' matches replaced by `***`. */
  text: string;
  /** Names of the `flag` lists that matched: the message is stored and flagged for review. */
  flaggedBy: string[];
}

/**
 * Which of the app's lists apply to the channel: those it names, and those
 * of its type. A name without a list (deleted meanwhile) applies nothing.
 */
function applicable(compiled: CompiledBlocklists, channel: ChannelRecord): boolean[] | undefined {
  let any = false;
  const applies = compiled.lists.map((list) => {
    const on = list.channelTypes.has(channel.type) || channel.blocklists.includes(list.name);
    any ||= on;
    return on;
  });
  return any ? applies : undefined;
}

/**
 * Puts a message's text to the blocklists that apply to its channel (those
 * it names, and those of its type). A `block` list that matches refuses it
 * with `400 message_blocked` (details: `{ blocklist }`): nothing is written.
 * Otherwise the matches of `mask` lists become `***`, and the `flag` lists
 * that matched are named for the caller to flag the message with.
 *
 * Costs one field read for an app without blocklists; otherwise the compiled
 * lists of the app's current `blocklistsVersion` are kept in memory
 * (`blocklist-cache.ts`), and a channel none of them applies to costs a
 * walk of the app's lists.
 */
export async function screenText(db: Tx, app: AppRecord, channel: ChannelRecord, text: string): Promise<Screening> {
  if (app.blocklistsVersion === 0 || text === '') return { text, flaggedBy: [] };
  const compiled = await compiledBlocklistsOf(db, app);
  const applies = applicable(compiled, channel);
  if (!applies) return { text, flaggedBy: [] };
  const matches = findMatches(compiled, applies, text);
  if (matches.length === 0) return { text, flaggedBy: [] };

  const lists = compiled.lists;
  const blocking = matches.find((m) => lists[m.list]?.mode === 'block');
  if (blocking) {
    const name = lists[blocking.list]?.name ?? '';
    // The matched word is not named: the sender would learn the list one refusal at a time.
    throw new ApiError('message_blocked', `the message holds a word or pattern of blocklist "${name}"`, { details: { blocklist: name } });
  }
  const masked = maskRanges(text, matches.filter((m) => lists[m.list]?.mode === 'mask'));
  const flaggedBy = [...new Set(matches.filter((m) => lists[m.list]?.mode === 'flag').map((m) => lists[m.list]?.name ?? ''))].sort();
  return { text: masked, flaggedBy };
}
