import { readJson } from '../common/json-columns.js';
import type { Tx } from '../events/batch-end.js';

/**
 * Removes a deleted list's name from the `blocklists` of every channel of
 * the app that names it; answers how many channels changed. The LIKE only
 * narrows (a name's `_` is a LIKE wildcard): each array is read and
 * compared exactly.
 * No `channel.updated` event is written: the channel's members see nothing
 * change, and a channel read answers the new array.
 */
export async function unlinkBlocklist(trx: Tx, appId: string, name: string): Promise<number> {
  const rows = await trx
    .selectFrom('channels')
    .select(['id', 'blocklists'])
    .where('app_id', '=', appId)
    .where('blocklists', 'like', `%"${name}"%`)
    .execute();
  let changed = 0;
  for (const row of rows) {
    const names = readJson<string[]>(row.blocklists);
    if (!names.includes(name)) continue;
    await trx
      .updateTable('channels')
      .set({ blocklists: JSON.stringify(names.filter((n) => n !== name)) })
      .where('app_id', '=', appId)
      .where('id', '=', row.id)
      .execute();
    changed++;
  }
  return changed;
}
