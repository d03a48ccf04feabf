import { join, resolve } from 'node:path';
import { sql } from 'kysely';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * JSON over HTTP for setting a run up (not for load: see load-worker.mjs).
 * @param {string} baseUrl
 * @param {string} method
 * @param {string} path
 * @param {Record<string, string>} auth  X-API-Key or Authorization header
 * @param {unknown} [body]
 * @returns {Promise<any>} the parsed answer (set-up code reads a field or two of it)
 */
export async function call(baseUrl, method, path, auth, body) {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: { 'content-type': 'application/json', ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** The id of the n-th bench user: sorts in creation order. */
export const userId = (/** @type {number} */ n) => `u${String(n).padStart(6, '0')}`;

/**
 * Creates users u000000 … through the bulk upsert, 100 per call.
 * @param {string} baseUrl
 * @param {string} apiKey
 * @param {number} count
 */
export async function seedUsers(baseUrl, apiKey, count) {
  for (let first = 0; first < count; first += 100) {
    const users = [];
    for (let n = first; n < Math.min(first + 100, count); n += 1) users.push({ id: userId(n), name: `Bench user ${n}` });
    await call(baseUrl, 'POST', '/api/users', { 'x-api-key': apiKey }, { users });
  }
}

/**
 * REST tokens for some users.
 * @param {string} baseUrl
 * @param {string} apiKey
 * @param {string[]} userIds
 * @returns {Promise<string[]>}
 */
export async function issueTokens(baseUrl, apiKey, userIds) {
  const tokens = [];
  for (const id of userIds) tokens.push((await call(baseUrl, 'POST', '/tokens', { 'x-api-key': apiKey }, { userId: id })).token);
  return tokens;
}

/**
 * Both tokens of each user, in the order given, `inFlight` calls at a time
 * (`POST /tokens` also upserts the user, a write each: one by one, 10,000
 * users would take long).
 * @param {string} baseUrl
 * @param {string} apiKey
 * @param {string[]} userIds
 * @param {number} [inFlight]
 * @returns {Promise<{ token: string, wsToken: string }[]>}
 */
export async function issueTokenPairs(baseUrl, apiKey, userIds, inFlight = 8) {
  /** @type {{ token: string, wsToken: string }[]} */
  const pairs = new Array(userIds.length);
  let next = 0;
  const worker = async () => {
    while (next < userIds.length) {
      const i = next++;
      const { token, wsToken } = await call(baseUrl, 'POST', '/tokens', { 'x-api-key': apiKey }, { userId: userIds[i] });
      pairs[i] = { token, wsToken };
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return pairs;
}

/**
 * Opens the server's own store (the built package), as the env describes it.
 * @param {Record<string, string>} env
 */
export async function openServerStore(env) {
  const { openStore } = await import(join(ROOT, 'packages/server/dist/store/index.js'));
  /** @type {import('../../packages/server/dist/store/index.js').Store} */
  const store = openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: resolve(env.CHATSDK_DATA_DIR || './data') });
  return store;
}

/**
 * Adds users as plain members of a channel straight in the store, in bulk, and
 * sets the channel's member count: benchmark set-up, not an API path.
 * @param {Record<string, string>} env
 * @param {string} appId
 * @param {string} channelId
 * @param {string[]} userIds  users not yet members
 */
export async function addMembersInBulk(env, appId, channelId, userIds) {
  const store = await openServerStore(env);
  try {
    const now = Date.now();
    await store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < userIds.length; i += 1000) {
        await trx
          .insertInto('members')
          .values(
            userIds.slice(i, i + 1000).map((user_id) => ({
              app_id: appId,
              channel_id: channelId,
              user_id,
              role: 'member',
              joined_at: now,
              last_read_seq: 0,
              last_read_message_id: null,
              last_read_at: null,
              unread_mentions: 0,
              muted: 0,
              pinned: 0,
              archived: 0,
            })),
          )
          .execute();
      }
      const { count } = await trx
        .selectFrom('members')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('app_id', '=', appId)
        .where('channel_id', '=', channelId)
        .executeTakeFirstOrThrow();
      await trx.updateTable('channels').set({ member_count: Number(count) }).where('app_id', '=', appId).where('id', '=', channelId).execute();
    });
    // PostgreSQL's autovacuum would analyze the new rows within a minute; do it now so the
    // plan does not change mid-run. SQLite is left as shipped: the server never runs ANALYZE.
    if (store.kind === 'postgres') await sql`analyze`.execute(store.db);
  } finally {
    await store.close();
  }
}
