import { type Kysely, sql } from 'kysely';
import type { StoreKind } from '../store.js';

/**
 * Webhooks and the outbox (issue 16).
 *
 * `webhooks`: an app's endpoints, each with its event filter (a JSON array of
 * types and `family.*` wildcards), its signing secret (sealed by the secret
 * box) and, for 24 h after a rotation, the secret before it.
 *
 * `outbox`: one row per event per target, written in the transaction of the
 * change that caused it, so nothing committed can be left undelivered. `seq`
 * is the order rows were written in; within one `lane` (a channel, or one
 * user for user events) of one target it is the order events happened in,
 * because a change to a channel holds that channel's row lock until it
 * commits. Rows stay after delivery for the delivery log and replay, until
 * the sweep removes them. `target_kind` lets push share the table.
 */
export function webhooks(kind: StoreKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('webhooks')
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_until', 'bigint')
        .addColumn('failing_since', 'bigint')
        .addColumn('disabled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('webhooks_pk', ['app_id', 'id'])
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('seq', kind === 'sqlite' ? 'integer' : 'bigserial', (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('target_kind', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('lane', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_until', 'bigint')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('last_duration_ms', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      // The worker's question: which pending rows are due.
      await sql`create index outbox_due on outbox (target_kind, next_attempt_at) where status = 'pending'`.execute(db);
      // Whether an earlier row of the same lane of the same target is still pending (it holds the later ones back).
      await sql`create index outbox_lane on outbox (target_id, lane, seq) where status = 'pending'`.execute(db);
      // A target's delivery log, newest first, and replay.
      await db.schema.createIndex('outbox_target').on('outbox').columns(['app_id', 'target_id', 'seq']).execute();
    },
  };
}
