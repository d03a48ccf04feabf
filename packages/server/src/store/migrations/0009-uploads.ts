import type { Kysely } from 'kysely';

/**
 * Uploads (issue 15): one row per file, whose bytes live in the file store
 * under `storage_key` (and `thumb_key`). A row is written `pending` before
 * the first byte is stored, so a process that dies mid-upload leaves a row
 * the sweep finds and cleans, never bytes nobody knows of. Per app: the
 * largest upload, the accepted types, and whether links get previews.
 */
export const uploads = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('apps').addColumn('max_upload_bytes', 'bigint', (c) => c.notNull().defaultTo(25 * 1024 * 1024)).execute();
    await db.schema.alterTable('apps').addColumn('allowed_upload_types', 'text', (c) => c.notNull().defaultTo('["*/*"]')).execute();
    await db.schema.alterTable('apps').addColumn('link_previews', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    await db.schema
      .createTable('uploads')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('message_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('mime_type', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('storage_key', 'text', (c) => c.notNull())
      .addColumn('thumb_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('attached_at', 'bigint')
      .addColumn('deleted_at', 'bigint')
      .addPrimaryKeyConstraint('uploads_pk', ['app_id', 'id'])
      .execute();
    // The sweep's three questions: pending rows past an hour, ready rows never attached past a day, deleted rows.
    await db.schema.createIndex('uploads_sweep').on('uploads').columns(['state', 'created_at']).execute();
    // A message's uploads, when it is deleted or edited.
    await db.schema.createIndex('uploads_message').on('uploads').columns(['app_id', 'message_id']).execute();
  },
};
