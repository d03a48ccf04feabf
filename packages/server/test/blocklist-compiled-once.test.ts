import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppRecord, getApp } from '../src/domain/auth/apps.js';
import type { ChannelRecord } from '../src/domain/channels/channel-records.js';
import type { Tx } from '../src/domain/events/batch-end.js';
import { createBlocklist, updateBlocklist } from '../src/domain/moderation/blocklists.js';
import { screenText } from '../src/domain/moderation/screen-message.js';
import type { Store } from '../src/store/store.js';
import { openStoreWithApp } from './helpers/store-with-app.js';
import { storeKinds } from './helpers/stores.js';

/** Only what screening reads of a channel: its type and the lists it names. */
const channel = (blocklists: string[]): ChannelRecord => ({ type: 'messaging', blocklists }) as Partial<ChannelRecord> as ChannelRecord;

describe.each(storeKinds)('blocklists are compiled once per version on %s', (kind) => {
  let store: Store;
  let appId: string;
  let close: () => Promise<void>;
  let reads = 0;
  /** The store's database, counting the statements that read blocklists. */
  let counted: Tx;

  const app = async (): Promise<AppRecord> => {
    const found = await getApp(store, appId);
    if (!found) throw new Error('the app is gone');
    return found;
  };

  beforeAll(async () => {
    ({ store, appId, close } = await openStoreWithApp(kind, 'Compiled once'));
    counted = new Proxy(store.db, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== 'selectFrom' || typeof value !== 'function') return value;
        return (table: string) => {
          if (table === 'blocklists') reads++;
          return (value as (t: string) => unknown).call(target, table);
        };
      },
    });
  });
  afterAll(() => close());

  it('reads nothing at all for an app that never had a list', async () => {
    const before = await app();
    expect(before.blocklistsVersion).toBe(0);
    // Any use of the database would throw.
    const untouchable = new Proxy(store.db, {
      get() {
        throw new Error('the database was used');
      },
    });
    expect(await screenText(untouchable, before, channel([]), 'anything at all')).toEqual({ text: 'anything at all', flaggedBy: [] });
  });

  it('reads the lists once for many sends of one version, again after a change, and never for an older version', async () => {
    await createBlocklist(store, { kind: 'server', app: await app() }, { name: 'rude', words: ['darn'], mode: 'mask' });
    const first = await app();
    expect(first.blocklistsVersion).toBe(1);
    reads = 0;
    for (let i = 0; i < 20; i++) expect((await screenText(counted, first, channel(['rude']), 'darn it')).text).toBe('*** it');
    expect(reads).toBe(1);

    await updateBlocklist(store, { kind: 'server', app: first }, 'rude', { words: ['heck'] });
    const second = await app();
    expect(second.blocklistsVersion).toBe(2);
    expect((await screenText(counted, second, channel(['rude']), 'darn heck')).text).toBe('darn ***');
    expect(reads).toBe(2);
    // A request that read the app row before the change: the newer lists serve it, with no read.
    expect((await screenText(counted, first, channel(['rude']), 'darn heck')).text).toBe('darn ***');
    expect(reads).toBe(2);
    // A channel none of the lists apply to costs no read either.
    expect((await screenText(counted, second, channel([]), 'heck')).text).toBe('heck');
    expect(reads).toBe(2);
  });
});
