import type { UpsertUser, User, UserRole } from '@chatsdk/protocol';
import { type Kysely, type Selectable, type Updateable, sql } from 'kysely';
import { ApiError } from '../../errors.js';
import type { Database, UsersTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { serialiseCustom } from '../common/custom-data.js';
import { jsonCandidates, likePrefix } from '../common/filters.js';
import { toIso } from '../common/ids.js';
import { decodeIdKey, encodeIdKey } from '../common/keyset.js';
import { eventsCommitted } from '../events/event-sinks.js';
import { sharedCommits } from '../events/shared-commits.js';
import { recordUserEvent } from './user-events.js';

/** A user as the server holds it. */
export interface UserRecord {
  appId: string;
  id: string;
  name: string | null;
  image: string | null;
  custom: Record<string, unknown>;
  role: UserRole;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  tokensValidAfter: number | null;
  lastActiveAt: number | null;
}

/** Maps a row to a record. Exported for queries that join `users`. */
export function userFromRow(row: Selectable<UsersTable>): UserRecord {
  return {
    appId: row.app_id,
    id: row.id,
    name: row.name,
    image: row.image,
    // SQLite hands back the JSON text, PostgreSQL the parsed jsonb.
    custom: (typeof row.custom === 'string' ? JSON.parse(row.custom) : row.custom) as Record<string, unknown>,
    role: row.role as UserRole,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    tokensValidAfter: row.tokens_valid_after,
    lastActiveAt: row.last_active_at,
  };
}

/** The user as the API returns it. */
export function toWireUser(user: UserRecord): User {
  return {
    id: user.id,
    name: user.name,
    image: user.image,
    custom: user.custom,
    role: user.role,
    createdAt: toIso(user.createdAt),
    updatedAt: toIso(user.updatedAt),
    lastActiveAt: user.lastActiveAt === null ? null : toIso(user.lastActiveAt),
  };
}

/** Whether upserting `input` would leave the live user `user` as it is. */
function changesNothing(user: UserRecord, input: UpsertUser, custom: string | undefined): boolean {
  return (
    user.deletedAt === null &&
    (input.name === undefined || input.name === user.name) &&
    (input.image === undefined || input.image === user.image) &&
    (input.role === undefined || input.role === user.role) &&
    (custom === undefined || custom === JSON.stringify(user.custom))
  );
}

/**
 * Creates or updates users. Fields present in an input replace the stored
 * value; omitted fields keep theirs. Upserting a soft-deleted user restores it.
 * All inputs are written in one transaction: all or none. A single upsert
 * that would change nothing (a returning user's token request, the common
 * case) writes nothing and leaves `updatedAt` as it was.
 */
export async function upsertUsers(store: Store, appId: string, inputs: UpsertUser[]): Promise<UserRecord[]> {
  const prepared = inputs.map((input) => ({ input, custom: input.custom ? serialiseCustom(input.custom) : undefined }));
  const [only] = prepared;
  if (only && prepared.length === 1) {
    const existing = await findUserRecord(store, appId, only.input.id);
    if (existing && changesNothing(existing, only.input, only.custom)) return [existing];
  }
  const now = Date.now();
  // Concurrent upserts (a burst of token requests) share commits.
  const users = await sharedCommits(store).run('', async (trx) => {
    const users: UserRecord[] = [];
    // What each user was before, to tell a creation from a change from nothing (webhooks hear the first two).
    const before = await usersBefore(trx, appId, prepared.map((p) => p.input.id));
    for (const { input, custom } of prepared) {
      const update: Updateable<UsersTable> = { updated_at: now, deleted_at: null };
      if (input.name !== undefined) update.name = input.name;
      if (input.image !== undefined) update.image = input.image;
      if (custom !== undefined) update.custom = custom;
      if (input.role !== undefined) update.role = input.role;
      const row = await trx
        .insertInto('users')
        .values({
          app_id: appId,
          id: input.id,
          name: input.name ?? null,
          image: input.image ?? null,
          custom: custom ?? '{}',
          role: input.role ?? 'user',
          created_at: now,
          updated_at: now,
          deleted_at: null,
          tokens_valid_after: null,
        })
        .onConflict((oc) => oc.columns(['app_id', 'id']).doUpdateSet(update))
        .returningAll()
        .executeTakeFirstOrThrow();
      const user = userFromRow(row);
      const was = before.get(input.id);
      // A restored user is new again to whoever heard it was deleted.
      if (!was || was.deletedAt !== null) recordUserEvent(store, trx, appId, 'user.created', toWireUser(user), now);
      else if (!changesNothing(was, input, custom)) recordUserEvent(store, trx, appId, 'user.updated', toWireUser(user), now);
      before.set(input.id, user);
      users.push(user);
    }
    return users;
  });
  eventsCommitted(store);
  return users;
}

/** The users among `ids` as they are now, in the transaction. */
async function usersBefore(trx: Kysely<Database>, appId: string, ids: string[]): Promise<Map<string, UserRecord>> {
  const rows = await trx.selectFrom('users').selectAll().where('app_id', '=', appId).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, userFromRow(row)]));
}

