import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, getApp, hookSecretOwner } from '../src/domain/auth/apps.js';
import { webhookSecretOwner } from '../src/domain/webhooks/webhook-secrets.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { SecretBox } from '../src/store/secret-box.js';
import { openSqliteStore } from '../src/store/sqlite.js';

// The owners under which the migrate seals secrets (store/) must be the ones the domain opens them
// with (auth/, webhooks/): a mismatch would seal secrets that no delivery or hook call can open.
describe('webhook and before-send hook secrets stored before CHATSDK_SECRET_KEY was set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatsdk-hook-secrets-'));
  const file = join(dir, 'chatsdk.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are sealed at the next migrate and open again where they are used', async () => {
    const plainStore = openSqliteStore(file);
    await migrateToLatest(plainStore);
    const app = await createApp(plainStore, { name: 'Hooks' });
    const now = Date.now();
    await plainStore.db.updateTable('apps').set({ before_send_url: 'https://hooks.example.com/send', before_send_secret: 'whsec_hook' }).where('id', '=', app.id).execute();
    await plainStore.db
      .insertInto('webhooks')
      .values({
        app_id: app.id,
        id: 'wh_1',
        url: 'https://hooks.example.com/events',
        events: '["*"]',
        secret: 'whsec_current',
        previous_secret: 'whsec_previous',
        previous_secret_until: now + 60_000,
        failing_since: null,
        disabled_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await plainStore.close();

    const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
    const sealedStore = openSqliteStore(file, box);
    try {
      await migrateToLatest(sealedStore);
      const webhook = await sealedStore.db.selectFrom('webhooks').selectAll().executeTakeFirstOrThrow();
      const appRow = await sealedStore.db.selectFrom('apps').selectAll().where('id', '=', app.id).executeTakeFirstOrThrow();
      for (const stored of [webhook.secret, webhook.previous_secret, appRow.before_send_secret, appRow.jwt_secret]) {
        expect(SecretBox.isSealed(stored ?? '')).toBe(true);
      }
      expect(box.open(webhook.secret, webhookSecretOwner(app.id, 'wh_1'))).toBe('whsec_current');
      expect(box.open(webhook.previous_secret ?? '', webhookSecretOwner(app.id, 'wh_1'))).toBe('whsec_previous');
      expect(box.open(appRow.before_send_secret ?? '', hookSecretOwner(app.id))).toBe('whsec_hook');
      expect((await getApp(sealedStore, app.id))?.beforeSendHook?.secret).toBe('whsec_hook');
    } finally {
      await sealedStore.close();
    }
  });
});
