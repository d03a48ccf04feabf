import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Database, MessagesTable } from '../../store/schema.js';
import type { StoreKind } from '../../store/store.js';
import { type SearchTerms, toFts5Query, toTsQuery } from './search-terms.js';

/**
 * Where a match sits in the newest-first order of results: `at` is the
 * message's rowid on SQLite (the FTS5 index reads its matches in rowid order,
 * which is the order messages were stored) and its `created_at` on
 * PostgreSQL, with `id` to break ties there.
 */
export interface MatchKey {
  at: number;
  id: string;
}

/** One page of matching messages to find. */
export interface MatchQuery {
  appId: string;
  terms: SearchTerms;
  /** Only these channels; null searches every live channel of the app (the server's search). */
  channelIds: string[] | null;
  /** Only matches after this one in the order. */
  after: MatchKey | undefined;
  /**
   * Whose shadowed messages (a shadow-banned author's) may match: 'all' for
   * the server, else the searching user's own only, so a shadow-banned user
   * finds what they wrote and nobody else finds it.
   */
  shadowedOf: string | 'all';
  limit: number;
}

/** The condition that leaves out shadowed messages the searcher may not see, on the messages aliased `m` (or unaliased). */
function shadowFilter(q: MatchQuery, alias: 'm' | ''): RawBuilder<unknown> {
  if (q.shadowedOf === 'all') return sql``;
  return alias === 'm' ? sql`and (m.shadowed = 0 or m.user_id = ${q.shadowedOf})` : sql`and (shadowed = 0 or user_id = ${q.shadowedOf})`;
}

/** A live message that matches, with its place in the order. */
export type MatchRow = Selectable<MessagesTable> & { match_at: number };

/**
 * SQLite: walk the FTS5 matches newest first (FTS5 reads a word's rowids in
 * descending order without sorting) and keep those in the caller's channels
 * until the page is full. The channel list is one JSON parameter, turned into
 * a lookup table once per query whatever its length.
 */
async function sqliteMatches(db: Kysely<Database>, q: MatchQuery): Promise<MatchRow[]> {
  const channels =
    q.channelIds === null
      ? sql`and m.channel_id not in (select id from channels where app_id = ${q.appId} and deleted_at is not null)`
      : sql`and m.channel_id in (select value from json_each(${JSON.stringify(q.channelIds)}))`;
  const after = q.after === undefined ? sql`` : sql`and s.rowid < ${q.after.at}`;
  const { rows } = await sql<MatchRow>`
    select m.*, s.rowid as match_at
    from message_search s cross join messages m on m.rowid = s.rowid
    where message_search match ${toFts5Query(q.terms)} ${after}
      and m.app_id = ${q.appId} and m.deleted_at is null ${channels} ${shadowFilter(q, 'm')}
    order by s.rowid desc
    limit ${q.limit}`.execute(db);
  return rows;
}

/**
 * PostgreSQL, phase 1: the newest `window` live messages of the caller's
 * channels, tested one by one. Each channel's newest come from the partial
 * index on (app_id, channel_id, created_at, id) of live messages, read
 * index-only, one plan whatever the number of channels; the message rows are
 * fetched for the `window` newest only. This is a prefix of the exact
 * answer's order, so when it holds a full page, that page is exact: common
 * words (for which the GIN index would hand over hundreds of thousands of
 * rows to sort) end here.
 */
async function postgresRecentMatches(db: Kysely<Database>, q: MatchQuery, channelIds: string[], window: number): Promise<MatchRow[]> {
  const after = q.after === undefined ? sql`` : sql`and (created_at, id) < (${q.after.at}, ${q.after.id})`;
  const { rows } = await sql<MatchRow>`
    select m.*, m.created_at as match_at
    from (
      select k.id from unnest(${channelIds}::text[]) as scope(channel_id)
      cross join lateral (
        select id, created_at from messages
        where app_id = ${q.appId} and channel_id = scope.channel_id and deleted_at is null ${after}
        order by created_at desc, id desc limit ${window}
      ) k
      order by k.created_at desc, k.id desc limit ${window}
    ) recent
    join messages m on m.app_id = ${q.appId} and m.id = recent.id
    where to_tsvector('simple'::regconfig, m.text) @@ to_tsquery('simple'::regconfig, ${toTsQuery(q.terms)})
      ${shadowFilter(q, 'm')}
    order by m.created_at desc, m.id desc
    limit ${q.limit}`.execute(db);
  return rows;
}

/**
 * PostgreSQL, phase 2 (and the server's whole-app search): every match from
 * the GIN index in scope, sorted. Reached when the recent walk found less
 * than a page. When it found none, the words are rare in the caller's
 * channels and the channel test is written so that no index serves it: given
 * `channel_id = any(…)` the planner ANDs the GIN bitmap with one of every
 * message of the caller's channels (30,000 entries, 10-18 ms) to save a few
 * heap reads. When it found some, that AND is what keeps the heap reads to
 * the caller's matches, so it is left to the planner.
 */
async function postgresIndexedMatches(db: Kysely<Database>, q: MatchQuery, rareInScope: boolean): Promise<MatchRow[]> {
  const channels =
    q.channelIds === null
      ? sql`and channel_id not in (select id from channels where app_id = ${q.appId} and deleted_at is not null)`
      : rareInScope
        ? sql`and array[channel_id] <@ ${q.channelIds}::text[]`
        : sql`and channel_id = any(${q.channelIds}::text[])`;
  const after = q.after === undefined ? sql`` : sql`and (created_at, id) < (${q.after.at}, ${q.after.id})`;
  const { rows } = await sql<MatchRow>`
    select *, created_at as match_at
    from messages
    where app_id = ${q.appId} and deleted_at is null
      and to_tsvector('simple'::regconfig, text) @@ to_tsquery('simple'::regconfig, ${toTsQuery(q.terms)})
      ${channels} ${after} ${shadowFilter(q, '')}
    order by created_at desc, id desc
    limit ${q.limit}`.execute(db);
  return rows;
}

/**
 * Messages the recent walk tests: a page of 20 ends there when at least 1 in
 * 12 recent messages matches. Each channel reads up to this many index
 * entries, so it is also the walk's cost per channel.
 */
const RECENT_WINDOW = 256;

/**
 * PostgreSQL has no index that yields text matches in time order (as FTS5
 * does by rowid), so it takes whichever of two exact plans is cheap: the
 * recent walk when the words are common, the GIN index when they are not.
 */
async function postgresMatches(db: Kysely<Database>, q: MatchQuery): Promise<MatchRow[]> {
  if (q.channelIds === null) return postgresIndexedMatches(db, q, false);
  const recent = await postgresRecentMatches(db, q, q.channelIds, Math.max(RECENT_WINDOW, 4 * q.limit));
  if (recent.length >= q.limit) return recent;
  return postgresIndexedMatches(db, q, recent.length === 0);
}

/** Live messages matching the terms, newest first, from the index of the store's dialect. */
export function findMatches(kind: StoreKind, db: Kysely<Database>, q: MatchQuery): Promise<MatchRow[]> {
  return kind === 'sqlite' ? sqliteMatches(db, q) : postgresMatches(db, q);
}
