// Benchmark set-up, not an API path: a million messages inserted straight
// into the store with the server's own Kysely store module, in multi-row
// inserts inside large transactions. The store's own triggers and indexes
// (the search index among them) do their usual work on every row.
// Rows go in 5,000 at a time as one JSON parameter (see insertMessageRows).
import { sql } from 'kysely';
import { openServerStore } from './seed.mjs';

/** A small, fast, seeded generator (mulberry32): the same seed gives the same messages. */
export function seededRandom(seed = 1) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONSONANTS = 'bdfgklmnprstvz';
const VOWELS = 'aeiou';
const SYLLABLES = [...CONSONANTS].flatMap((c) => [...VOWELS].map((v) => c + v));

/**
 * The word of a frequency rank (0 is the most frequent): two syllables for
 * the first 4,900 ranks ("bada"), three after ("badako"), so words share
 * prefixes the way real ones do and a prefix query matches several.
 * @param {number} rank
 */
export function wordOf(rank) {
  const n = SYLLABLES.length;
  const s = (/** @type {number} */ i) => SYLLABLES[i % n] ?? '';
  if (rank < n * n) return s(Math.floor(rank / n)) + s(rank);
  const r = rank - n * n;
  return s(Math.floor(r / (n * n))) + s(Math.floor(r / n)) + s(r);
}

/**
 * Words drawn with Zipf's law (frequency ∝ 1 / rank^exponent), as in natural
 * text: the top word is in about half the messages, a word of rank 10,000 in
 * a handful per million.
 * @param {{ vocabulary?: number, exponent?: number, seed?: number }} [options]
 */
export function zipfWords({ vocabulary = 20_000, exponent = 1, seed = 7 } = {}) {
  const cdf = new Float64Array(vocabulary);
  let total = 0;
  for (let r = 0; r < vocabulary; r += 1) cdf[r] = total += 1 / (r + 1) ** exponent;
  for (let r = 0; r < vocabulary; r += 1) cdf[r] = /** @type {number} */ (cdf[r]) / total;
  const random = seededRandom(seed);
  return {
    random,
    /** A word's rank, by binary search over the cumulative distribution. */
    nextRank() {
      const u = random();
      let lo = 0;
      let hi = vocabulary - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (/** @type {number} */ (cdf[mid]) < u) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
    /** A message text of 3 to 14 words. */
    text() {
      const words = [];
      const length = 3 + Math.floor(random() * 12);
      for (let i = 0; i < length; i += 1) words.push(wordOf(this.nextRank()));
      const sentence = words.join(' ');
      return sentence.charAt(0).toUpperCase() + sentence.slice(1);
    },
  };
}

/**
 * One multi-row insert of messages from one JSON parameter: binding 26
 * columns of 500 rows per statement through Kysely took about 10 s per
 * 100,000 rows; one parameter of 5,000 rows lets the database parse them.
 * Columns not given take the table's defaults, as a plain new message has.
 * @param {import('../../packages/server/dist/store/index.js').Store} store
 * @param {import('kysely').Kysely<import('../../packages/server/dist/store/index.js').Database>} db  the store's database or a transaction of it
 * @param {Array<[appId: string, id: string, channelId: string, seq: number, userId: string, text: string, at: number]>} rows
 */
async function insertMessageRows(store, db, rows) {
  const json = JSON.stringify(rows);
  if (store.kind === 'postgres') {
    await sql`insert into messages (app_id, id, channel_id, seq, user_id, text, body_hash, created_at, updated_at)
      select r->>0, r->>1, r->>2, (r->>3)::int, r->>4, r->>5, 'bench', (r->>6)::bigint, (r->>6)::bigint
      from jsonb_array_elements(${json}::jsonb) as r`.execute(db);
  } else {
    await sql`insert into messages (app_id, id, channel_id, seq, user_id, text, body_hash, created_at, updated_at)
      select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, 'bench', value ->> 6, value ->> 6
      from json_each(${json})`.execute(db);
  }
}

/**
 * Inserts `count` messages, oldest first, one second apart and ending now,
 * each in the channel `channelOf(i)` picks, with the next sequence number of
 * that channel, then brings each channel's last-message columns up to date.
 * Returns the seconds it took.
 * @param {Record<string, string>} env
 * @param {{ appId: string, count: number, channelOf: (i: number) => string, text: (i: number) => string, userOf?: (i: number) => string,
 *   batch?: number, perTransaction?: number, log?: (m: string) => void }} plan
 */
export async function insertMessagesInBulk(env, { appId, count, channelOf, text, userOf = () => 'u000000', batch = 5000, perTransaction = 100_000, log = () => {} }) {
  const store = await openServerStore(env);
  const started = Date.now();
  try {
    /** @type {Map<string, number>} */
    const seqs = new Map();
    const firstAt = Date.now() - count * 1000;
    for (let first = 0; first < count; first += perTransaction) {
      const last = Math.min(first + perTransaction, count);
      await store.db.transaction().execute(async (trx) => {
        for (let i = first; i < last; i += batch) {
          /** @type {Array<[string, string, string, number, string, string, number]>} */
          const rows = [];
          for (let n = i; n < Math.min(i + batch, last); n += 1) {
            const channelId = channelOf(n);
            const seq = (seqs.get(channelId) ?? 0) + 1;
            seqs.set(channelId, seq);
            rows.push([appId, `m${String(n).padStart(8, '0')}`, channelId, seq, userOf(n), text(n), firstAt + n * 1000]);
          }
          await insertMessageRows(store, trx, rows);
        }
      });
      log(`${last.toLocaleString('en')} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    // Each channel's last message, as sends keep them: one statement for all.
    await sql`update channels set
        last_message_seq = (select max(m.seq) from messages m where m.app_id = channels.app_id and m.channel_id = channels.id),
        last_message_id = (select m.id from messages m where m.app_id = channels.app_id and m.channel_id = channels.id order by m.seq desc limit 1),
        last_message_at = (select max(m.created_at) from messages m where m.app_id = channels.app_id and m.channel_id = channels.id)
      where app_id = ${appId}`.execute(store.db);
    // PostgreSQL's autovacuum would analyze within a minute (the planner needs the words' statistics); SQLite as shipped.
    if (store.kind === 'postgres') await sql`vacuum analyze messages`.execute(store.db);
    return (Date.now() - started) / 1000;
  } finally {
    await store.close();
  }
}

/**
 * Channels of one app straight in the store (1,000 through the API would be
 * slow and prove nothing), with `members` joined to each as plain members.
 * @param {Record<string, string>} env
 * @param {string} appId
 * @param {{ id: string, members: string[] }[]} channels
 */
export async function insertChannelsInBulk(env, appId, channels) {
  const store = await openServerStore(env);
  try {
    const now = Date.now();
    await store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < channels.length; i += 500) {
        const slice = channels.slice(i, i + 500);
        await trx
          .insertInto('channels')
          .values(slice.map((c) => ({ app_id: appId, id: c.id, type: 'messaging', name: c.id, custom: '{}', created_by: c.members[0] ?? null, member_count: c.members.length, last_message_seq: 0, last_offset: 0, epoch: `e${i}`, created_at: now, updated_at: now })))
          .execute();
        const members = slice.flatMap((c) =>
          c.members.map((user_id) => ({ app_id: appId, channel_id: c.id, user_id, role: 'member', joined_at: now, last_read_seq: 0, unread_mentions: 0, muted: 0, pinned: 0, archived: 0 })),
        );
        for (let m = 0; m < members.length; m += 1000) await trx.insertInto('members').values(members.slice(m, m + 1000)).execute();
      }
    });
  } finally {
    await store.close();
  }
}
