import { type Blocklist, type CreateBlocklistBody, LIMITS, type UpdateBlocklistBody } from '@chatsdk/protocol';
import type { Updateable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { BlocklistsTable } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../auth/caller.js';
import { actorOf, recordAudit } from '../audit/audit-log.js';
import type { Tx } from '../events/batch-end.js';
import { requireAppModerator } from './app-moderators.js';
import { checkPatterns } from './blocklist-patterns.js';
import { blocklistFromRow, readBlocklist, readBlocklists, toWireBlocklist } from './blocklist-records.js';
import { wordTokens } from './blocklist-text.js';
import { unlinkBlocklist } from './blocklist-unlink.js';

function notFound(name: string): ApiError {
  return new ApiError('blocklist_not_found', `no blocklist "${name}" in this app`);
}

function exists(name: string): ApiError {
  return new ApiError('blocklist_exists', `a blocklist "${name}" exists in this app; change it with PATCH`);
}

/** Refuses a word that holds nothing to match (only spaces or punctuation): it would never match, which is a mistake to point out. */
function checkWords(words: readonly string[]): void {
  words.forEach((word, i) => {
    if (wordTokens(word).length === 0) {
      throw new ApiError('validation_failed', `body/words/${i} ${JSON.stringify(word)} has no letter, digit or symbol to match`, { details: { word } });
    }
  });
}

/**
 * Moves the app's blocklists version, in the change's transaction: every
 * process sees the new number with its next request's app row and compiles
 * the lists again. On PostgreSQL the update also row-locks the app, so the
 * changes of one app take turns (two creates cannot both pass the limit).
 */
async function bumpVersion(trx: Tx, appId: string): Promise<void> {
  await trx.updateTable('apps').set((eb) => ({ blocklists_version: eb('blocklists_version', '+', 1) })).where('id', '=', appId).execute();
}

/** `POST /api/moderation/blocklists`: 409 `blocklist_exists` for a name the app has; at most `LIMITS.blocklistsPerApp`. */
export async function createBlocklist(store: Store, caller: Caller, body: CreateBlocklistBody): Promise<Blocklist> {
  requireAppModerator(caller);
  const appId = caller.app.id;
  const patterns = body.patterns ?? [];
  checkWords(body.words);
  checkPatterns(patterns);
  const now = Date.now();
  const row = {
    app_id: appId,
    name: body.name,
    words: JSON.stringify(body.words),
    patterns: JSON.stringify(patterns),
    mode: body.mode,
    channel_types: JSON.stringify([...new Set(body.channelTypes ?? [])]),
    created_at: now,
    updated_at: now,
  };
  try {
    await store.db.transaction().execute(async (trx) => {
      await bumpVersion(trx, appId);
      if (await readBlocklist(trx, appId, body.name)) throw exists(body.name);
      const { count } = await trx.selectFrom('blocklists').select((eb) => eb.fn.countAll<number | string>().as('count')).where('app_id', '=', appId).executeTakeFirstOrThrow();
      if (Number(count) >= LIMITS.blocklistsPerApp) {
        throw new ApiError('validation_failed', `an app may have at most ${LIMITS.blocklistsPerApp} blocklists; delete one or add the words to one`);
      }
      await trx.insertInto('blocklists').values(row).execute();
      await recordAudit(trx, {
        appId,
        action: 'blocklist.create',
        actorId: actorOf(caller),
        targetType: 'blocklist',
        targetId: body.name,
        details: { mode: body.mode, words: body.words.length, patterns: patterns.length, channelTypes: JSON.parse(row.channel_types) as string[] },
        at: now,
      });
    });
  } catch (error) {
    // SQLite writes one transaction at a time, PostgreSQL's app lock orders creates: this is a backstop.
    if (store.dialect.isUniqueViolation(error)) throw exists(body.name);
    throw error;
  }
  return toWireBlocklist(blocklistFromRow(row));
}

/** `GET /api/moderation/blocklists`: by name. */
export async function listBlocklists(store: Store, caller: Caller): Promise<Blocklist[]> {
  requireAppModerator(caller);
  return (await readBlocklists(store.db, caller.app.id)).map(toWireBlocklist);
}

/** `GET /api/moderation/blocklists/:name`. */
export async function getBlocklist(store: Store, caller: Caller, name: string): Promise<Blocklist> {
  requireAppModerator(caller);
  const record = await readBlocklist(store.db, caller.app.id, name);
  if (!record) throw notFound(name);
  return toWireBlocklist(record);
}

/** `PATCH /api/moderation/blocklists/:name`: each field given replaces the list's (words are not merged). */
export async function updateBlocklist(store: Store, caller: Caller, name: string, patch: UpdateBlocklistBody): Promise<Blocklist> {
  requireAppModerator(caller);
  if (patch.words === undefined && patch.patterns === undefined && patch.mode === undefined && patch.channelTypes === undefined) {
    throw new ApiError('validation_failed', 'give at least one of words, patterns, mode and channelTypes');
  }
  if (patch.words !== undefined) checkWords(patch.words);
  if (patch.patterns !== undefined) checkPatterns(patch.patterns);
  const appId = caller.app.id;
  const now = Date.now();
  const set: Updateable<BlocklistsTable> = { updated_at: now };
  if (patch.words !== undefined) set.words = JSON.stringify(patch.words);
  if (patch.patterns !== undefined) set.patterns = JSON.stringify(patch.patterns);
  if (patch.mode !== undefined) set.mode = patch.mode;
  if (patch.channelTypes !== undefined) set.channel_types = JSON.stringify([...new Set(patch.channelTypes)]);
  const updated = await store.db.transaction().execute(async (trx) => {
    await bumpVersion(trx, appId);
    const before = await readBlocklist(trx, appId, name);
    if (!before) throw notFound(name);
    await trx.updateTable('blocklists').set(set).where('app_id', '=', appId).where('name', '=', name).execute();
    await recordAudit(trx, {
      appId,
      action: 'blocklist.update',
      actorId: actorOf(caller),
      targetType: 'blocklist',
      targetId: name,
      details: {
        changed: Object.keys(patch),
        ...(patch.mode !== undefined && patch.mode !== before.mode ? { mode: patch.mode, previousMode: before.mode } : {}),
        ...(patch.words !== undefined ? { words: patch.words.length } : {}),
        ...(patch.patterns !== undefined ? { patterns: patch.patterns.length } : {}),
      },
      at: now,
    });
    return readBlocklist(trx, appId, name);
  });
  if (!updated) throw notFound(name);
  return toWireBlocklist(updated);
}

/**
 * `DELETE /api/moderation/blocklists/:name`: the list goes, and its name
 * leaves every channel's `blocklists`, in one transaction, so a later list
 * of the same name does not find itself applied to channels that named an
 * older one.
 */
export async function deleteBlocklist(store: Store, caller: Caller, name: string): Promise<void> {
  requireAppModerator(caller);
  const appId = caller.app.id;
  await store.db.transaction().execute(async (trx) => {
    await bumpVersion(trx, appId);
    const before = await readBlocklist(trx, appId, name);
    if (!before) throw notFound(name);
    await trx.deleteFrom('blocklists').where('app_id', '=', appId).where('name', '=', name).execute();
    const channels = await unlinkBlocklist(trx, appId, name);
    await recordAudit(trx, {
      appId,
      action: 'blocklist.delete',
      actorId: actorOf(caller),
      targetType: 'blocklist',
      targetId: name,
      details: { mode: before.mode, words: before.words.length, patterns: before.patterns.length, channels },
    });
  });
}
