import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel } from './helpers/chat.js';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const MESSAGES = 15_000;

interface IndexUse {
  index: string;
  scans: number;
  read: number;
}

/**
 * On a PostgreSQL whose autovacuum never ran (turned off, or a table just
 * filled), the planner has no statistics to go by; the indexes must leave it
 * no wrong choice, and migrations analyze what they create.
 */
describe.runIf(storeKinds.includes('postgres'))('history pages on PostgreSQL without statistics', () => {
  let t: TestServer;
  let chat: ChatApp;

  beforeAll(async () => {
    t = await startTestServer('postgres');
    chat = await chatApp(t, ['alice']);
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'big', members: ['alice'] });
    const db = t.server.context.store.db;
    await sql`alter table messages set (autovacuum_enabled = off)`.execute(db);
    await sql`
      insert into messages (app_id, id, channel_id, seq, user_id, text, body_hash, created_at, updated_at)
      select ${chat.appId}, 'm' || g, 'big', g, 'alice', 'message ' || g, 'h', g, g from generate_series(1, ${MESSAGES}) as g
    `.execute(db);
    await sql`update channels set last_message_seq = ${MESSAGES} where app_id = ${chat.appId} and id = 'big'`.execute(db);
  }, 60_000);

  afterAll(() => t?.close());

  /** How often each index of `messages` was scanned and how many entries it read, as PostgreSQL counts them. */
  async function indexUse(): Promise<Map<string, IndexUse>> {
    const db = t.server.context.store.db;
    const { rows } = await sql<{ index: string; scans: string; read: string }>`
      select indexrelname as index, idx_scan as scans, idx_tup_read as read
      from pg_stat_user_indexes where relid = 'messages'::regclass
    `.execute(db);
    return new Map(rows.map((r) => [r.index, { index: r.index, scans: Number(r.scans), read: Number(r.read) }]));
  }

  it('reads a page through the sequence index, touching about a page of entries, never the pinned index', async () => {
    const before = await indexUse();
    const pages = 20;
    for (let i = 0; i < pages; i++) {
      const reply = await call<{ messages: unknown[] }>(t.baseUrl, `/api/channels/big/messages?limit=25&before=${MESSAGES - i * 500}`, { apiKey: chat.apiKey });
      expect(reply.status).toBe(200);
      expect(reply.body.messages).toHaveLength(25);
    }
    // Each of the server's pooled backends flushes its counters on its own, at most once a second and within
    // 10 s of going idle: wait for the index the pages must use, not for a total other indexes can make up.
    let after = await indexUse();
    const deadline = Date.now() + 15_000;
    const seqScans = (use: Map<string, IndexUse>) => use.get('messages_channel_seq')?.scans ?? 0;
    while (seqScans(after) - seqScans(before) < pages && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await indexUse();
    }
    const delta = (name: string) => ({
      scans: (after.get(name)?.scans ?? 0) - (before.get(name)?.scans ?? 0),
      read: (after.get(name)?.read ?? 0) - (before.get(name)?.read ?? 0),
    });
    expect(delta('messages_pinned')).toEqual({ scans: 0, read: 0 });
    const seq = delta('messages_channel_seq');
    expect(seq.scans).toBeGreaterThanOrEqual(pages);
    expect(seq.read).toBeLessThanOrEqual(pages * 30);
  });

  it('keeps the pinned and thread indexes to the rows they serve', async () => {
    const db = t.server.context.store.db;
    const { rows } = await sql<{ name: string; predicate: string | null }>`
      select c.relname as name, pg_get_expr(i.indpred, i.indrelid) as predicate
      from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = 'messages'::regclass and c.relname in ('messages_pinned', 'messages_parent')
      order by c.relname
    `.execute(db);
    expect(rows).toEqual([
      { name: 'messages_parent', predicate: '(parent_id IS NOT NULL)' },
      { name: 'messages_pinned', predicate: '(pinned_at IS NOT NULL)' },
    ]);
  });

  it('has statistics for every table the migrations made, before any autovacuum', async () => {
    const fresh = await startTestServer('postgres');
    try {
      const { rows } = await sql<{ table: string; analyzed: boolean }>`
        select relname as table, (last_analyze is not null or last_autoanalyze is not null) as analyzed
        from pg_stat_user_tables where schemaname = current_schema() and relname not like 'kysely_%'
      `.execute(fresh.server.context.store.db);
      expect(rows.length).toBeGreaterThan(5);
      expect(rows.filter((r) => !r.analyzed)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