/** A user of the app, deleted ones included (the auth path needs to tell them apart). */
export async function findUserRecord(store: Store, appId: string, id: string): Promise<UserRecord | undefined> {
  const row = await store.db
    .selectFrom('users')
    .selectAll()
    .where('app_id', '=', appId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? userFromRow(row) : undefined;
}

/** A live user of the app. */
export async function getUser(store: Store, appId: string, id: string): Promise<UserRecord | undefined> {
  const user = await findUserRecord(store, appId, id);
  return user && user.deletedAt === null ? user : undefined;
}

/** Filters of `GET /api/users`. */
export interface UserFilter {
  ids?: string[];
  /** Case-insensitive prefix of the name or the id. */
  prefix?: string;
  /** `custom.<key>` equals the value (as a string, number or boolean). */
  custom?: Array<[key: string, value: string]>;
  limit: number;
  cursor?: string;
}

/** One page of users ordered by id, with the cursor of the next page. */
export async function listUsers(
  store: Store,
  appId: string,
  filter: UserFilter,
): Promise<{ users: UserRecord[]; next: string | null }> {
  let query = store.db.selectFrom('users').selectAll().where('app_id', '=', appId).where('deleted_at', 'is', null);
  if (filter.ids) query = query.where('id', 'in', filter.ids.length > 0 ? filter.ids : ['']);
  if (filter.prefix) {
    const pattern = likePrefix(filter.prefix);
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(name)`, 'like', sql<string>`${pattern} escape '\\'`),
        eb(sql`lower(id)`, 'like', sql<string>`${pattern} escape '\\'`),
      ]),
    );
  }
  for (const [key, value] of filter.custom ?? []) {
    query = query.where(store.dialect.jsonFieldText('custom', key), 'in', jsonCandidates(value));
  }
  if (filter.cursor) query = query.where('id', '>', decodeIdKey(filter.cursor));
  const rows = await query.orderBy('id').limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit).map(userFromRow);
  const last = page.at(-1);
  return { users: page, next: rows.length > filter.limit && last ? encodeIdKey(last.id) : null };
}

/** A user's own change to their name and image. */
export async function updateUserProfile(
  store: Store,
  appId: string,
  id: string,
  patch: { name?: string | null; image?: string | null },
): Promise<UserRecord | undefined> {
  const now = Date.now();
  const set: Updateable<UsersTable> = { updated_at: now };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.image !== undefined) set.image = patch.image;
  // A transaction, so that the change and its user.updated commit together.
  const user = await sharedCommits(store).run('', async (trx) => {
    const row = await trx
      .updateTable('users')
      .set(set)
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    const updated = userFromRow(row);
    recordUserEvent(store, trx, appId, 'user.updated', toWireUser(updated), now);
    return updated;
  });
  if (user) eventsCommitted(store);
  return user;
}

/**
 * Deletes a user. Soft by default: the user disappears from the API and every
 * token stops working, but upserting the id again restores them. `hard`
 * erases the row.
 */
export async function deleteUser(store: Store, appId: string, id: string, hard: boolean): Promise<boolean> {
  const now = Date.now();
  // A transaction, so that the deletion and its user.deleted commit together.
  const deleted = await sharedCommits(store).run('', async (trx) => {
    const row = hard
      ? await trx.deleteFrom('users').where('app_id', '=', appId).where('id', '=', id).returningAll().executeTakeFirst()
      : await trx
          .updateTable('users')
          .set({ deleted_at: now, updated_at: now, tokens_valid_after: now })
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
    if (!row) return false;
    // Erasing a user who was already soft-deleted announces nothing new.
    const user = userFromRow(row);
    if (!hard || user.deletedAt === null) recordUserEvent(store, trx, appId, 'user.deleted', toWireUser(user), now);
    return true;
  });
  if (deleted) eventsCommitted(store);
  return deleted;
}

/** Refuses every token of the user issued before now; returns that instant, or undefined for no such user. */
export async function revokeUserTokens(store: Store, appId: string, id: string): Promise<number | undefined> {
  const now = Date.now();
  const result = await store.db
    .updateTable('users')
    .set({ tokens_valid_after: now })
    .where('app_id', '=', appId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n ? now : undefined;
}
