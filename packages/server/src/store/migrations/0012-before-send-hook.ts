import type { Kysely } from 'kysely';

/**
 * The before-send hook (issue 16): per app, a URL that is asked about every
 * message before it is stored, its time budget, what happens when it does
 * not answer, and the secret its requests are signed with (sealed).
 */
export const beforeSendHook = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('apps').addColumn('before_send_url', 'text').execute();
    await db.schema.alterTable('apps').addColumn('before_send_timeout_ms', 'integer', (c) => c.notNull().defaultTo(1000)).execute();
    await db.schema.alterTable('apps').addColumn('before_send_on_failure', 'text', (c) => c.notNull().defaultTo('allow')).execute();
    await db.schema.alterTable('apps').addColumn('before_send_secret', 'text').execute();
  },
};
