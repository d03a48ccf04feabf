import { LIMITS, type SearchQuery, type SearchResponse } from '@chatsdk/protocol';
import { ApiError } from '../../errors.js';
import type { Caller } from '../auth/caller.js';
import { callerUserId } from '../auth/caller.js';
import { accessChannel, requireRead } from '../channels/channel-access.js';
import { decodeTimeKey, encodeTimeKey } from '../common/keyset.js';
import type { DomainContext } from '../context.js';
import { hydrateMessages, messageFromRow } from '../messages/message-records.js';
import { findMatches } from './search-matches.js';
import { parseSearchTerms } from './search-terms.js';

/** Results per page when the caller gives no limit. */
const DEFAULT_LIMIT = 20;

const CHANNEL_ID = /^[A-Za-z0-9_.@:-]{1,128}$/;

/** The `channelId` filter: repeated, comma-separated, or both; each id checked like a path id. */
function requestedChannels(given: string[] | undefined): string[] | undefined {
  if (given === undefined) return undefined;
  const ids = [...new Set(given.flatMap((item) => item.split(',')).map((id) => id.trim()))];
  if (ids.length > LIMITS.searchChannels) throw new ApiError('validation_failed', `channelId names more than ${LIMITS.searchChannels} channels`);
  for (const id of ids) if (!CHANNEL_ID.test(id)) throw new ApiError('validation_failed', `channelId "${id.slice(0, 140)}" is not a channel id`);
  return ids;
}

/**
 * The channels a search may look in. A user searches the live channels they
 * have joined, or the ones they name, each of which they must be able to read
 * (a public channel they have not joined included); naming one they may not
 * read is a 404, as everywhere else. The server searches the whole app, or
 * the channels it names. Null means no channel filter.
 */
async function searchScope(ctx: DomainContext, caller: Caller, named: string[] | undefined): Promise<string[] | null> {
  const db = ctx.store.db;
  if (named !== undefined) {
    for (const id of named) requireRead(await accessChannel(db, caller, id));
    return named;
  }
  if (caller.kind === 'server') return null;
  const rows = await db
    .selectFrom('members')
    .innerJoin('channels', (join) => join.onRef('channels.app_id', '=', 'members.app_id').onRef('channels.id', '=', 'members.channel_id'))
    .select('members.channel_id')
    .where('members.app_id', '=', caller.app.id)
    .where('members.user_id', '=', caller.user.id)
    .where('channels.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => r.channel_id);
}

/**
 * `GET /api/search`: live messages whose text holds every word of `q`,
 * newest first, in the channels the caller may search, keyset-paged: the
 * cursor is the last result's place in the index order, so a page costs the
 * same however deep it is, and messages sent meanwhile never shift a page.
 * A shadow-banned author's messages match for the author (and the server)
 * only: to every other searcher they do not exist.
 */
export async function searchMessages(ctx: DomainContext, caller: Caller, query: SearchQuery): Promise<SearchResponse> {
  const terms = parseSearchTerms(query.q);
  const after = query.cursor === undefined ? undefined : decodeTimeKey(query.cursor);
  const channelIds = await searchScope(ctx, caller, requestedChannels(query.channelId));
  if (channelIds !== null && channelIds.length === 0) return { results: [] };
  const limit = query.limit ?? DEFAULT_LIMIT;
  const shadowedOf = caller.kind === 'server' ? 'all' : caller.user.id;
  const rows = await findMatches(ctx.store.kind, ctx.store.db, { appId: caller.app.id, terms, channelIds, after, limit: limit + 1, shadowedOf });
  const page = rows.slice(0, limit);
  const results = await hydrateMessages(ctx.store.db, caller.app.id, page.map(messageFromRow), callerUserId(caller));
  const last = page.at(-1);
  return rows.length > limit && last ? { results, next: encodeTimeKey({ at: Number(last.match_at), id: last.id }) } : { results };
}
