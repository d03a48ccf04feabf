import type { Kysely } from 'kysely';

/**
 * The audit log's filters (`action`, `targetId`), each read newest first: an
 * app's log grows with every moderation action, and a filter must not walk
 * all of it.
 */
export const auditFilters = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('moderation_audit_by_action').on('moderation_audit').columns(['app_id', 'action', 'created_at', 'id']).execute();
    await db.schema.createIndex('moderation_audit_by_target').on('moderation_audit').columns(['app_id', 'target_id', 'created_at', 'id']).execute();
  },
};
