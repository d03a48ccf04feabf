import { type Kysely, sql } from 'kysely';
import type { StoreKind } from '../store.js';

/** Apps, their API keys, and users. */
export function foundation(kind: StoreKind) {
  const json = kind === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('jwt_secret', 'text', (c) => c.notNull())
        .addColumn('token_ttl_seconds', 'integer', (c) => c.notNull().defaultTo(86400))
        .addColumn('allowed_origins', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('hint', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_app').on('api_keys').columns(['app_id', 'created_at']).execute();

      await db.schema
        .createTable('users')
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('image', 'text')
        .addColumn('custom', sql.raw(json), (c) => c.notNull().defaultTo(sql.raw(`'{}'`)))
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .addColumn('tokens_valid_after', 'bigint')
        .addPrimaryKeyConstraint('users_pk', ['app_id', 'id'])
        .execute();
    },
  };
}
