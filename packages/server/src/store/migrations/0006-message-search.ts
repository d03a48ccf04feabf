import { type Kysely, sql } from 'kysely';
import type { StoreKind } from '../store.js';

/**
 * Full-text search over message text, kept current by the database itself so
 * the send path needs nothing from the search code.
 *
 * SQLite: an FTS5 index over `messages.text` (external content: the text is
 * not stored twice), keyed by the message's rowid and maintained by triggers.
 * `detail=none` keeps only which rows hold a word, not where: search is every
 * word (and a last-word prefix), never a phrase, so positions would only cost
 * space and write time; `columnsize=0` drops the per-row sizes kept for
 * ranking, which we do not do (results are newest first). `prefix='3 4'`
 * indexes every word's first 3 and 4 characters as words of their own: a
 * last-word prefix is then read lazily, newest first, like a whole word.
 * Without it FTS5 merges the lists of every word with that prefix before
 * returning the first row; for a prefix of the most frequent (short) words
 * that was 30-45 ms at 1,000,000 messages instead of 1 ms. Longer prefixes
 * match fewer, rarer words, whose merge is cheap. The whole index is about
 * 33 MB at 1,000,000 messages (13 MB without the prefixes). A soft delete
 * empties `text`, so it leaves the index through the update trigger.
 * `remove_diacritics 0` matches PostgreSQL's `simple` configuration: both
 * fold case, neither folds accents.
 *
 * PostgreSQL: a GIN index on `to_tsvector('simple', text)` (queries repeat
 * that expression exactly so the planner can use it), and the channels'
 * messages in time order for the words too common for the GIN index to be
 * the cheap way (see search-matches.ts).
 */
export function messageSearch(kind: StoreKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (kind === 'postgres') {
        await sql`create index messages_search on messages using gin (to_tsvector('simple'::regconfig, text))`.execute(db);
        // Each channel's newest live messages in time order, read index-only by the search's recent walk (see
        // search-matches.ts): without the predicate every entry needed a heap visit to test deleted_at (20 ms, not 1).
        await sql`create index messages_channel_time on messages (app_id, channel_id, created_at, id) where deleted_at is null`.execute(db);
        return;
      }
      await sql`create virtual table message_search using fts5(text, content='messages', content_rowid='rowid', detail=none, columnsize=0, prefix='3 4', tokenize='unicode61 remove_diacritics 0')`.execute(db);
      await sql`create trigger message_search_insert after insert on messages begin
          insert into message_search(rowid, text) values (new.rowid, new.text);
        end`.execute(db);
      await sql`create trigger message_search_delete after delete on messages begin
          insert into message_search(message_search, rowid, text) values ('delete', old.rowid, old.text);
        end`.execute(db);
      await sql`create trigger message_search_update after update of text on messages begin
          insert into message_search(message_search, rowid, text) values ('delete', old.rowid, old.text);
          insert into message_search(rowid, text) values (new.rowid, new.text);
        end`.execute(db);
      // Messages sent before this migration.
      await sql`insert into message_search(message_search) values ('rebuild')`.execute(db);
    },
  };
}
