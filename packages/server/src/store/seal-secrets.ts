import { appSecretOwner } from './secret-box.js';
import type { Store } from './store.js';

/**
 * Brings the secrets at rest in line with the configured key, at every
 * migrate (so at every start): with `CHATSDK_SECRET_KEY` set, apps' secrets
 * stored in plain text are sealed. Every sealed secret is opened once, so a
 * missing or wrong key stops the start with its reason instead of failing
 * every token later. Answers how many secrets it sealed.
 */
export async function sealStoredSecrets(store: Store): Promise<number> {
  const rows = await store.db.selectFrom('apps').select(['id', 'jwt_secret']).execute();
  let sealed = 0;
  for (const row of rows) {
    const owner = appSecretOwner(row.id);
    const secret = store.secrets.open(row.jwt_secret, owner);
    if (!store.secrets.sealing || row.jwt_secret !== secret) continue;
    await store.db.updateTable('apps').set({ jwt_secret: store.secrets.seal(secret, owner) }).where('id', '=', row.id).execute();
    sealed += 1;
  }
  return sealed;
}
