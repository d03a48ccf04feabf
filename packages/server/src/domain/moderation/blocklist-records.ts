import type { Blocklist } from '@chatsdk/protocol';
import type { Selectable } from 'kysely';
import type { BlocklistsTable } from '../../store/schema.js';
import { toIso } from '../common/ids.js';
import { readJson } from '../common/json-columns.js';
import type { Tx } from '../events/batch-end.js';

/** A blocklist as stored (times in ms). */
export interface BlocklistRecord {
  appId: string;
  name: string;
  words: string[];
  patterns: string[];
  mode: Blocklist['mode'];
  channelTypes: Blocklist['channelTypes'];
  createdAt: number;
  updatedAt: number;
}

/** Maps a row of `blocklists`. */
export function blocklistFromRow(row: Selectable<BlocklistsTable>): BlocklistRecord {
  return {
    appId: row.app_id,
    name: row.name,
    words: readJson<string[]>(row.words),
    patterns: readJson<string[]>(row.patterns),
    mode: row.mode as Blocklist['mode'],
    channelTypes: readJson<Blocklist['channelTypes']>(row.channel_types),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A blocklist on the wire. */
export function toWireBlocklist(record: BlocklistRecord): Blocklist {
  return {
    name: record.name,
    words: record.words,
    patterns: record.patterns,
    mode: record.mode,
    channelTypes: record.channelTypes,
    createdAt: toIso(record.createdAt),
    updatedAt: toIso(record.updatedAt),
  };
}

/** The app's blocklists, by name. */
export async function readBlocklists(db: Tx, appId: string): Promise<BlocklistRecord[]> {
  const rows = await db.selectFrom('blocklists').selectAll().where('app_id', '=', appId).orderBy('name').execute();
  return rows.map(blocklistFromRow);
}

/** One blocklist of the app, or undefined. */
export async function readBlocklist(db: Tx, appId: string, name: string): Promise<BlocklistRecord | undefined> {
  const row = await db.selectFrom('blocklists').selectAll().where('app_id', '=', appId).where('name', '=', name).executeTakeFirst();
  return row ? blocklistFromRow(row) : undefined;
}
