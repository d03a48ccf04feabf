import { appSecretOwner } from './secret-box.js';
import type { Store } from './store.js';

/** The owner strings secrets are sealed under; the domain modules that write them use the same ones. */
const OWNERS = {
  jwtSecret: appSecretOwner,
  hookSecret: (appId: string) => `apps.before_send_secret:${appId}`,
  webhookSecret: (appId: string, id: string) => `webhooks.secret:${appId}:${id}`,
};

/** Opens `stored` (which proves the key is right), and answers the sealed value to write back, or undefined when it is sealed already or no key is set. */
function resealed(store: Store, stored: string, owner: string): string | undefined {
  const secret = store.secrets.open(stored, owner);
  if (!store.secrets.sealing || stored !== secret) return undefined;
  return store.secrets.seal(secret, owner);
}

/**
 * Brings the secrets at rest in line with the configured key, at every
 * migrate (so at every start): with `CHATSDK_SECRET_KEY` set, secrets stored
 * in plain text (apps' token-signing secrets, before-send hook secrets,
 * webhook secrets and their predecessors during a rotation) are sealed. Every
 * sealed secret is opened once, so a missing or wrong key stops the start
 * with its reason instead of failing every token or delivery later. Answers
 * how many secrets it sealed.
 */
export async function sealStoredSecrets(store: Store): Promise<number> {
  let sealed = 0;
  const apps = await store.db.selectFrom('apps').select(['id', 'jwt_secret', 'before_send_secret']).execute();
  for (const row of apps) {
    const jwtSecret = resealed(store, row.jwt_secret, OWNERS.jwtSecret(row.id));
    const hookSecret = row.before_send_secret === null ? undefined : resealed(store, row.before_send_secret, OWNERS.hookSecret(row.id));
    if (jwtSecret === undefined && hookSecret === undefined) continue;
    await store.db
      .updateTable('apps')
      .set({ ...(jwtSecret === undefined ? {} : { jwt_secret: jwtSecret }), ...(hookSecret === undefined ? {} : { before_send_secret: hookSecret }) })
      .where('id', '=', row.id)
      .execute();
    sealed += (jwtSecret === undefined ? 0 : 1) + (hookSecret === undefined ? 0 : 1);
  }
  const webhooks = await store.db.selectFrom('webhooks').select(['app_id', 'id', 'secret', 'previous_secret']).execute();
  for (const row of webhooks) {
    const owner = OWNERS.webhookSecret(row.app_id, row.id);
    const secret = resealed(store, row.secret, owner);
    const previous = row.previous_secret === null ? undefined : resealed(store, row.previous_secret, owner);
    if (secret === undefined && previous === undefined) continue;
    await store.db
      .updateTable('webhooks')
      .set({ ...(secret === undefined ? {} : { secret }), ...(previous === undefined ? {} : { previous_secret: previous }) })
      .where('app_id', '=', row.app_id)
      .where('id', '=', row.id)
      .execute();
    sealed += (secret === undefined ? 0 : 1) + (previous === undefined ? 0 : 1);
  }
  return sealed;
}
