import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, MessagesTable } from '../store/schema.js';
import type { StoreKind } from '../store/store.js';
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
  limit: number;
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
      and m.app_id = ${q.appId} and m.deleted_at is null ${channels}
    order by s.rowid desc
    limit ${q.limit}`.execute(db);
  return rows;
}

/**
 * PostgreSQL: the GIN index finds the matches; the planner decides from the
 * word's statistics whether to collect them and sort (rare words) or to walk
 * the app's messages newest first and test each (common words).
 */
async function postgresMatches(db: Kysely<Database>, q: MatchQuery): Promise<MatchRow[]> {
  const channels =
    q.channelIds === null
      ? sql`and channel_id not in (select id from channels where app_id = ${q.appId} and deleted_at is not null)`
      : sql`and channel_id = any(${q.channelIds}::text[])`;
  const after = q.after === undefined ? sql`` : sql`and (created_at, id) < (${q.after.at}, ${q.after.id})`;
  const { rows } = await sql<MatchRow>`
    select *, created_at as match_at
    from messages
    where app_id = ${q.appId} and deleted_at is null
      and to_tsvector('simple'::regconfig, text) @@ to_tsquery('simple'::regconfig, ${toTsQuery(q.terms)})
      ${channels} ${after}
    order by created_at desc, id desc
    limit ${q.limit}`.execute(db);
  return rows;
}

/** Live messages matching the terms, newest first, from the index of the store's dialect. */
export function findMatches(kind: StoreKind, db: Kysely<Database>, q: MatchQuery): Promise<MatchRow[]> {
  return kind === 'sqlite' ? sqliteMatches(db, q) : postgresMatches(db, q);
}
